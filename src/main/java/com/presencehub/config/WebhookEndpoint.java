package com.presencehub.config;

import com.presencehub.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One webhook endpoint of one tenant (PROTOCOL.md §8): every transition of {@code tenant} is
 * POSTed to {@code url}, signed with HMAC-SHA256 under {@code secret}.
 *
 * @param tenant the tenant whose transitions go there (an id, at most 256 characters)
 * @param url an absolute {@code http} or {@code https} URL
 * @param secret the signing secret, at least {@value #MIN_SECRET_BYTES} bytes
 */
public record WebhookEndpoint(String tenant, String url, String secret) {

  /** A shorter HMAC key is guessable; the same floor as Stripe's and GitHub's generated secrets. */
  public static final int MIN_SECRET_BYTES = 16;

  public WebhookEndpoint {
    if (tenant == null || tenant.isEmpty()) {
      throw new IllegalArgumentException("tenant: must be a non-empty id");
    }
    // The one id rule and its messages (protocol/FieldRules), as every other edge reports them.
    String problem = com.presencehub.protocol.FieldRules.idProblem(tenant);
    if (problem != null) {
      throw new IllegalArgumentException("tenant: " + problem);
    }
    URI uri;
    try {
      uri = new URI(url == null ? "" : url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("url: not a URL (" + e.getMessage() + ")");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("url: must be an absolute http:// or https:// URL, got '" + url + "'");
    }
    if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("secret: must be at least " + MIN_SECRET_BYTES + " bytes");
    }
  }

  /** The endpoint without its secret, for logs and metric tags. */
  public String describe() {
    return tenant + " → " + url;
  }

  @Override
  public String toString() {
    return "WebhookEndpoint[" + describe() + "]";
  }

  /**
   * The configured endpoints: the {@code webhooks} list (a JSON array from the file, or its JSON
   * text from the environment) plus the one the three {@code webhook*} keys name, if any.
   *
   * @param from where {@code webhooks} came from, appended to error messages
   * @throws ConfigException naming the key (and the list index) that is wrong
   */
  public static List<WebhookEndpoint> fromConfig(Object webhooks, String from, String tenant, String url, String secret) {
    List<WebhookEndpoint> out = new ArrayList<>();
    Object list = webhooks;
    if (list instanceof String s) {
      try {
        list = s.isBlank() ? new JsonArray() : new JsonArray(s);
      } catch (DecodeException e) {
        throw new ConfigException("webhooks: must be a JSON array of {\"tenant\",\"url\",\"secret\"}" + from);
      }
    }
    if (list instanceof List<?> l) {
      list = new JsonArray(new ArrayList<>(l));
    }
    if (!(list instanceof JsonArray a)) {
      throw new ConfigException("webhooks: must be a list of {\"tenant\",\"url\",\"secret\"}" + from);
    }
    for (int i = 0; i < a.size(); i++) {
      Object o = a.getValue(i);
      if (o instanceof Map<?, ?> m) {
        o = new JsonObject(new java.util.LinkedHashMap<>(castMap(m)));
      }
      if (!(o instanceof JsonObject e)) {
        throw new ConfigException("webhooks[" + i + "]: must be an object {\"tenant\",\"url\",\"secret\"}" + from);
      }
      for (String k : e.fieldNames()) {
        if (!List.of("tenant", "url", "secret").contains(k)) {
          throw new ConfigException("webhooks[" + i + "]." + k + ": unknown key (known: tenant, url, secret)" + from);
        }
      }
      out.add(endpoint("webhooks[" + i + "].", from, e.getValue("tenant"), e.getValue("url"), e.getValue("secret")));
    }
    int given = (tenant == null ? 0 : 1) + (url == null ? 0 : 1) + (secret == null ? 0 : 1);
    if (given == 3) {
      out.add(endpoint("webhook", "", tenant, url, secret));
    } else if (given > 0) {
      throw new ConfigException("webhookTenant, webhookUrl, webhookSecret: set all three or none ("
          + "PRESENCE_WEBHOOK_TENANT, PRESENCE_WEBHOOK_URL, PRESENCE_WEBHOOK_SECRET)");
    }
    return List.copyOf(out);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static WebhookEndpoint endpoint(String prefix, String from, Object tenant, Object url, Object secret) {
    for (Object[] kv : new Object[][] {{"tenant", tenant}, {"url", url}, {"secret", secret}}) {
      if (!(kv[1] instanceof String)) {
        throw new ConfigException(key(prefix, (String) kv[0]) + ": is required (a string)" + from);
      }
    }
    try {
      return new WebhookEndpoint((String) tenant, (String) url, (String) secret);
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      int colon = msg.indexOf(':');
      throw new ConfigException(key(prefix, msg.substring(0, colon)) + msg.substring(colon) + from);
    }
  }

  /** {@code webhooks[0].url}, or {@code webhookUrl} for the simple case. */
  private static String key(String prefix, String field) {
    return prefix.endsWith(".") ? prefix + field : prefix + Character.toUpperCase(field.charAt(0)) + field.substring(1);
  }
}
