package com.presencehub.cluster;

import com.presencehub.config.ReplicationOptions;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.protocol.ReplicationEnvelope;
import com.presencehub.shard.ReplicationSink;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the replicated view's events (PROTOCOL.md §6); the rules are in {@link ReplicaTable} and
 * {@link ChangeStream}, and this verticle carries out what they return.
 *
 * <ul>
 *   <li>Out: the shards' shares leave as one numbered delta per burst on {@code presence.repl},
 *       which every hub node hears; a digest every {@code clusterDigestIntervalMs}; a full state
 *       answers on {@code presence.repl.sync.<id>}.
 *   <li>In: deltas and digests go to the table; the full states it asks for are fetched here
 *       (FullStateTransfer); the shares and preferences it returns go to the users' shards.
 *   <li>{@link Membership} callbacks hop onto this loop; a departed node's grace is timed here.
 *   <li>{@code presence.changes}: every transition of this node's view goes to the {@link
 *       ChangeStream}; what it returns is published, its marks leave with the next delta.
 * </ul>
 */
public final class ReplicationVerticle extends VerticleBase implements ReplicationSink {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationVerticle.class);
  static final String REPLICATION = "presence.repl";

  static String syncAddress(String node) {
    return HubClusterManager.SYNC_ADDRESS_PREFIX + node;
  }

  private final ReplicationOptions opts;
  private final ShardDirectory directory;
  private final Membership membership;
  private final String self;
  private final ChangePublisher publisher;
  private final Promise<Void> wholeView = Promise.promise();
  /** Created at start, once this node's name is known. */
  private ChangeStream stream;
  private ReplicaTable table;
  private FullStateTransfer transfer;
  private final ConcurrentLinkedQueue<PresenceRecord> early = new ConcurrentLinkedQueue<>(); // before start (none in practice)
  private boolean recheckScheduled, flushScheduled, wasSpeaking, wasPaused; // the last two as last logged

  private volatile ContextInternal ctx;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Runnable stopListening = () -> { };
  private long digestTimer = -1, pauseTimer = -1;
  private ProcessPauses pauses;
  private long lastPauseTick, behindReconciledAt; // ms: this loop's last pause-clock tick; its last re-read while behind
  private final ReplicationMetrics metrics;
  private final Map<String, Long> askedAt = new HashMap<>(); // full states asked for: peer id → when (ms)

  public ReplicationVerticle(ReplicationOptions opts, ShardDirectory directory, Membership membership, String self,
      ChangePublisher publisher, ReplicationMetrics metrics) {
    this.metrics = metrics;
    this.opts = opts;
    this.directory = directory;
    this.membership = membership;
    this.self = self;
    this.publisher = publisher;
    publisher.route(this::transition);
  }

  /** Completes once this node's table holds every other node's full state (readiness, §6, once the shards applied them). */
  public Future<Void> wholeView() {
    return wholeView.future();
  }

  @Override
  public Future<?> start() {
    // A pause over half the failure timeout may have cost this node its membership; the view
    // settles once membership had the failure timeout to notice, plus a digest round.
    long pauseMs = Math.max(1_000, opts.failureTimeoutMs() / 2);
    pauses = new ProcessPauses(membership.localName(), 100, pauseMs);
    stream = new ChangeStream(membership.localName(), pauseMs,
        opts.failureTimeoutMs() + Math.max(2_000, 2 * opts.digestIntervalMs()), opts.offlineRetentionMs(), pauses);
    table = new ReplicaTable(self, stream);
    transfer = new FullStateTransfer(vertx, self, opts.syncTimeoutMs(), FullStateTransfer.MAX_CHUNK_BYTES);
    ctx = (ContextInternal) context;
    context.exceptionHandler(BusFaults::uncaught);
    // Vert.x reports the double completion on the event bus's context: the instance-wide handler, if none is set.
    if (vertx.exceptionHandler() == null) {
      vertx.exceptionHandler(BusFaults::uncaught);
    }
    consumers.add(vertx.eventBus().<JsonObject>consumer(REPLICATION, m -> onReplication(m.body())));
    consumers.add(vertx.eventBus().<JsonObject>consumer(syncAddress(self), this::onSyncRequest));
    stopListening = membership.listen(() -> ctx.runOnContext(v -> {
      transfer.resetWaits(); // a member came, left or came back: a timeout before says nothing of a peer's load now
      reconcile();
    }), () -> ctx.runOnContext(v -> {
      LOG.info("cluster merged: re-syncing every peer"); // nothing received during the split can be trusted whole
      table.distrustAll();
      transfer.resetWaits();
      reconcile();
    }));
    digestTimer = vertx.setPeriodic(opts.digestIntervalMs(), t -> tick());
    // The pause detector's clock: a gap between two of these, if ProcessPauses saw it too, is a frozen process.
    pauseTimer = vertx.setPeriodic(200, t -> {
      stream.tick(lastPauseTick = System.currentTimeMillis());
      afterStreamInput();
    });
    for (PresenceRecord r; (r = early.poll()) != null; ) {
      carry(stream.transition(r, System.currentTimeMillis()));
    }
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).onSuccess(v -> reconcile())
        .onFailure(e -> pauses.close()); // Vert.x calls no stop() after a failed start
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(digestTimer);
    vertx.cancelTimer(pauseTimer);
    pauses.close();
    stream.stop();
    publisher.speaking(false);
    stopListening.run();
    flush();
    return Future.succeededFuture();
  }

  // ---- out: this node's shares -------------------------------------------------------------------

  @Override
  public String node() {
    return self;
  }

  /** Called on a shard's thread: hop here, where the numbering happens. */
  @Override
  public void send(List<Contribution> contributions, List<Preference> prefs) {
    ctx.execute(() -> {
      table.own().local(contributions, prefs);
      flushSoon();
    });
  }

  /** What is handed over before this loop's next turn (shares, publish marks) leaves as one delta. */
  private void flushSoon() {
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.runOnContext(v -> flush());
    }
  }

  /** One numbered delta for everything the shards handed over in this burst. */
  private void flush() {
    flushScheduled = false;
    ReplicationEnvelope.Delta d = table.own().nextDelta();
    if (d != null) {
      BusFaults.safely("delta " + d.seq(), () -> vertx.eventBus().publish(REPLICATION,
          ReplicationEnvelope.delta(self, d.seq(), d.contributions(), d.preferences(), d.marks())));
    }
  }

  /** A full state asked for, or a part or acknowledgement of a windowed transfer (FullStateTransfer). */
  private void onSyncRequest(Message<JsonObject> m) {
    if (transfer.handle(m.body())) {
      return;
    }
    LOG.debug("full state asked for by {}", m.body().getValue("from"));
    flush();
    transfer.serve(m, table.own().fullState(ReplicationEnvelope.wantsShares(m.body()), ReplicationEnvelope.wantsLedger(m.body())));
  }

  // ---- in: the others' shares ---------------------------------------------------------------------

  private void onReplication(JsonObject m) {
    String origin = ReplicationEnvelope.origin(m);
    if (origin == null || origin.equals(self)) {
      return;
    }
    if (!table.knows(origin)) {
      reconcile();
    }
    long now = System.currentTimeMillis();
    if (!table.heard(origin, now)) {
      return;
    }
    ReplicaChanges changes;
    try {
      boolean digest = ReplicationEnvelope.isDigest(m);
      changes = digest ? table.digest(origin, ReplicationEnvelope.digest(m), now)
          : table.delta(origin, ReplicationEnvelope.delta(m), now);
      if (digest && !changes.syncs().isEmpty()) {
        metrics.digestMismatch();
      }
    } catch (RuntimeException e) {
      LOG.warn("bad replication message from " + table.peer(origin) + ": " + e + "; re-syncing");
      changes = table.unreadable(origin);
    }
    carryOut(changes);
  }

  /** Carries out what the table decided: shards first, then timers and requests. */
  private void carryOut(ReplicaChanges c) {
    c.log().forEach(LOG::info);
    for (ReplicaChanges.Step step : c.steps()) {
      if (step instanceof ReplicaChanges.Shares s) {
        directory.applyRemote(s.node(), s.contributions());
      } else if (step instanceof ReplicaChanges.Preferences p) {
        directory.applyPreferences(p.preferences());
      }
    }
    for (ReplicaChanges.Grace g : c.graces()) {
      LOG.info(g.describe() + " left the cluster: its users linger for " + opts.offlineGraceMs() + " ms");
      vertx.setTimer(Math.max(1, opts.offlineGraceMs()), t -> carryOut(table.graceOver(g, System.currentTimeMillis())));
    }
    c.syncs().forEach(this::requestFullState);
    if (c.becameWhole()) {
      LOG.info("holding the whole view (" + c.wholeWith() + " other nodes)");
      wholeView.tryComplete();
    }
    afterStreamInput();
  }

  /** Asks a peer for its full state (or its ledger alone); deltas that arrive meanwhile wait in the table. */
  private void requestFullState(ReplicaChanges.Sync s) {
    long asked = System.currentTimeMillis();
    metrics.fullStateRequested();
    String key = s.shares() ? s.peer() : s.peer() + " ledger"; // askedAt: both may be in flight
    askedAt.put(key, asked);
    LOG.debug("asking {} for its full state ({})", table.peer(s.peer()), !s.shares() ? "its ledger alone" : s.ledger() ? "with its ledger" : "shares only");
    transfer.fetch(s.peer(), s.shares(), s.ledger()).onComplete(ar -> {
      askedAt.remove(key, asked); // not a later ask's (a peer that left and came back)
      if (ar.failed()) {
        // Not there yet, unreachable, overloaded, or a part lost: the next tick retries; waiting deltas are kept.
        LOG.debug("full state of " + table.peer(s.peer()) + " not received: " + ar.cause().getMessage());
        table.syncFailed(s);
        return;
      }
      long now = System.currentTimeMillis();
      metrics.fullStateApplied(now - asked);
      LOG.debug("full state of {}: {} shares, {} marks in {} ms", table.peer(s.peer()), ar.result().contributions().size(),
          ar.result().marks().size(), now - asked);
      carryOut(table.fullState(s, ar.result(), now));
    });
  }

  // ---- the change feed ------------------------------------------------------------------------

  /** A transition of this node's view (called on a shard's thread): decided on this loop. */
  private void transition(PresenceRecord r) {
    ContextInternal c = ctx;
    if (c == null) {
      early.add(r);
      return;
    }
    c.execute(() -> {
      long now = System.currentTimeMillis();
      if (now - lastPauseTick > pauses.thresholdMs() && now - behindReconciledAt >= 100) {
        behindReconciledAt = now; // every 100 ms, not per transition: a joiner's full states bring thousands (issue 17)
        reconcile(); // this loop was behind, not paused: the membership first (its queued hop may come after this)
      }
      carry(stream.transition(r, now));
      afterStreamInput();
    });
  }

  /**
   * The events now, their marks in the burst's delta right after (one delta per burst, not one per
   * event): a node taking over knows what was published. Events first: a crash between the two
   * writes costs a duplicate at worst, never an event the ledger claims but no listener received.
   */
  private void carry(Publication o) {
    if (o.isEmpty()) {
      return;
    }
    table.own().published(o.marks());
    for (PresenceRecord r : o.publish()) {
      try {
        publisher.send(r);
      } catch (IllegalStateException e) {
        // See BusFaults.safely: a write to one listener's node failed; those after it in Vert.x's fan-out may have missed it.
        LOG.warn("presence.changes event for " + r.tenant() + "/" + r.user() + " may not have reached every listener: " + e);
      }
    }
    flushSoon();
  }

  /** Speaking may have started or ended; users may wait for a comparison with the view. */
  private void afterStreamInput() {
    boolean speaking = stream.speaking();
    if (speaking != wasSpeaking) {
      wasSpeaking = speaking;
      publisher.speaking(speaking);
      LOG.info(speaking ? "this node now speaks for the cluster on presence.changes (stable membership "
          + stream.stableMembership() + ")" : "this node stopped publishing presence.changes");
    }
    if (stream.paused() != wasPaused) {
      wasPaused = stream.paused();
      LOG.info(wasPaused ? "this process was paused: publishing nothing until re-synced with every peer"
          : "re-synced after a pause");
      if (wasPaused) {
        // After a pause neither the peers' shares nor the change feed can be trusted: full states, and a gap.
        table.distrustAll();
        transfer.resetWaits(); // the fetches in flight timed out because this process stood still
        BusFaults.safely("gap", () -> vertx.eventBus().publish(ChangePublisher.GAP_ADDRESS, new JsonObject()));
      }
    }
    if (stream.needsRecheck() && !recheckScheduled) {
      recheckScheduled = true;
      // A round trip through every shard first: what the replication messages before this brought must be in the view.
      directory.barrier().onComplete(ar -> {
        recheckScheduled = false;
        carry(stream.recheck(System.currentTimeMillis()));
        afterStreamInput();
      });
    }
  }

  // ---- membership and timers ----------------------------------------------------------------------

  /** Brings the table in line with the membership service's member list. */
  private void reconcile() {
    if (membership.running()) {
      carryOut(table.membership(membership.members(), System.currentTimeMillis()));
    }
  }

  /** Digest out; membership re-read; silent or stale peers re-synced. */
  private void tick() {
    flush();
    JsonObject digest = ReplicationEnvelope.digest(table.own().digest());
    BusFaults.safely("digest", () -> vertx.eventBus().publish(REPLICATION, digest));
    reconcile();
    // Silence (no delta, no digest) is what a lost subscription looks like; a busy peer still sends: a generous threshold.
    long now = System.currentTimeMillis();
    carryOut(table.tick(now, Math.max(10 * opts.digestIntervalMs(), 10_000)));
    metrics.sample(membership.running() ? membership.members().size() : 0, table.bufferedDeltas(),
        now - askedAt.values().stream().mapToLong(Long::longValue).min().orElse(now));
  }
}
