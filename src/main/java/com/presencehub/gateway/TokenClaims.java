package com.presencehub.gateway;

import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.protocol.FieldRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The shape of a portal token, checked before any library sees it (PROTOCOL.md §3): a JWS compact
 * token whose header names its {@code alg}, and whose claims have the types the hub relies on.
 * vertx-auth-jwt casts claims without checking them, so a signed {@code "exp":"soon"} would reach
 * a client as Java exception text; here every refusal names the claim. Plain Java, no I/O.
 *
 * <p>Claim rules: {@code exp} required, {@code nbf} and {@code iat} optional, each a JSON number of
 * seconds (RFC 7519 NumericDate; fractions allowed) between 0 and 253402300799 (the end of year
 * 9999); {@code sub} and {@code tenant} non-empty strings of at most {@value FieldRules#MAX_ID_LENGTH}
 * characters and valid Unicode; {@code role} {@code tech} or {@code client}; {@code name}, {@code
 * iss} strings; {@code aud} a string or an array of strings.
 */
public final class TokenClaims {

  /** 9999-12-31T23:59:59Z: later NumericDates are refused rather than overflowing millisecond arithmetic. */
  static final long MAX_NUMERIC_DATE = 253_402_300_799L;

  private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

  private final JsonObject claims;
  private final Identity identity;

  private TokenClaims(JsonObject claims, Identity identity) {
    this.claims = claims;
    this.identity = identity;
  }

  /** @throws BadFrameException {@code unauthorized}; its field is {@code token.<claim>} for a malformed claim */
  static TokenClaims parse(String token) {
    return of(shape(token));
  }

  /**
   * {@link #parse} for a token whose payload vertx-auth-jwt has already decoded (and verified):
   * the header is checked from the token, the claims on {@code payload}, which is not parsed again.
   */
  static TokenClaims parseDecoded(String token, JsonObject payload) {
    if (payload == null) {
      return parse(token);
    }
    String[] parts = parts(token);
    header(parts[0]);
    return of(claims(payload));
  }

  private static TokenClaims of(JsonObject claims) {
    Object roleClaim = claims.getValue("role");
    Role role = roleClaim instanceof String r ? Role.fromWire(r) : null;
    if (role == null) {
      throw malformed("role", "must be tech or client");
    }
    double exp = claims.getNumber("exp").doubleValue();
    long expMs = (long) Math.floor(exp) * 1000L;
    return new TokenClaims(claims, new Identity(new UserKey(claims.getString("tenant"), claims.getString("sub")), role,
        claims.getString("name"), expMs));
  }

  /**
   * Every check of {@link #parse} but the role's value (a {@code role} present must be a string):
   * for the HTTP API's service tokens, whose role is {@code service} (PROTOCOL.md §8).
   *
   * @return the claims, of the types above
   * @throws BadFrameException {@code unauthorized}, the message in the project's words
   */
  public static JsonObject shape(String token) {
    String[] parts = parts(token);
    header(parts[0]);
    return claims(json(parts[1], "payload"));
  }

  private static String[] parts(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw TokenVerifier.unauthorized(null, "token rejected: not a JWT (three base64url parts: header.payload.signature)");
    }
    return parts;
  }

  private static void header(String part) {
    JsonObject header = json(part, "header");
    if (!(header.getValue("alg") instanceof String)) {
      throw TokenVerifier.unauthorized(null, "token rejected: the header has no alg string");
    }
    for (String field : new String[] {"kid", "typ", "cty"}) {
      if (header.getValue(field) != null && !(header.getValue(field) instanceof String)) {
        throw TokenVerifier.unauthorized(null, "token rejected: the header's " + field + " must be a string");
      }
    }
  }

  private static JsonObject claims(JsonObject claims) {
    numericDate(claims, "exp", true);
    numericDate(claims, "nbf", false);
    numericDate(claims, "iat", false);
    id(claims, "sub");
    id(claims, "tenant");
    if (claims.getValue("role") != null && !(claims.getValue("role") instanceof String)) {
      throw malformed("role", "must be a string");
    }
    Object name = claims.getValue("name");
    if (name != null && !(name instanceof String n && FieldRules.validUnicode(n))) {
      throw malformed("name", "must be a string of valid Unicode");
    }
    if (claims.getValue("iss") != null && !(claims.getValue("iss") instanceof String)) {
      throw malformed("iss", "must be a string");
    }
    Object aud = claims.getValue("aud");
    if (aud != null && !(aud instanceof String) && !(aud instanceof JsonArray a && a.stream().allMatch(String.class::isInstance))) {
      throw malformed("aud", "must be a string or an array of strings");
    }
    return claims;
  }

  Identity identity() {
    return identity;
  }

  /** Why a well-formed token was refused by the signature and lifetime checks, in the project's words. */
  BadFrameException whyRefused(long nowS, String issuer, String audience) {
    return whyRefused(claims, nowS, issuer, audience);
  }

  /** {@link #whyRefused(long, String, String)} for claims that passed {@link #shape}. */
  public static BadFrameException whyRefused(JsonObject claims, long nowS, String issuer, String audience) {
    if (issuer != null && !issuer.equals(claims.getValue("iss"))) {
      return TokenVerifier.unauthorized(null, "token rejected: iss is not the issuer this hub trusts");
    }
    if (audience != null) {
      Object aud = claims.getValue("aud");
      boolean ok = audience.equals(aud) || (aud instanceof JsonArray a && a.contains(audience));
      if (!ok) {
        return TokenVerifier.unauthorized(null, "token rejected: aud does not name this hub");
      }
    }
    if (claims.getNumber("exp").doubleValue() <= nowS) {
      return TokenVerifier.unauthorized(null, "token expired (exp is in the past)");
    }
    if (claims.getValue("nbf") != null && claims.getNumber("nbf").doubleValue() > nowS) {
      return TokenVerifier.unauthorized(null, "token rejected: not valid yet (nbf is in the future)");
    }
    if (claims.getValue("iat") != null && claims.getNumber("iat").doubleValue() > nowS) {
      return TokenVerifier.unauthorized(null, "token rejected: iat is in the future");
    }
    return TokenVerifier.unauthorized(null, "token rejected: signature or algorithm not accepted");
  }

  private static JsonObject json(String part, String what) {
    try {
      return new JsonObject(new String(B64URL.decode(part), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw TokenVerifier.unauthorized(null, "token rejected: the " + what + " is not base64url-encoded JSON object");
    }
  }

  private static double numericDate(JsonObject claims, String claim, boolean required) {
    Object v = claims.getValue(claim);
    if (v == null) {
      if (required || claims.containsKey(claim)) {
        throw malformed(claim, required && !claims.containsKey(claim) ? "is required" : "must be a number of seconds, not null");
      }
      return 0;
    }
    if (!(v instanceof Number n)) {
      throw malformed(claim, "must be a number of seconds (NumericDate)");
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d) || d < 0 || d > MAX_NUMERIC_DATE) {
      throw malformed(claim, "must be between 0 and " + MAX_NUMERIC_DATE + " seconds (year 9999)");
    }
    return d;
  }

  private static String id(JsonObject claims, String claim) {
    Object v = claims.getValue(claim);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw malformed(claim, "is missing or not a non-empty string");
    }
    String problem = FieldRules.idProblem(s);
    if (problem != null) {
      throw malformed(claim, problem);
    }
    return s;
  }

  private static BadFrameException malformed(String claim, String what) {
    return TokenVerifier.unauthorized(claim, "token claim " + claim + ": " + what);
  }
}
