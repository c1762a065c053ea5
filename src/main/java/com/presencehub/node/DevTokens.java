package com.presencehub.node;

import com.presencehub.config.JwtOptions;
import com.presencehub.presence.Role;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /dev/token?tenant=…&user=…&role=…[&name=…][&ttl=seconds]}: mints an HS256 token with
 * the configured secret, for trying the hub out. Mounted only when {@code devTokens} is on (off by
 * default): anyone who can reach it can act as any user.
 */
final class DevTokens {

  private static final long DEFAULT_TTL_S = 3600;

  private final JWTAuth signer;
  private final JwtOptions jwt;

  DevTokens(Vertx vertx, JwtOptions jwt) {
    this.jwt = jwt;
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(jwt.secret())));
  }

  void handle(RoutingContext rc) {
    String tenant;
    String user;
    String role;
    String name;
    String ttlParam;
    try {
      tenant = rc.request().getParam("tenant");
      user = rc.request().getParam("user");
      role = rc.request().getParam("role");
      name = rc.request().getParam("name");
      ttlParam = rc.request().getParam("ttl");
    } catch (IllegalArgumentException badEncoding) {
      refuse(rc, "query: malformed percent-encoding");
      return;
    }
    String problem = null;
    long ttl = DEFAULT_TTL_S;
    if (tenant == null || tenant.isBlank()) {
      problem = "tenant: is required";
    } else if (user == null || user.isBlank()) {
      problem = "user: is required";
    } else if (com.presencehub.protocol.FieldRules.idProblem(tenant) != null) {
      problem = "tenant: " + com.presencehub.protocol.FieldRules.idProblem(tenant);
    } else if (com.presencehub.protocol.FieldRules.idProblem(user) != null) {
      problem = "user: " + com.presencehub.protocol.FieldRules.idProblem(user);
    } else if (Role.fromWire(role) == null) {
      problem = "role: must be tech or client";
    } else if (ttlParam != null) {
      try {
        ttl = Long.parseLong(ttlParam);
        if (ttl < 1 || ttl > 86_400) {
          problem = "ttl: must be between 1 and 86400 seconds";
        }
      } catch (NumberFormatException e) {
        problem = "ttl: must be an integer number of seconds";
      }
    }
    if (problem != null) {
      refuse(rc, problem);
      return;
    }
    JsonObject claims = new JsonObject().put("sub", user).put("tenant", tenant).put("role", role);
    if (name != null && !name.isBlank()) {
      claims.put("name", name);
    }
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) ttl);
    if (jwt.issuer() != null) {
      options.setIssuer(jwt.issuer());
    }
    if (jwt.audience() != null) {
      options.setAudience(List.of(jwt.audience()));
    }
    rc.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("token", signer.generateToken(claims, options)).encode());
  }

  private static void refuse(RoutingContext rc, String problem) {
    rc.response().setStatusCode(400).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", "bad_request").put("message", problem).encode());
  }
}
