package com.presencehub.node;

import java.util.ArrayList;

import java.util.List;

import java.util.HashMap;

import com.presencehub.cluster.ReplicationMetrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

import com.presencehub.gateway.GatewayMetrics;
import com.presencehub.protocol.ErrorCode;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Status;
import com.presencehub.shard.ShardObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's own Prometheus meters, beside Vert.x's. Written from several event loops, so only
 * lock-free meters (adders, atomics); nothing here is read on the hot path.
 */
public final class HubMetrics implements ShardObserver, GatewayMetrics, ReplicationMetrics {

  private final AtomicLong sessions = new AtomicLong();
  private final Map<Status, AtomicLong> usersByStatus = new EnumMap<>(Status.class);
  private final Map<Status, Counter> transitions = new EnumMap<>(Status.class);
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Counter framesIn;
  private final Counter framesOut;
  /** Fixed at construction (every transport and "unknown"): read without a lock from every loop. */
  private final Map<String, AtomicLong> sessionsByTransport = new HashMap<>();
  private final AtomicLong clusterMembers = new AtomicLong();
  private final AtomicLong bufferedDeltas = new AtomicLong();
  private final AtomicLong lagMillis = new AtomicLong();
  private final Counter fullStateRequests;
  private final Timer fullStates;
  private final Counter digestMismatches;
  /** Listens to GC notifications until {@link #close()}. */
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public HubMetrics(MeterRegistry registry) {
    // JVM and process meters (Micrometer's binders, Prometheus names: jvm_memory_used_bytes,
    // jvm_gc_pause_seconds, jvm_threads_live_threads, process_cpu_usage, process_uptime_seconds,
    // process_open_fds, …), which deploy/grafana and deploy/prometheus use.
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("presence_sessions", sessions, AtomicLong::get)
        .description("Open authenticated SockJS sessions on this node").register(registry);
    List<String> transports = new ArrayList<>(GatewayMetrics.TRANSPORTS);
    transports.add("unknown");
    for (String t : transports) {
      AtomicLong n = new AtomicLong();
      sessionsByTransport.put(t, n);
      Gauge.builder("presence_transport_sessions", n, AtomicLong::get).tag("transport", t)
          .description("Open authenticated sessions on this node, by SockJS transport").register(registry);
    }
    for (Status s : new Status[] {Status.ONLINE, Status.AWAY}) {
      AtomicLong n = new AtomicLong();
      usersByStatus.put(s, n);
      Gauge.builder("presence_users", n, AtomicLong::get).tag("status", s.wire())
          .description("Users owned by this node, by status").register(registry);
    }
    for (Status s : Status.values()) {
      transitions.put(s, Counter.builder("presence_transitions").tag("to", s.wire())
          .description("Presence transitions published").register(registry));
    }
    for (ErrorCode c : ErrorCode.values()) {
      errors.put(c, Counter.builder("presence_errors").tag("code", c.wire())
          .description("Error frames sent, by code").register(registry));
    }
    framesIn = Counter.builder("presence_frames_in").description("Client frames received").register(registry);
    // Cluster (README "Replication"): zero on a node that is not clustered.
    Gauge.builder("presence_cluster_members", clusterMembers, AtomicLong::get)
        .description("Hub members in the cluster, this node included").register(registry);
    Gauge.builder("presence_cluster_buffered_deltas", bufferedDeltas, AtomicLong::get)
        .description("Peers' deltas waiting behind a gap for a full state").register(registry);
    Gauge.builder("presence_cluster_replication_lag_seconds", lagMillis, v -> v.get() / 1000.0)
        .description("How long the peer furthest behind has been waiting for its full state (0: all in order)")
        .register(registry);
    fullStateRequests = Counter.builder("presence_cluster_full_state_requests")
        .description("Full states asked of peers (new peer, gap, digest mismatch, merge)").register(registry);
    fullStates = Timer.builder("presence_cluster_full_state")
        .description("Time from asking a peer for its full state to applying it").register(registry);
    digestMismatches = Counter.builder("presence_cluster_digest_mismatches")
        .description("Peer digests that disagreed with what this node holds").register(registry);
    framesOut = Counter.builder("presence_frames_out").description("Frames sent to clients").register(registry);
  }

  @Override
  public void transition(Status from, PresenceRecord to) {
    transitions.get(to.status()).increment();
    AtomicLong before = usersByStatus.get(from);
    if (before != null) {
      before.decrementAndGet();
    }
    AtomicLong after = usersByStatus.get(to.status());
    if (after != null) {
      after.incrementAndGet();
    }
  }

  @Override
  public void sessionOpened(String transport) {
    sessions.incrementAndGet();
    byTransport(transport).incrementAndGet();
  }

  @Override
  public void sessionClosed(String transport) {
    sessions.decrementAndGet();
    byTransport(transport).decrementAndGet();
  }

  private AtomicLong byTransport(String transport) {
    AtomicLong n = sessionsByTransport.get(transport);
    return n != null ? n : sessionsByTransport.get("unknown");
  }

  public void frameIn() {
    framesIn.increment();
  }

  public void frameOut() {
    framesOut.increment();
  }

  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  @Override
  public void fullStateRequested() {
    fullStateRequests.increment();
  }

  @Override
  public void fullStateApplied(long millis) {
    fullStates.record(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void digestMismatch() {
    digestMismatches.increment();
  }

  @Override
  public void sample(int members, int buffered, long lag) {
    clusterMembers.set(members);
    bufferedDeltas.set(buffered);
    lagMillis.set(lag);
  }

  /** Stops listening to GC notifications (a JVM may run several nodes, in tests). */
  public void close() {
    gc.close();
  }

  public long sessions() {
    return sessions.get();
  }
}
