package com.presencehub.gateway;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens built by hand with the JDK, independently of vertx-auth-jwt: unsigned ones, ones signed
 * with algorithms or keys the hub does not trust, and RS256/ES256 ones for a hub given a public key.
 */
final class JwtForge {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private JwtForge() {
  }

  static JsonObject claims(String tenant, String user, String role, long ttlSeconds) {
    return new JsonObject().put("sub", user).put("tenant", tenant).put("role", role)
        .put("exp", System.currentTimeMillis() / 1000 + ttlSeconds);
  }

  /** {@code alg: none}: no signature at all. */
  static String unsigned(JsonObject claims) {
    return signingInput("none", claims) + ".";
  }

  static String hs256(byte[] secret, JsonObject claims) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      String input = signingInput("HS256", claims);
      return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(KeyPair keys, JsonObject claims) {
    return signed("RS256", "SHA256withRSA", keys, claims);
  }

  /** ES256 signatures are the raw r||s pair (JWS), not DER. */
  static String es256(KeyPair keys, JsonObject claims) {
    return signed("ES256", "SHA256withECDSAinP1363Format", keys, claims);
  }

  static KeyPair rsaKeys() {
    return keys("RSA", 2048);
  }

  static KeyPair ecKeys() {
    return keys("EC", 256);
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  private static String signed(String alg, String jdkAlg, KeyPair keys, JsonObject claims) {
    try {
      Signature s = Signature.getInstance(jdkAlg);
      s.initSign(keys.getPrivate());
      String input = signingInput(alg, claims);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String signingInput(String alg, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    return B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static KeyPair keys(String kind, int size) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(kind);
      g.initialize(size);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
