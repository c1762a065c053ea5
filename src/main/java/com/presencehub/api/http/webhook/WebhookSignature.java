package com.presencehub.api.http.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature (docs/http-api.md "Verifying a webhook"), the scheme Stripe and GitHub use:
 * {@code X-Presence-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>} with
 * {@code X-Presence-Timestamp: <unix seconds>}. The timestamp is inside the signed material, so a
 * receiver that refuses old timestamps (5 minutes is usual) cannot be replayed an old batch.
 */
public final class WebhookSignature {

  public static final String SIGNATURE_HEADER = "X-Presence-Signature";
  public static final String TIMESTAMP_HEADER = "X-Presence-Timestamp";

  private WebhookSignature() {
  }

  /** {@code sha256=<64 lowercase hex>} over {@code timestamp + "." + body}. */
  public static String sign(String secret, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Constant-time check of a received signature (what a Java receiver would do). */
  public static boolean verify(String secret, long timestampSeconds, byte[] body, String signature) {
    if (signature == null) {
      return false;
    }
    return MessageDigest.isEqual(sign(secret, timestampSeconds, body).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }
}
