package com.presencehub.api.http.webhook;

import com.presencehub.config.WebhookEndpoint;
import com.presencehub.config.WebhookOptions;
import com.presencehub.api.http.HttpApiMetrics;
import com.presencehub.logging.LogLimiter;
import com.presencehub.protocol.RecordJson;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends one endpoint's webhooks (PROTOCOL.md §8, docs/http-api.md "Webhooks"): one batch in
 * flight at a time, taken from the head of a bounded {@link WebhookQueue}, retried as it was with
 * {@link Backoff} while the endpoint fails (any status but 2xx, a connection error or no answer
 * within {@code webhookTimeoutMs}), so events arrive in order and at least once. Everything runs
 * on the event loop of the verticle that created it; the HTTP client never blocks it, and each
 * endpoint has its own queue and timers, so a slow or hanging endpoint holds up nothing else.
 *
 * <p>Body: {@code {"tenant":"t","events":[{"id":…,"tenant":…,"user":…,…record},…]}}.
 */
public final class WebhookSender {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  /** Per endpoint (their number is configured): a receiver down for long must not fill the log, nor hide another's lines. */
  private final LogLimiter lines = new LogLimiter(5, 10_000);

  private final Vertx vertx;
  private final HttpClient client;
  private final WebhookEndpoint endpoint;
  private final WebhookQueue<JsonObject> queue;
  private final int batchMax;
  private final long timeoutMs;
  private final Backoff backoff;
  private final HttpApiMetrics.Endpoint meters;
  private final RequestOptions target;
  private boolean sending;
  private int attempt;
  private long retryTimer = -1;
  private long lastDropLogMs;
  private boolean closed;

  /** @param options queue and batch bounds, timeout and retry delays (the webhook* keys) */
  public WebhookSender(Vertx vertx, HttpClient client, WebhookEndpoint endpoint, WebhookOptions options,
      HttpApiMetrics metrics) {
    this.vertx = vertx;
    this.client = client;
    this.endpoint = endpoint;
    this.queue = new WebhookQueue<>(options.queueMax());
    this.batchMax = options.batchMax();
    this.timeoutMs = options.timeoutMs();
    this.backoff = new Backoff(options.retryMinMs(), options.retryMaxMs(), () -> ThreadLocalRandom.current().nextDouble());
    this.meters = metrics.endpoint(endpoint.describe(), this::depthForGauge);
    this.target = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(endpoint.url())
        .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.USER_AGENT, "presence-hub-webhooks/1");
  }

  public WebhookEndpoint endpoint() {
    return endpoint;
  }

  /** Read by the metrics scrape from another thread; an int read is atomic, a stale one harmless. */
  private volatile int depth;

  private Number depthForGauge() {
    return depth;
  }

  /** Queues one {@code presence.changes} event of this endpoint's tenant and sends when idle. */
  public void offer(JsonObject change) {
    if (closed) {
      return;
    }
    JsonObject dropped = queue.offer(change);
    if (dropped != null) {
      meters.dropped().increment();
      long now = System.currentTimeMillis();
      // One line per second at most: a dead endpoint under load would otherwise flood the log.
      if (now - lastDropLogMs >= 1_000) {
        lastDropLogMs = now;
        LOG.warn("webhook " + endpoint.describe() + ": queue full (" + queue.depth() + " events), dropped the oldest;"
            + " dropped so far: " + queue.dropped());
      }
    }
    depth = queue.depth();
    pump();
  }

  private void pump() {
    if (sending || closed || retryTimer != -1) {
      return;
    }
    List<JsonObject> batch = queue.batch(batchMax);
    if (batch.isEmpty()) {
      return;
    }
    sending = true;
    Buffer body = RecordJson.webhookBatch(endpoint.tenant(), batch).toBuffer();
    long ts = System.currentTimeMillis() / 1000;
    RequestOptions options = new RequestOptions(target)
        .putHeader(WebhookSignature.TIMESTAMP_HEADER, Long.toString(ts))
        .putHeader(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(endpoint.secret(), ts, body.getBytes()));
    client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(ignored -> resp.statusCode()))
        .onComplete(ar -> {
          sending = false;
          if (closed) {
            return;
          }
          if (ar.succeeded() && ar.result() / 100 == 2) {
            meters.ok().increment();
            meters.events().increment(batch.size());
            queue.sent();
            attempt = 0;
            depth = queue.depth();
            pump();
            return;
          }
          meters.failed().increment();
          attempt++;
          long delay = backoff.delayMs(attempt);
          String why = ar.succeeded() ? "status " + ar.result() : why(ar.cause());
          String suffix = (attempt == 1 || attempt % 10 == 0) ? lines.admit(System.currentTimeMillis()) : null;
          if (suffix != null) {
            LOG.warn("webhook " + endpoint.describe() + ": batch of " + batch.size() + " failed (" + why + "), attempt "
                + attempt + ", retrying in " + delay + " ms" + suffix);
          }
          if (ar.failed()) {
            LOG.debug("webhook " + endpoint.describe() + " failed", ar.cause());
          }
          retryTimer = vertx.setTimer(delay, t -> {
            retryTimer = -1;
            meters.retries().increment();
            pump();
          });
        });
  }

  /**
   * Why a request to a receiver failed, in the project's words (the exception's text is Netty's:
   * {@code finishConnect(..) failed with error(-111)}); the exception itself goes to the debug log.
   */
  public static String why(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String name = t.getClass().getName();
      if (t instanceof java.util.concurrent.TimeoutException || name.endsWith("ConnectTimeoutException")) {
        return "timeout";
      }
      if (t instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof java.net.NoRouteToHostException) {
        return "host unreachable";
      }
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t instanceof javax.net.ssl.SSLException) {
        return "TLS failed";
      }
      if (t instanceof io.vertx.core.http.HttpClosedException) {
        return "connection closed by the receiver";
      }
    }
    return "I/O error (" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")";
  }

  /** Stops sending; what waits is dropped (another node's publisher takes over, see the docs). */
  public void close() {
    closed = true;
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
    }
  }

  /** Events waiting or in flight. */
  public int depth() {
    return queue.depth();
  }
}
