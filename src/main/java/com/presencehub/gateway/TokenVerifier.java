package com.presencehub.gateway;

import com.presencehub.ops.ConfigException;
import com.presencehub.ops.HubConfig;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Verifies portal tokens with vertx-auth-jwt (PROTOCOL.md §3): signature with the configured key
 * only (HS256 secret and/or an RS256/ES256 public key; {@code alg: none} and any other algorithm
 * are refused because no key is registered for them), {@code exp} required and checked, {@code
 * iss}/{@code aud} when configured, and the hub's own claims {@code sub}, {@code tenant}, {@code
 * role}.
 */
public final class TokenVerifier {

  private final JWTAuth auth;

  private TokenVerifier(JWTAuth auth) {
    this.auth = auth;
  }

  public static TokenVerifier create(Vertx vertx, HubConfig config) {
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
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(publicKeyAlgorithm(config.jwtPublicKey()))
          .setBuffer(config.jwtPublicKey()));
    }
    return new TokenVerifier(JWTAuth.create(vertx, options));
  }

  /** RS256 for an RSA key, ES256 for an EC key: the PEM says which. */
  public static String publicKeyAlgorithm(String pem) {
    byte[] der;
    try {
      String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("jwtPublicKey: the PEM body is not base64");
    }
    for (String[] kind : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(kind[0]).generatePublic(new X509EncodedKeySpec(der));
        return kind[1];
      } catch (Exception notThisKind) {
        // try the next kind
      }
    }
    throw new ConfigException("jwtPublicKey: neither an RSA nor an EC public key");
  }

  public Future<Identity> verify(String token) {
    return auth.authenticate(new TokenCredentials(token))
        .recover(err -> Future.failedFuture(new BadFrameException(ErrorCode.UNAUTHORIZED, "token",
            "token rejected: " + err.getMessage())))
        .map(user -> identity(user.principal(), user.attributes()));
  }

  private static Identity identity(JsonObject claims, JsonObject attributes) {
    // vertx-auth-jwt moves exp/iat/nbf from the principal to the user's attributes.
    Object exp = claims.getValue("exp", attributes.getValue("exp"));
    if (!(exp instanceof Number)) {
      throw unauthorized("token has no exp claim");
    }
    String sub = claim(claims, "sub");
    String tenant = claim(claims, "tenant");
    Role role = Role.fromWire(claim(claims, "role"));
    if (role == null) {
      throw unauthorized("token claim role must be tech or client");
    }
    Object name = claims.getValue("name");
    return new Identity(new UserKey(tenant, sub), role, name instanceof String s ? s : null,
        ((Number) exp).longValue() * 1000L);
  }

  private static String claim(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (!(v instanceof String s) || s.isEmpty() || s.length() > FrameFields.MAX_ID_LENGTH) {
      throw unauthorized("token claim " + name + " is missing or not a string");
    }
    return s;
  }

  private static BadFrameException unauthorized(String message) {
    return new BadFrameException(ErrorCode.UNAUTHORIZED, "token", message);
  }
}
