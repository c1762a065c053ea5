package com.presencehub.api.http.impl;

import com.presencehub.api.http.HttpApiMetrics;
import com.presencehub.config.WebhookEndpoint;
import com.presencehub.api.http.webhook.WebhookSender;
import com.presencehub.api.impl.PresenceRequests;
import com.presencehub.cluster.ChangePublisher;
import com.presencehub.config.HttpApiOptions;
import com.presencehub.config.WebhookOptions;
import com.presencehub.protocol.RecordJson;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one verticle of the HTTP API that holds state, on one event loop: the change log and the
 * change-stream subscribers, the webhook senders, and the {@link PresenceRequests} through which
 * HTTP deliveries go (one in flight per user, as on the event bus).
 *
 * <ul>
 *   <li>A consumer on {@code presence.changes} (cluster-wide) feeds the change log and every SSE
 *       client of the event's tenant on this node.</li>
 *   <li>A <em>local</em> consumer on {@code presence.changes} feeds the webhooks: it hears only
 *       what this node published, so with one publisher in a healthy cluster each transition is
 *       sent by one node.</li>
 * </ul>
 */
public final class ChangeHub extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeHub.class);

  /** One open change stream: writes hop to the client's own context. */
  public static final class Subscriber {
    final String tenant;
    final Context context;
    final Consumer<String> write;

    public Subscriber(String tenant, Context context, Consumer<String> write) {
      this.tenant = tenant;
      this.context = context;
      this.write = write;
    }

    void send(String text) {
      context.runOnContext(v -> write.accept(text));
    }
  }

  private final HttpApiOptions options;
  private final HttpApiMetrics metrics;
  private final PresenceRequests deliveries;
  private final ChangeLog log;
  private final Map<String, Set<Subscriber>> subscribers = new HashMap<>();
  private final Map<String, List<WebhookSender>> webhooks = new HashMap<>();
  private HttpClient client;

  public ChangeHub(HttpApiOptions options, HttpApiMetrics metrics, PresenceRequests deliveries) {
    this.options = options;
    this.metrics = metrics;
    this.deliveries = deliveries;
    // A fresh epoch per boot: ids of an earlier run (or another node) are never replayed by mistake.
    this.log = new ChangeLog(UUID.randomUUID().toString().substring(0, 8), options.changeStreamBuffer());
  }

  @Override
  public Future<?> start() {
    WebhookOptions hooks = options.webhooks();
    if (!hooks.endpoints().isEmpty()) {
      client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) hooks.timeoutMs())
          .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(2));
      for (WebhookEndpoint e : hooks.endpoints()) {
        webhooks.computeIfAbsent(e.tenant(), t -> new ArrayList<>()).add(new WebhookSender(vertx, client, e, hooks, metrics));
      }
      LOG.info("webhooks: " + hooks.endpoints().size() + " endpoint(s): "
          + hooks.endpoints().stream().map(WebhookEndpoint::describe).toList());
    }
    MessageConsumer<JsonObject> all = vertx.eventBus().consumer(ChangePublisher.ADDRESS, m -> onChange(m.body()));
    MessageConsumer<JsonObject> mine = vertx.eventBus().localConsumer(ChangePublisher.ADDRESS, m -> onOwnChange(m.body()));
    MessageConsumer<JsonObject> gaps = vertx.eventBus().localConsumer(ChangePublisher.GAP_ADDRESS, m -> onGap());
    return Future.all(all.completion(), mine.completion(), gaps.completion());
  }

  @Override
  public Future<?> stop() {
    webhooks.values().forEach(l -> l.forEach(WebhookSender::close));
    return client == null ? Future.succeededFuture() : client.close();
  }

  private void onChange(JsonObject change) {
    String tenant = change.getString("tenant");
    if (tenant == null) {
      return;
    }
    ChangeLog.Entry e = log.append(tenant, change);
    Set<Subscriber> subs = subscribers.get(tenant);
    if (subs != null && !subs.isEmpty()) {
      String text = event(e);
      for (Subscriber s : subs) {
        s.send(text);
      }
    }
  }

  /**
   * This node was paused and may have missed transitions: every open stream gets a {@code reset}
   * ({@code "gap"}), and no id given so far can be resumed, rather than a stream that silently
   * skips an event and repeats a status.
   */
  private void onGap() {
    log.markGap();
    String text = resetEvent("gap");
    subscribers.values().forEach(subs -> subs.forEach(s -> s.send(text)));
  }

  private void onOwnChange(JsonObject change) {
    List<WebhookSender> senders = webhooks.get(change.getString("tenant"));
    if (senders == null) {
      return;
    }
    JsonObject event = RecordJson.webhookEvent(change);
    for (WebhookSender s : senders) {
      s.offer(event);
    }
  }

  /**
   * A transition's id, the same on every node that publishes it: a receiver can drop a batch's
   * duplicate after a publisher fail-over by it.
   */
  static String eventId(JsonObject change) {
    return RecordJson.eventId(change);
  }

  private String event(ChangeLog.Entry e) {
    return "id: " + log.id(e) + "\nevent: change\ndata: " + e.change().encode() + "\n\n";
  }

  /** The SSE {@code reset} event (§8): the stream's latest id, then {@code {"reason":…}}. */
  private String resetEvent(String reason) {
    return "id: " + log.epoch() + "-" + latestSeq() + "\nevent: reset\ndata: " + RecordJson.streamReset(reason).encode()
        + "\n\n";
  }

  /** Registers {@code s} (from any thread), first sending what it missed since {@code lastEventId}, or a reset. */
  public void subscribe(Subscriber s, String lastEventId) {
    context.runOnContext(v -> {
      ChangeLog.Resume r = log.resume(s.tenant, lastEventId);
      if (r.reset()) {
        s.send(resetEvent(r.resetReason()));
      } else {
        for (ChangeLog.Entry e : r.replay()) {
          s.send(event(e));
        }
      }
      subscribers.computeIfAbsent(s.tenant, t -> new LinkedHashSet<>()).add(s);
    });
  }

  public void unsubscribe(Subscriber s) {
    context.runOnContext(v -> {
      Set<Subscriber> subs = subscribers.get(s.tenant);
      if (subs != null && subs.remove(s) && subs.isEmpty()) {
        subscribers.remove(s.tenant);
      }
    });
  }

  private long latestSeq() {
    return log.latestSeq();
  }

  /** Webhook queue depth of every endpoint, for tests and the docs' fail-over story. */
  public List<WebhookSender> senders() {
    List<WebhookSender> out = new ArrayList<>();
    webhooks.values().forEach(out::addAll);
    return out;
  }

  public PresenceRequests deliveries() {
    return deliveries;
  }

  public Context loop() {
    return context;
  }
}
