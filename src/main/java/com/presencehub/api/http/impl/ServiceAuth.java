package com.presencehub.api.http.impl;

import com.presencehub.gateway.BadFrameException;
import com.presencehub.gateway.TokenClaims;
import com.presencehub.gateway.TokenVerifier;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import com.presencehub.config.JwtOptions;
import com.presencehub.config.TenantScope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;

/**
 * Verifies service tokens for the HTTP API (PROTOCOL.md §8): the same JWT checks as the portal's
 * {@link TokenVerifier} (same keys and algorithms, {@code exp} required, {@code iss}/{@code aud}
 * when configured), built here the same way because {@code TokenVerifier} only knows the portal
 * roles. The shape and claim types are checked first by the socket edge's {@link TokenClaims}
 * (a malformed claim is a 401 naming it); every 401 message is the project's own. {@code role}
 * must be {@code service}; the token opens its {@code tenant} only.
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

  private static final Logger LOG = LoggerFactory.getLogger(ServiceAuth.class);

  private final JWTAuth auth;
  private final String issuer;
  private final String audience;
  private final TenantScope tenants;

  private ServiceAuth(JWTAuth auth, String issuer, String audience, TenantScope tenants) {
    this.auth = auth;
    this.issuer = issuer;
    this.audience = audience;
    this.tenants = tenants;
  }

  public static ServiceAuth create(Vertx vertx, JwtOptions jwt) {
    return create(vertx, jwt, TenantScope.ALL);
  }

  /** @param tenants the tenants this cell serves: a request for another is a 403 naming it (docs/cells.md) */
  public static ServiceAuth create(Vertx vertx, JwtOptions jwt, TenantScope tenants) {
    return new ServiceAuth(TokenVerifier.jwtAuth(vertx, jwt), jwt.issuer(), jwt.audience(), tenants);
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
    // The portal edge's shape and claim checks first (TokenClaims), so that a malformed claim is
    // refused by name and the library's own words never reach the caller.
    JsonObject shape;
    Future<io.vertx.ext.auth.User> checked;
    try {
      shape = TokenClaims.shape(token);
      checked = auth.authenticate(new TokenCredentials(token));
    } catch (BadFrameException e) {
      return Future.failedFuture(new Refused(401, "Authorization: " + e.getMessage()));
    } catch (RuntimeException e) {
      LOG.debug("vertx-auth-jwt threw on a token that passed the claim checks", e);
      return Future.failedFuture(new Refused(401, "Authorization: token rejected: not a token this hub accepts"));
    }
    return checked
        .recover(err -> {
          LOG.debug("service token refused by vertx-auth-jwt: " + err.getMessage());
          return Future.failedFuture(new Refused(401, "Authorization: "
              + TokenClaims.whyRefused(shape, System.currentTimeMillis() / 1000, issuer, audience).getMessage()));
        })
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
          if (!anyTenant && !tenants.serves(tenant)) {
            // Cells (docs/cells.md): this cluster is not the tenant's; the body names both.
            return Future.failedFuture(new Refused(403, "tenant: " + tenants.refusal(tenant)));
          }
          return Future.succeededFuture(new Caller(tokenTenant, sub, role, token));
        });
  }

  private static String claim(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    // The id rule of PROTOCOL.md §3 (256 code points, no control characters), as at the socket edge.
    return com.presencehub.protocol.FieldRules.isId(v) ? (String) v : null;
  }
}
