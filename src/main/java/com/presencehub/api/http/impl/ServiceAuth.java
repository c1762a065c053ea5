package com.presencehub.api.http.impl;

import com.presencehub.gateway.TokenVerifier;
import com.presencehub.ops.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;

/**
 * Verifies service tokens for the HTTP API (PROTOCOL.md §8): the same JWT checks as the portal's
 * {@link TokenVerifier} (same keys and algorithms, {@code exp} required, {@code iss}/{@code aud}
 * when configured), built here the same way because {@code TokenVerifier} only knows the portal
 * roles. {@code role} must be {@code service}; the token opens its {@code tenant} only.
 */
public final class ServiceAuth {

  public static final String SERVICE_ROLE = "service";

  /** Who called: a verified token's claims. {@code role} is whatever the token says. */
  public record Caller(String tenant, String sub, String role, String token) {
  }

  /** A refusal: 401 (no valid token) or 403 (a valid token that may not do this). */
  public static final class Refused extends RuntimeException {
    private final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final JWTAuth auth;

  private ServiceAuth(JWTAuth auth) {
    this.auth = auth;
  }

  public static ServiceAuth create(Vertx vertx, HubConfig config) {
    JWTOptions jwt = new JWTOptions().setLeeway(0);
    if (config.jwtIssuer() != null) {
      jwt.setIssuer(config.jwtIssuer());
    }
    if (config.jwtAudience() != null) {
      jwt.setAudience(List.of(config.jwtAudience()));
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwt);
    if (config.jwtSecret() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()));
    }
    if (config.jwtPublicKey() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(TokenVerifier.publicKeyAlgorithm(config.jwtPublicKey()))
          .setBuffer(config.jwtPublicKey()));
    }
    return new ServiceAuth(JWTAuth.create(vertx, options));
  }

  /**
   * Checks an {@code Authorization} header value for {@code tenant} (any tenant when {@code anyTenant}:
   * a path outside the tenants' resources).
   *
   * @return the caller, or a failed future with {@link Refused}: 401 without a bearer token or with
   *     one that fails verification, 403 for a role other than {@code service} or another tenant
   */
  public Future<Caller> check(String authorization, String tenant, boolean anyTenant) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.length() == 7) {
      return Future.failedFuture(new Refused(401, "Authorization: a Bearer token is required"));
    }
    String token = authorization.substring(7).trim();
    return auth.authenticate(new TokenCredentials(token))
        .recover(err -> Future.failedFuture(new Refused(401, "Authorization: token rejected: " + err.getMessage())))
        .compose(user -> {
          JsonObject claims = user.principal();
          Object exp = claims.getValue("exp", user.attributes().getValue("exp"));
          if (!(exp instanceof Number)) {
            return Future.failedFuture(new Refused(401, "Authorization: token has no exp claim"));
          }
          String tokenTenant = claim(claims, "tenant");
          String sub = claim(claims, "sub");
          if (tokenTenant == null || sub == null) {
            return Future.failedFuture(new Refused(401, "Authorization: token claims sub and tenant are required"));
          }
          String role = claims.getValue("role") instanceof String s ? s : null;
          if (!SERVICE_ROLE.equals(role)) {
            return Future.failedFuture(new Refused(403, "Authorization: role " + role
                + " may not use the HTTP API (a service token has role service)"));
          }
          if (!anyTenant && !tokenTenant.equals(tenant)) {
            // Says which tenant the token opens, never anything about the other one.
            return Future.failedFuture(new Refused(403, "tenant: this token is for tenant " + tokenTenant + " only"));
          }
          return Future.succeededFuture(new Caller(tokenTenant, sub, role, token));
        });
  }

  private static String claim(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    return v instanceof String s && !s.isEmpty() && s.length() <= 256 ? s : null;
  }
}
