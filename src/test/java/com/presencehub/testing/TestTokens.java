package com.presencehub.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** Mints HS256 tokens with the test secret, the way a portal's login service would. */
public final class TestTokens {

  public static final String SECRET = "test-secret-0123456789abcdef0123456789abcdef";

  private final JWTAuth signer;

  public TestTokens(Vertx vertx) {
    this(vertx, SECRET);
  }

  public TestTokens(Vertx vertx, String secret) {
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** A token valid for an hour. */
  public String token(String tenant, String user, String role) {
    return token(tenant, user, role, 3600);
  }

  public String token(String tenant, String user, String role, int ttlSeconds) {
    return sign(new JsonObject().put("sub", user).put("tenant", tenant).put("role", role).put("name", "Name of " + user),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds));
  }

  /** Signs arbitrary claims (no exp unless given); for tests of bad tokens. */
  public String sign(JsonObject claims, JWTOptions options) {
    return signer.generateToken(claims, options.setAlgorithm("HS256"));
  }
}
