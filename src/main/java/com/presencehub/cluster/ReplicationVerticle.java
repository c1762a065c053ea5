package com.presencehub.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.presencehub.config.HubConfig;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PublishMark;
import com.presencehub.protocol.ReplicationEnvelope;
import com.presencehub.presence.UserKey;
import com.presencehub.shard.ReplicationSink;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keeps this node's view of the whole cluster (PROTOCOL.md §6) and tells the others about this
 * node's own sessions.
 *
 * <ul>
 *   <li>Out: the shards hand over their users' local shares; they leave as one numbered delta per
 *       burst on {@code presence.repl}, which every hub node hears. This node is their only writer.
 *   <li>In: a peer's deltas are applied in sequence; a gap, or a peer never synced, triggers a
 *       request for that peer's full state on its own address. Deltas arriving meanwhile wait.
 *   <li>Repair: every node publishes a digest (sequence, count, fingerprint) periodically. The
 *       event bus is at-most-once and subscriptions can be lost across partition merges, so
 *       digests (and their absence) are what catch a lost delta, not the subscription table.
 *   <li>Membership comes from Hazelcast itself (vertx-hazelcast's single node-listener slot
 *       belongs to Vert.x HA); callbacks hop onto this loop. A removed node's users linger for
 *       the grace, then are dropped; a restarted node (same name, later epoch) replaces its past
 *       at once.
 *   <li>{@code presence.changes}: every transition of this node's view goes to a {@link
 *       ChangeStream}, which decides whether this node speaks for the cluster and keeps the
 *       cluster's published state (its marks travel in this node's deltas and full states). This
 *       verticle only carries out what it returns: marks out with the next delta, then events.
 * </ul>
 */
public final class ReplicationVerticle extends VerticleBase implements ReplicationSink {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationVerticle.class);
  static final String REPLICATION = "presence.repl";


  static String syncAddress(String node) {
    return "presence.repl.sync." + node;
  }

  private final HubConfig cfg;
  private final ShardDirectory directory;
  private final HazelcastInstance hz;
  private final String self;
  private final ChangePublisher publisher;
  private final Promise<Void> wholeView = Promise.promise();
  /** Created at start, once this node's name is known. */
  private ChangeStream stream;
  /** Transitions handed over before this verticle started (none in practice: no session yet). */
  private final ConcurrentLinkedQueue<PresenceRecord> early = new ConcurrentLinkedQueue<>();
  private final List<PublishMark> pendingMarks = new ArrayList<>();
  private boolean recheckScheduled;
  private boolean wasSpeaking;
  private boolean wasPaused;
  private List<String> lastNames = List.of();
  private long pauseTimer = -1;

  private volatile ContextInternal ctx;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private UUID membershipListener;
  private UUID lifecycleListener;
  private long digestTimer = -1;

  // ---- this node's own shares ----
  private final Map<UserKey, Contribution> local = new HashMap<>();
  private long localFingerprint;
  private long seq;
  private final List<Contribution> pending = new ArrayList<>();
  private final List<Preference> pendingPreferences = new ArrayList<>();
  private boolean flushScheduled;

  // ---- cluster-wide preferences (latest write wins) ----
  private final Map<UserKey, Preference> preferences = new HashMap<>();
  private long preferenceFingerprint;

  // ---- the others ----
  private final Map<String, Peer> peers = new HashMap<>();
  /** Peers whose first full state this node still waits for before it is ready. */
  private Set<String> awaitingFirstSync;

  public ReplicationVerticle(HubConfig cfg, ShardDirectory directory, HazelcastInstance hz, String self,
      ChangePublisher publisher) {
    this.cfg = cfg;
    this.directory = directory;
    this.hz = hz;
    this.self = self;
    this.publisher = publisher;
    publisher.route(this::transition);
  }

  /** Completes once this node holds every other node's full state (readiness, §6). */
  public Future<Void> wholeView() {
    return wholeView.future();
  }

  @Override
  public Future<?> start() {
    String name = hz.getCluster().getLocalMember().getAttribute(ClusterSetup.NODE_ATTRIBUTE);
    // A pause longer than half the failure timeout may have cost this node its membership; the
    // view settles once Hazelcast had the time to notice (failure timeout) and a digest round.
    stream = new ChangeStream(name, Math.max(1_000, cfg.clusterFailureTimeoutMs() / 2),
        cfg.clusterFailureTimeoutMs() + Math.max(2_000, 2 * cfg.clusterDigestIntervalMs()), cfg.offlineRetentionMs());
    ctx = (ContextInternal) context;
    context.exceptionHandler(ReplicationVerticle::uncaught);
    // The double completion is reported on the event bus's own context, not this one: Vert.x falls
    // back to the instance-wide handler there. Installed only where the node set none.
    if (vertx.exceptionHandler() == null) {
      vertx.exceptionHandler(ReplicationVerticle::uncaught);
    }
    var bus = vertx.eventBus();
    consumers.add(bus.<JsonObject>consumer(REPLICATION, m -> onReplication(m.body())));
    consumers.add(bus.<JsonObject>consumer(syncAddress(self), this::onSyncRequest));
    membershipListener = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        ctx.runOnContext(v -> reconcile());
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        ctx.runOnContext(v -> reconcile());
      }
    });
    lifecycleListener = hz.getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
        // After a split heals, nothing received during the split can be trusted to be whole.
        ctx.runOnContext(v -> {
          LOG.info("cluster merged: re-syncing every peer");
          peers.values().forEach(p -> p.stale = true);
          reconcile();
        });
      }
    });
    digestTimer = vertx.setPeriodic(cfg.clusterDigestIntervalMs(), t -> tick());
    // The pause detector's clock: a gap between two of these is a frozen process.
    pauseTimer = vertx.setPeriodic(200, t -> {
      stream.tick(System.currentTimeMillis());
      afterStreamInput();
    });
    for (PresenceRecord r; (r = early.poll()) != null; ) {
      carry(stream.transition(r, System.currentTimeMillis()));
    }
    List<Future<Void>> registered = new ArrayList<>();
    for (MessageConsumer<?> c : consumers) {
      registered.add(c.completion());
    }
    return Future.all(registered).onSuccess(v -> reconcile());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(digestTimer);
    vertx.cancelTimer(pauseTimer);
    stream.stop();
    publisher.speaking(false);
    hz.getCluster().removeMembershipListener(membershipListener);
    hz.getLifecycleService().removeLifecycleListener(lifecycleListener);
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
      for (Contribution c : contributions) {
        Contribution old = c.present() ? local.put(c.user(), c) : local.remove(c.user());
        if (old != null) {
          localFingerprint -= old.fingerprint();
        }
        if (c.present()) {
          localFingerprint += c.fingerprint();
        }
      }
      pending.addAll(contributions);
      for (Preference p : prefs) {
        keepPreference(p);
      }
      pendingPreferences.addAll(prefs);
      if (!flushScheduled) {
        flushScheduled = true;
        ctx.runOnContext(v -> flush());
      }
    });
  }

  /** One numbered delta for everything the shards handed over in this burst. */
  private void flush() {
    flushScheduled = false;
    if (pending.isEmpty() && pendingPreferences.isEmpty() && pendingMarks.isEmpty()) {
      return;
    }
    seq++;
    JsonObject delta = new JsonObject().put("t", "d").put("o", self).put("s", seq)
        .put("c", ReplicationEnvelope.contributions(pending)).put("p", ReplicationEnvelope.preferences(pendingPreferences));
    if (!pendingMarks.isEmpty()) {
      delta.put("w", ReplicationEnvelope.marks(pendingMarks));
      pendingMarks.clear();
    }
    pending.clear();
    pendingPreferences.clear();
    busSafely("delta " + seq, () -> vertx.eventBus().publish(REPLICATION, delta));
  }

  private void onSyncRequest(Message<JsonObject> m) {
    flush();
    JsonObject state = new JsonObject().put("o", self).put("s", seq)
        .put("c", ReplicationEnvelope.contributions(local.values())).put("p", ReplicationEnvelope.preferences(preferences.values()))
        .put("w", ReplicationEnvelope.marks(stream.ledger()));
    busSafely("full state", () -> m.reply(state));
  }

  /**
   * This loop's handler for what escapes a task. Vert.x 5.0.10's clustered event bus completes a
   * write's promise twice when a peer's connection closes under the write ({@code
   * OutboundConnection.writeMessage} → {@code onComplete(writePromise)} on a promise already
   * failed), and reports the {@code IllegalStateException: Promise already completed} from inside
   * its own listener, where no caller can catch it. It happens after a pause or a merge, writing to
   * a departed member; the write is lost either way, which sequence numbers and digests repair. Any
   * other throwable is logged as the error it is.
   */
  static void uncaught(Throwable e) {
    if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("Promise already completed")) {
      LOG.debug("a clustered event-bus write to a departed peer failed twice (handled): " + e);
      return;
    }
    LOG.error("Unhandled exception", e);
  }

  /**
   * Runs an event-bus write, handling the {@code IllegalStateException: Promise already completed}
   * that Vert.x 5.0's clustered event bus can throw synchronously when a peer's connection closed
   * under the write (seen after a pause, writing to departed members). A lost delta or digest is
   * what sequence numbers and digests repair; nothing else is to be done here.
   */
  private static void busSafely(String what, Runnable write) {
    try {
      write.run();
    } catch (IllegalStateException e) {
      LOG.debug(what + " not sent: " + e);
    }
  }

  // ---- in: the others' shares ---------------------------------------------------------------------

  private void onReplication(JsonObject m) {
    String origin = m.getString("o");
    if (origin == null || origin.equals(self)) {
      return;
    }
    Peer p = peers.get(origin);
    if (p == null) {
      reconcile();
      p = peers.get(origin);
    }
    if (p == null || !p.alive) {
      return;
    }
    p.lastHeard = System.currentTimeMillis();
    try {
      if ("g".equals(m.getString("t"))) {
        onDigest(p, m);
      } else {
        onDelta(p, m);
      }
    } catch (RuntimeException e) {
      LOG.warn("bad replication message from " + p + ": " + e + "; re-syncing");
      sync(p);
    }
  }

  private void onDelta(Peer p, JsonObject m) {
    long s = m.getLong("s");
    long expected = p.order.seq() + 1;
    switch (p.order.offer(s, m)) {
      case STALE -> { }
      case APPLY -> applyDelta(p, m);
      case WAIT -> {
        // A gap (or no full state yet to apply it to): wait for the peer's full state. Its publish
        // marks need no order (latest stamp wins): kept at once, so that they survive if the full
        // state never comes (the publisher froze or died behind the gap).
        stream.marks(ReplicationEnvelope.marks(m.getJsonArray("w")), System.currentTimeMillis());
        if (!p.syncing) {
          if (expected > 0) {
            LOG.info("gap from " + p + ": expected " + expected + ", got " + s + "; asking for its full state");
          }
          sync(p);
        }
      }
    }
  }

  private void applyDelta(Peer p, JsonObject m) {
    // Marks before contributions: a transition the contributions cause here must meet the ledger
    // that already shows it (published by the sender).
    stream.marks(ReplicationEnvelope.marks(m.getJsonArray("w")), System.currentTimeMillis());
    List<Contribution> changed = new ArrayList<>();
    for (Contribution c : ReplicationEnvelope.contributions(m.getJsonArray("c"))) {
      if (p.put(c)) {
        changed.add(c);
      }
    }
    forward(p.id, changed);
    applyPreferences(ReplicationEnvelope.preferences(m.getJsonArray("p")));
    afterStreamInput();
  }

  private void onDigest(Peer p, JsonObject m) {
    stream.peerPaused(p.name, m.getBoolean("q", false), System.currentTimeMillis());
    afterStreamInput();
    if (p.syncing) {
      return;
    }
    long s = m.getLong("s");
    if (s > p.order.seq() || (s == p.order.seq() && m.getLong("h") != p.fingerprint)) {
      sync(p);
      return;
    }
    // Preferences are everyone's: a difference may just be a write in flight, so only a
    // difference seen twice in a row is repaired.
    if (m.getLong("ph") != preferenceFingerprint) {
      if (++p.preferenceMismatches >= 2) {
        p.preferenceMismatches = 0;
        sync(p);
      }
    } else {
      p.preferenceMismatches = 0;
    }
  }

  /** Asks {@code p} for its full state; deltas that arrive meanwhile wait in order. */
  private void sync(Peer p) {
    if (p.syncing || !p.alive) {
      return;
    }
    p.syncing = true;
    Future<Message<JsonObject>> reply;
    try {
      reply = vertx.eventBus().request(syncAddress(p.id), new JsonObject().put("from", self),
          new DeliveryOptions().setSendTimeout(cfg.clusterSyncTimeoutMs()));
    } catch (IllegalStateException e) {
      // Vert.x 5.0's clustered event bus can throw "Promise already completed" from a write to a
      // peer whose connection just closed (a departed or frozen member). Not sent: retried at the
      // next tick like any failed request, instead of leaving this peer "syncing" for good.
      LOG.debug("full state of " + p + " not requested: " + e);
      p.syncing = false;
      p.stale = true;
      return;
    }
    reply.onComplete(ar -> {
          p.syncing = false;
          if (!p.alive || peers.get(p.id) != p) {
            p.order.dropWaiting();
            return;
          }
          if (ar.failed()) {
            // Not there yet (still starting), unreachable or overloaded: the next tick retries;
            // the deltas that wait are kept for the full state that will come.
            LOG.debug("full state of " + p + " not received: " + ar.cause().getMessage());
            p.stale = true;
            return;
          }
          applySnapshot(p, ar.result().body());
        });
  }

  private void applySnapshot(Peer p, JsonObject snap) {
    long snapSeq = snap.getLong("s");
    applyPreferences(ReplicationEnvelope.preferences(snap.getJsonArray("p")));
    // The ledger it holds (cluster state, merged by latest stamp), before the contributions.
    stream.marks(ReplicationEnvelope.marks(snap.getJsonArray("w")), System.currentTimeMillis());
    // Deltas applied while the full state travelled may already be past it: then it is older
    // than what is held and its shares are not applied (a disagreement left shows in the next
    // digest, which asks again).
    if (p.order.fullState(snapSeq)) {
      Map<UserKey, Contribution> fresh = new HashMap<>();
      for (Contribution c : ReplicationEnvelope.contributions(snap.getJsonArray("c"))) {
        fresh.put(c.user(), c);
      }
      List<Contribution> changed = new ArrayList<>();
      for (Contribution old : new ArrayList<>(p.held.values())) {
        if (!fresh.containsKey(old.user())) {
          Contribution gone = Contribution.gone(old.user(), old.role());
          p.put(gone);
          changed.add(gone);
        }
      }
      for (Contribution c : fresh.values()) {
        if (p.put(c)) {
          changed.add(c);
        }
      }
      forward(p.id, changed);
    }
    p.stale = false;
    replay(p);
    if (awaitingFirstSync != null && awaitingFirstSync.remove(p.id)) {
      checkWhole();
    }
    stream.synced(p.name, System.currentTimeMillis());
    afterStreamInput();
  }

  /** Applies the deltas that waited for a full state, in order, up to the next gap if any. */
  private void replay(Peer p) {
    for (JsonObject d : p.order.ready()) {
      applyDelta(p, d);
    }
    if (p.order.waiting() > 0) {
      sync(p);
    }
  }

  private void applyPreferences(List<Preference> prefs) {
    if (prefs.isEmpty()) {
      return;
    }
    List<Preference> kept = new ArrayList<>(prefs.size());
    for (Preference pref : prefs) {
      if (keepPreference(pref)) {
        kept.add(pref);
      }
    }
    directory.applyPreferences(kept);
  }

  /** Latest write wins, here as in the shards; returns whether {@code p} was newer. */
  private boolean keepPreference(Preference p) {
    Preference old = preferences.get(p.user());
    if (old != null && !p.newerThan(old)) {
      return false;
    }
    preferences.put(p.user(), p);
    if (old != null) {
      preferenceFingerprint -= old.fingerprint();
    }
    preferenceFingerprint += p.fingerprint();
    return true;
  }

  /** Hands changed shares of {@code node} to the shards that own the users. */
  private void forward(String node, List<Contribution> changed) {
    if (changed.isEmpty()) {
      return;
    }
    directory.applyRemote(node, changed);
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
      carry(stream.transition(r, System.currentTimeMillis()));
      afterStreamInput();
    });
  }

  /**
   * The events, then their marks in a delta, in the same turn of this loop: a node taking over
   * knows what was published. Events first: a crash between the two writes can then cost a
   * duplicate at worst, never an event the ledger claims but no listener received.
   */
  private void carry(ChangeStream.Outcome o) {
    if (o.isEmpty()) {
      return;
    }
    pendingMarks.addAll(o.marks());
    for (PresenceRecord r : o.publish()) {
      try {
        publisher.send(r);
      } catch (IllegalStateException e) {
        // See busSafely: the write to one listener's node failed under us; the listeners on the
        // nodes after it in Vert.x's fan-out may have missed this event.
        LOG.warn("presence.changes event for " + r.tenant() + "/" + r.user() + " may not have reached every listener: " + e);
      }
    }
    flush();
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
        // Nothing held of the peers can be trusted after a pause: ask each for its full state.
        peers.values().forEach(pp -> pp.stale = true);
        // Changes published elsewhere while this process was frozen may never have reached it.
        busSafely("gap", () -> vertx.eventBus().publish(ChangePublisher.GAP_ADDRESS, new JsonObject()));
      }
    }
    if (stream.needsRecheck() && !recheckScheduled) {
      recheckScheduled = true;
      // A round trip through every shard first: what the replication messages before this point
      // brought must be in the view before it is compared with the ledger.
      directory.barrier().onComplete(ar -> {
        recheckScheduled = false;
        carry(stream.recheck(System.currentTimeMillis()));
        afterStreamInput();
      });
    }
  }

  // ---- membership -------------------------------------------------------------------------------

  private record HubMember(String id, String name, long epoch) { }

  /** Hub members, oldest first (Hazelcast keeps its member list in join order on every member). */
  private List<HubMember> hubMembers() {
    List<HubMember> out = new ArrayList<>();
    for (Member m : hz.getCluster().getMembers()) {
      String name = m.getAttribute(ClusterSetup.NODE_ATTRIBUTE);
      String id = m.getAttribute(ClusterSetup.VERTX_NODE_ATTRIBUTE);
      String epoch = m.getAttribute(ClusterSetup.EPOCH_ATTRIBUTE);
      if (name != null && id != null && epoch != null) {
        out.add(new HubMember(id, name, Long.parseLong(epoch)));
      }
    }
    return out;
  }

  /** Brings peers, lingering and the publisher role in line with Hazelcast's member list. */
  private void reconcile() {
    if (!hz.getLifecycleService().isRunning()) {
      return;
    }
    List<HubMember> members = hubMembers();
    long now = System.currentTimeMillis();
    Set<String> live = new HashSet<>();
    for (HubMember m : members) {
      live.add(m.id());
    }
    for (HubMember m : members) {
      // A node that restarted (same name, later epoch) replaces its past at once: the old
      // incarnation's sessions died with it, no need to wait for failure detection.
      for (Peer old : new ArrayList<>(peers.values())) {
        if (old.name.equals(m.name()) && old.epoch < m.epoch() && !old.id.equals(m.id())) {
          LOG.info(old + " restarted as epoch " + m.epoch() + ": dropping its old sessions now");
          drop(old);
        }
      }
      if (m.id().equals(self)) {
        continue;
      }
      Peer p = peers.get(m.id());
      if (p == null) {
        p = new Peer(m.id(), m.name(), m.epoch(), now);
        peers.put(p.id, p);
        if (awaitingFirstSync != null) {
          awaitingFirstSync.add(p.id);
        }
        sync(p);
      } else if (!p.alive) {
        LOG.info(p + " is back: cancelling its grace, re-syncing");
        p.alive = true;
        p.lastHeard = now;
        if (p.dropTimer != -1) {
          vertx.cancelTimer(p.dropTimer);
          p.dropTimer = -1;
        }
        p.stale = true;
        sync(p);
      }
    }
    for (Peer p : new ArrayList<>(peers.values())) {
      if (p.alive && !live.contains(p.id)) {
        orphan(p);
      }
    }
    if (awaitingFirstSync == null) {
      // The first look at the cluster: ready once each node seen now has sent its full state.
      awaitingFirstSync = new HashSet<>();
      for (Peer p : peers.values()) {
        if (p.stale) {
          awaitingFirstSync.add(p.id);
        }
      }
    }
    awaitingFirstSync.retainAll(live);
    checkWhole();
    List<String> names = currentNames(members);
    if (!new HashSet<>(names).equals(new HashSet<>(lastNames))) {
      // Another membership: every peer's ledger is needed before this node may start to speak
      // (ChangeStream), so every peer is asked for its full state.
      lastNames = names;
      for (Peer p : peers.values()) {
        if (p.alive) {
          p.stale = true;
          sync(p);
        }
      }
    }
    stream.membership(names, now);
    afterStreamInput();
  }

  /** Hub members' names oldest first, an incarnation superseded by a later boot of its name left out. */
  private static List<String> currentNames(List<HubMember> members) {
    Map<String, Long> latest = new HashMap<>();
    for (HubMember m : members) {
      latest.merge(m.name(), m.epoch(), Math::max);
    }
    List<String> out = new ArrayList<>();
    for (HubMember m : members) {
      if (latest.get(m.name()) == m.epoch() && !out.contains(m.name())) {
        out.add(m.name());
      }
    }
    return out;
  }

  /** Hazelcast removed {@code p}: its users keep their presence for the grace, then lose it. */
  private void orphan(Peer p) {
    LOG.info(p + " left the cluster: its users linger for " + cfg.offlineGraceMs() + " ms");
    p.alive = false;
    p.syncing = false;
    p.order.dropWaiting();
    List<Contribution> changed = new ArrayList<>();
    for (Contribution c : new ArrayList<>(p.held.values())) {
      if (c.sessions() > 0) {
        Contribution lingering = new Contribution(c.user(), c.role(), 0, true, c.active(), c.lastActiveAt());
        p.put(lingering);
        changed.add(lingering);
      }
    }
    forward(p.id, changed);
    p.dropTimer = vertx.setTimer(Math.max(1, cfg.offlineGraceMs()), t -> {
      p.dropTimer = -1;
      if (!p.alive) {
        drop(p);
      }
    });
  }

  /** Forgets every share of {@code p} now. */
  private void drop(Peer p) {
    if (p.dropTimer != -1) {
      vertx.cancelTimer(p.dropTimer);
      p.dropTimer = -1;
    }
    p.alive = false;
    peers.remove(p.id);
    List<Contribution> gone = new ArrayList<>(p.held.size());
    for (Iterator<Contribution> it = p.held.values().iterator(); it.hasNext(); ) {
      Contribution c = it.next();
      gone.add(Contribution.gone(c.user(), c.role()));
      it.remove();
    }
    forward(p.id, gone);
    if (awaitingFirstSync != null && awaitingFirstSync.remove(p.id)) {
      checkWhole();
    }
  }

  private void checkWhole() {
    if (awaitingFirstSync != null && awaitingFirstSync.isEmpty() && !wholeView.future().isComplete()) {
      LOG.info("holding the whole view (" + peers.size() + " other nodes)");
      wholeView.tryComplete();
      stream.ready(System.currentTimeMillis());
    }
  }

  /** Digest out; membership re-read; silent or stale peers re-synced. */
  private void tick() {
    flush();
    JsonObject digest = new JsonObject().put("t", "g").put("o", self).put("s", seq)
        .put("n", local.size()).put("h", localFingerprint).put("ph", preferenceFingerprint)
        .put("q", stream.paused());
    busSafely("digest", () -> vertx.eventBus().publish(REPLICATION, digest));
    reconcile();
    long now = System.currentTimeMillis();
    for (Peer p : peers.values()) {
      // Silence (no delta, no digest) is what a lost subscription looks like; a peer that is only
      // busy still sends, so the threshold is generous.
      boolean silent = now - p.lastHeard > Math.max(10 * cfg.clusterDigestIntervalMs(), 10_000);
      if (p.alive && !p.syncing && (p.stale || silent)) {
        if (silent) {
          p.lastHeard = now;
        }
        sync(p);
      }
    }
  }
}
