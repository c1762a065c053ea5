package com.presencehub.config;

/**
 * How tokens are checked and, in development, minted (PROTOCOL.md §3, §7). From {@link
 * HubConfig#jwtOptions()}; at least one of the two keys is set (development mode makes a secret).
 *
 * @param secret    the HS256 secret (at least {@value HubConfig#MIN_HS256_SECRET_BYTES} bytes), or null
 * @param publicKey a PEM RS256/ES256 public key ({@code -----BEGIN PUBLIC KEY-----}), or null
 * @param issuer    the required {@code iss}, or null for any
 * @param audience  the required {@code aud}, or null for any
 */
public record JwtOptions(String secret, String publicKey, String issuer, String audience) {

  /** Never the secret itself: options end up in log lines and failure messages. */
  @Override
  public String toString() {
    return "JwtOptions[secret=" + (secret == null ? "none" : "set") + ", publicKey=" + (publicKey == null ? "none" : "set")
        + ", issuer=" + issuer + ", audience=" + audience + "]";
  }
}
