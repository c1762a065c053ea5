package com.presencehub.api.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Prometheus meters of the HTTP API, change stream and webhooks (PROTOCOL.md §8): written from
 * several event loops, so only Micrometer's own lock-free meters and atomics.
 *
 * <ul>
 *   <li>{@code presence_http_requests_total{route,status}}: answered API requests</li>
 *   <li>{@code presence_sse_clients}: open change streams on this node</li>
 *   <li>{@code presence_webhook_deliveries_total{endpoint,outcome}}: batches (ok, failed)</li>
 *   <li>{@code presence_webhook_events_total{endpoint}}: events accepted by the endpoint</li>
 *   <li>{@code presence_webhook_retries_total{endpoint}}, {@code presence_webhook_dropped_total{endpoint}}</li>
 *   <li>{@code presence_webhook_queue_depth{endpoint}}: events waiting or in flight</li>
 * </ul>
 */
public final class HttpApiMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger sseClients = new AtomicInteger();

  public HttpApiMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("presence_sse_clients", sseClients, AtomicInteger::get)
        .description("Open change streams (SSE) on this node").register(registry);
  }

  public void request(String route, int status) {
    Counter.builder("presence_http_requests").tag("route", route).tag("status", Integer.toString(status))
        .description("HTTP API requests answered, by route and status").register(registry).increment();
  }

  public void sseOpened() {
    sseClients.incrementAndGet();
  }

  public void sseClosed() {
    sseClients.decrementAndGet();
  }

  public int sseClients() {
    return sseClients.get();
  }

  /** The meters of one webhook endpoint, tagged {@code endpoint=<tenant> <url>}. */
  public Endpoint endpoint(String name, Supplier<Number> depth) {
    Gauge.builder("presence_webhook_queue_depth", depth).tag("endpoint", name)
        .description("Webhook events waiting or in flight").register(registry);
    return new Endpoint(
        Counter.builder("presence_webhook_deliveries").tag("endpoint", name).tag("outcome", "ok")
            .description("Webhook batches sent, by outcome").register(registry),
        Counter.builder("presence_webhook_deliveries").tag("endpoint", name).tag("outcome", "failed")
            .description("Webhook batches sent, by outcome").register(registry),
        Counter.builder("presence_webhook_events").tag("endpoint", name)
            .description("Webhook events accepted by the endpoint").register(registry),
        Counter.builder("presence_webhook_retries").tag("endpoint", name)
            .description("Webhook batches sent again after a failure").register(registry),
        Counter.builder("presence_webhook_dropped").tag("endpoint", name)
            .description("Webhook events dropped because the endpoint's queue was full").register(registry));
  }

  /** One endpoint's counters. */
  public record Endpoint(Counter ok, Counter failed, Counter events, Counter retries, Counter dropped) {
  }
}
