package com.presencehub.ops;

import com.presencehub.gateway.ErrorCode;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Status;
import com.presencehub.shard.ShardObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's own Prometheus meters, beside Vert.x's. Written from several event loops, so only
 * lock-free meters (adders, atomics); nothing here is read on the hot path.
 */
public final class HubMetrics implements ShardObserver {

  private final AtomicLong sessions = new AtomicLong();
  private final Map<Status, AtomicLong> usersByStatus = new EnumMap<>(Status.class);
  private final Map<Status, Counter> transitions = new EnumMap<>(Status.class);
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Counter framesIn;
  private final Counter framesOut;

  public HubMetrics(MeterRegistry registry) {
    Gauge.builder("presence_sessions", sessions, AtomicLong::get)
        .description("Open authenticated SockJS sessions on this node").register(registry);
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

  public void sessionOpened() {
    sessions.incrementAndGet();
  }

  public void sessionClosed() {
    sessions.decrementAndGet();
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

  public long sessions() {
    return sessions.get();
  }
}
