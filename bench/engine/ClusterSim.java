import com.presencehub.config.HubConfig;
import com.presencehub.node.HubNode;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.protocol.ReplicationEnvelope;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.shard.SessionLink;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The capacity model's simulation (issue 17, docs/capacity.md): many REAL clustered hub nodes in
 * one JVM — each its own clustered Vert.x with its own Hazelcast member on loopback, its own
 * shards, ReplicationVerticle, HTTP server — with users injected cheaply: a SessionLink per user
 * opened straight on its home node's shard (no socket, no JWT), the same call a gateway makes.
 * Transitions are techs' preferred away / online written on their home shard (what presence.set
 * does), so every one travels the real replication path to every peer.
 *
 * <p>For each cluster size N in {@code nodes}: start N nodes one after another (the i-th joiner's
 * start-to-ready time, i full states), inject U users round-robin, wait until every node's view
 * lists all U; heap after a full GC (bytes per user per replica); the largest full-state reply (a
 * node's sync answer, JSON bytes, asked over the bus as a joiner does); R transitions/s for S
 * seconds with a roster watcher on the last node (sent vs delivered), the bus traffic seen by a
 * consumer of the replication address on node 0 (deltas, digests: messages and JSON bytes), the
 * JVM's CPU over the window minus an idle window of the same length; and one more node joining
 * under that load (start to ready). The JVM runs everything, so CPU is cluster-wide: divided by N
 * it is what one node spends.
 *
 * <p>Bench only, never in the test suite. Bounded: 300 s in all (sizes not reached are reported
 * as such). Run (after {@code mvn -q -B -o -Dskip.npm=true -DskipTests package}):
 * <pre>
 *   java -Xmx6g -XX:+UseG1GC -cp target/presence-hub.jar bench/engine/ClusterSim.java [nodes=3,10,20] [users=20000] [rate=500] [seconds=10]
 * </pre>
 */
public class ClusterSim {

  static final long BUDGET_MS = 300_000;
  static final long T0 = System.currentTimeMillis();
  static final String SECRET = "sim-secret-0123456789abcdef0123456789abcdef";

  record Link(UserKey user, Role role) implements SessionLink {
    public void deliver(List<PresenceRecord> updates) { }

    public Future<Boolean> offer(String frame) {
      return Future.succeededFuture(false);
    }
  }

  record Node(HubNode hub, long readyMs) { }

  /** The figures so far; the watchdog writes them when the budget runs out mid-size. */
  static final List<String> LINES = java.util.Collections.synchronizedList(new ArrayList<>());
  static final StringBuilder CURRENT = new StringBuilder();
  static volatile String ARGS = "";

  static synchronized void progress(String s) {
    System.out.println("  [sim +" + (System.currentTimeMillis() - T0) / 1000 + " s] " + s);
    CURRENT.append(' ').append(s);
  }

  static void write() throws Exception {
    IdleStormEngineResults.append("Cluster simulation, real nodes in one JVM (bench/engine/ClusterSim.java " + ARGS + ")",
        new ArrayList<>(LINES));
  }

  static long left() {
    return BUDGET_MS - (System.currentTimeMillis() - T0);
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static Node start(String cluster, int index, int hzBase) throws Exception {
    JsonObject cfg = new JsonObject().put("httpHost", "127.0.0.1").put("httpPort", freePort()).put("jwtSecret", SECRET)
        .put("cluster", true).put("clusterName", cluster).put("clusterHost", "127.0.0.1").put("clusterPort", hzBase + index)
        // TCP-IP join needs one live member: the first node's address (and its own).
        .put("clusterMembers", "127.0.0.1:" + hzBase + ",127.0.0.1:" + (hzBase + index))
        .put("nodeId", "s" + index).put("shards", 1).put("gatewayInstances", 1)
        // Many members in one JVM on 2 shared cores: a GC pause must not look like a dead member.
        .put("clusterFailureTimeoutMs", 20_000).put("clusterSyncTimeoutMs", 60_000)
        .put("idleTimeoutMs", 3_600_000).put("devTokens", false);
    HubConfig config = HubConfig.fromJson(cfg);
    PrometheusMeterRegistry registry = HubNode.newRegistry();
    long t = System.nanoTime();
    HubNode node = HubNode.createClusteredVertx(config, registry).compose(v -> HubNode.start(v, config, registry))
        .await(Math.max(10_000, left()), TimeUnit.MILLISECONDS);
    return new Node(node, (System.nanoTime() - t) / 1_000_000);
  }

  /**
   * The node's shards. HubNode keeps them to itself (node/ is the composition root); the
   * simulation reaches them the way a gateway does, through the ShardDirectory, read by reflection
   * because this bench, unlike the hub's own packages, has no constructor to be handed it.
   */
  static final java.util.Map<HubNode, com.presencehub.shard.ShardDirectory> DIRS = new java.util.concurrent.ConcurrentHashMap<>();

  static com.presencehub.shard.ShardDirectory dir(HubNode n) {
    return DIRS.computeIfAbsent(n, ClusterSim::lookUpDirectory);
  }

  static com.presencehub.shard.ShardDirectory lookUpDirectory(HubNode n) {
    try {
      java.lang.reflect.Field f = HubNode.class.getDeclaredField("directory");
      f.setAccessible(true);
      return (com.presencehub.shard.ShardDirectory) f.get(n);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("HubNode has no 'directory' field any more: update the simulation", e);
    }
  }

  static int present(HubNode n) throws Exception {
    return (int) dir(n).stats().await(60, TimeUnit.SECONDS).present();
  }

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String s : (args.length > 0 ? args[0] : "3,10,20").split(",")) {
      sizes.add(Integer.parseInt(s.trim()));
    }
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    ARGS = String.join(" ", args);
    List<String> lines = LINES;
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(BUDGET_MS + 10_000);
        synchronized (ClusterSim.class) {
          LINES.add("cut by the " + BUDGET_MS / 1000 + " s budget; the size running then got as far as:" + CURRENT);
        }
        LINES.forEach(System.out::println);
        write();
      } catch (Throwable e) {
        e.printStackTrace();
      }
      Runtime.getRuntime().halt(3);
    }, "sim-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    lines.add(String.format("one JVM, %d users (techs, SessionLinks opened on their home shard, no sockets), %d transitions/s "
        + "(preferred away/online) for %d s per size; nodes with 1 shard each, failure timeout 20 s; budget %d s; load avg before %.2f",
        users, rate, seconds, BUDGET_MS / 1000, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    Vertx driver = Vertx.vertx();
    int hzBase = 19400;
    for (int size : sizes) {
      if (left() < 60_000) {
        lines.add("N=" + size + ": not run (time budget spent)");
        continue;
      }
      try {
        synchronized (ClusterSim.class) {
          CURRENT.setLength(0);
          CURRENT.append("N=").append(size).append(':');
        }
        runSize(driver, size, users, rate, seconds, hzBase);
      } catch (Throwable e) {
        lines.add("N=" + size + ": failed: " + e);
        e.printStackTrace();
      }
      hzBase += 100;
    }
    lines.forEach(System.out::println);
    write();
    driver.close().await(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  static String runSize(Vertx driver, int size, int users, int rate, int seconds, int hzBase) throws Exception {
    String cluster = "sim-" + Long.toHexString(System.nanoTime());
    List<Node> nodes = new ArrayList<>();
    StringBuilder out = new StringBuilder("N=" + size + ":");
    try {
      long heap0 = usedHeap();
      for (int i = 0; i < size; i++) {
        nodes.add(start(cluster, i, hzBase));
        progress("s" + i + " ready in " + nodes.get(i).readyMs() + " ms;");
        if (left() < 30_000) {
          throw new IllegalStateException("time budget spent after starting " + (i + 1) + " nodes");
        }
      }
      progress("started " + size + " nodes;");
      long heapNodes = usedHeap();
      out.append(String.format(" started %d nodes (ready after start: first %d ms, last %d ms); %.0f MiB heap per empty node;",
          size, nodes.get(0).readyMs(), nodes.get(size - 1).readyMs(), (heapNodes - heap0) / 1048576.0 / size));

      // ---- inject ----
      List<UserKey> keys = new ArrayList<>(users);
      for (int u = 0; u < users; u++) {
        UserKey k = new UserKey("sim", "t-" + u);
        keys.add(k);
        Link link = new Link(k, Role.TECH);
        dir(nodes.get(u % size).hub()).open(link);
      }
      long injected = System.nanoTime();
      long full = -1;
      while (left() > 20_000) {
        boolean all = true;
        for (Node n : nodes) {
          if (present(n.hub()) < users) {
            all = false;
            break;
          }
        }
        if (all) {
          full = (System.nanoTime() - injected) / 1_000_000;
          break;
        }
        Thread.sleep(200);
      }
      if (full < 0) {
        throw new IllegalStateException("views not complete in time");
      }
      progress("views complete after " + full + " ms;");
      long heapUsers = usedHeap();
      double perReplica = (double) (heapUsers - heapNodes) / ((double) users * size);
      out.append(String.format(" %d users in every view %d ms after injection; heap +%.0f MiB = %.0f B per user per node;",
          users, full, (heapUsers - heapNodes) / 1048576.0, perReplica));

      // ---- full state: the largest sync reply ----
      long largest = 0;
      for (Node n : nodes) {
        JsonObject state = nodes.get(0).hub().vertx().eventBus()
            .<JsonObject>request("presence.repl.sync." + n.hub().nodeId(), new JsonObject().put("from", "sim-probe"))
            .await(60, TimeUnit.SECONDS).body();
        largest = Math.max(largest, state.encode().length());
      }
      out.append(String.format(" largest full state %d B (%d local users: %.0f B per user);", largest, users / size,
          (double) largest / Math.ceil((double) users / size)));
      // Streamed, as hub nodes ask for it since issue 17 (parts of at most 256 KiB, each one
      // acknowledged before the next): the largest event-bus message of a full sync now. The
      // whole-state figure above is what an asker of the earlier version still gets.
      long largestPart = 0;
      int parts = 0;
      for (Node n : nodes) {
        Message<JsonObject> part = nodes.get(0).hub().vertx().eventBus()
            .<JsonObject>request("presence.repl.sync." + n.hub().nodeId(),
                ReplicationEnvelope.syncRequest("sim-probe", 256 * 1024))
            .await(60, TimeUnit.SECONDS);
        while (true) {
          parts++;
          largestPart = Math.max(largestPart, part.body().encode().length());
          ReplicationEnvelope.Chunk c = ReplicationEnvelope.chunk(part.body());
          if (c == null || c.last()) {
            break;
          }
          part = part.<JsonObject>replyAndRequest(ReplicationEnvelope.ack(c.index())).await(60, TimeUnit.SECONDS);
        }
      }
      out.append(String.format(" streamed: largest part %d B (%d parts over %d nodes);", largestPart, parts, size));

      progress(String.format("heap %.0f B per user per node; largest full state %d B;", perReplica, largest));
      // ---- the bus as node 0 sees it, a watcher on the last node ----
      AtomicLong deltas = new AtomicLong(), deltaBytes = new AtomicLong(), digests = new AtomicLong(), digestBytes = new AtomicLong();
      nodes.get(0).hub().vertx().eventBus().<JsonObject>consumer("presence.repl", m -> {
        int bytes = m.body().encode().length();
        if ("g".equals(m.body().getString("t"))) {
          digests.incrementAndGet();
          digestBytes.addAndGet(bytes);
        } else {
          deltas.incrementAndGet();
          deltaBytes.addAndGet(bytes);
        }
      }).completion().await(30, TimeUnit.SECONDS);
      // Every message delivered on node 0, by address (body as JSON text): what a transition costs
      // on the bus besides the replication deltas (presence.changes, delivery, Hazelcast-free).
      java.util.concurrent.ConcurrentHashMap<String, long[]> byAddress = new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean();
      nodes.get(0).hub().vertx().eventBus().addInboundInterceptor(ctx -> {
        if (counting.get()) {
          Object b = ctx.message().body();
          int bytes = b instanceof JsonObject j ? j.encode().length() : String.valueOf(b).length();
          long[] c = byAddress.computeIfAbsent(ctx.message().address().replaceAll("\\.[0-9a-f-]{8,}.*$", ".*"), a -> new long[2]);
          synchronized (c) {
            c[0]++;
            c[1] += bytes;
          }
        }
        ctx.next();
      });
      AtomicLong seen = new AtomicLong();
      SessionLink watcher = new SessionLink() {
        final UserKey me = new UserKey("sim", "watcher");
        public UserKey user() { return me; }
        public Role role() { return Role.TECH; }
        public Future<Boolean> offer(String frame) { return Future.succeededFuture(false); }
        public void deliver(List<PresenceRecord> updates) {
          for (PresenceRecord r : updates) {
            if (r.user().startsWith("t-") && (r.status() == Status.AWAY || r.status() == Status.ONLINE)) {
              seen.incrementAndGet();
            }
          }
        }
      };
      HubNode last = nodes.get(size - 1).hub();
      dir(last).subscribeRoster(watcher, Role.TECH).await(30, TimeUnit.SECONDS);
      Thread.sleep(2_000);
      long idleCpu0 = cpuNanos(), idleT0 = System.nanoTime(), g0 = digests.get(), gb0 = digestBytes.get();
      Thread.sleep(seconds * 1000L);
      double idleCpuPerS = (cpuNanos() - idleCpu0) / ((System.nanoTime() - idleT0) / 1e9);
      double digestBytesPerS = (digestBytes.get() - gb0) / ((System.nanoTime() - idleT0) / 1e9);
      long digestMsgs = digests.get() - g0;

      // ---- transitions: R/s preferred away/online toggles on the users' home shards ----
      boolean[] away = new boolean[users];
      long sentBefore = seen.get();
      AtomicLong sent = new AtomicLong();
      int perTick = Math.max(1, rate / 100);
      long d0 = deltas.get(), db0 = deltaBytes.get(), cpu0 = cpuNanos(), t0 = System.nanoTime();
      counting.set(true);
      long[] next = {0};
      long timer = driver.setPeriodic(10, t -> {
        for (int j = 0; j < perTick; j++) {
          int u = (int) (next[0]++ % users);
          UserKey k = keys.get(u);
          boolean a = away[u] = !away[u];
          if (a) {
            dir(nodes.get(u % size).hub()).preferAway(k, UserPresence.NEVER);
          } else {
            dir(nodes.get(u % size).hub()).clearPreferredAway(k);
          }
          sent.incrementAndGet();
        }
      });
      Thread.sleep(seconds * 1000L);
      double window = (System.nanoTime() - t0) / 1e9;
      double cpuPerS = (cpuNanos() - cpu0) / window;
      long deltaMsgs = deltas.get() - d0, deltaB = deltaBytes.get() - db0;
      long issuedInWindow = sent.get();
      counting.set(false);
      StringBuilder addrs = new StringBuilder();
      byAddress.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(6)
          .forEach(e -> addrs.append(String.format(" %s %.2f msg / %.0f B per transition,", e.getKey(),
              (double) e.getValue()[0] / Math.max(1, issuedInWindow), (double) e.getValue()[1] / Math.max(1, issuedInWindow))));
      // One more node joins under this load (outside the measured window: its start costs CPU too).
      Node joiner = start(cluster, size, hzBase);
      nodes.add(joiner);
      Thread.sleep(2_000);
      driver.cancelTimer(timer);
      progress(String.format("window done: %.0f µs per transition cluster-wide;",
          ((cpuPerS - idleCpuPerS) / 1000.0) / (issuedInWindow / window)));
      long issued = sent.get();
      long drainBy = System.currentTimeMillis() + 20_000;
      while (seen.get() - sentBefore < issued && System.currentTimeMillis() < drainBy) {
        Thread.sleep(100);
      }
      long delivered = seen.get() - sentBefore;
      boolean joinerComplete = present(joiner.hub()) >= users;
      double perTransitionCpuUs = (cpuPerS - idleCpuPerS) / 1000.0 / (issuedInWindow / window);
      out.append(String.format(" idle (digests only): JVM CPU %.1f%% of a core, %d digests in %d s, %.0f B/s of digests "
              + "published by all nodes (each to %d peers);",
          idleCpuPerS / 1e7, digestMsgs, seconds, digestBytesPerS, size - 1));
      out.append(String.format(" at %.0f transitions/s: %d non-digest messages for %d transitions (%.2f transitions per message), %.0f B per transition"
              + " (JSON, each sent to %d peers → %.0f B on the bus per transition), JVM CPU %.1f%% of a core → %.0f µs per transition"
              + " cluster-wide = %.1f µs per node per transition;",
          issuedInWindow / window, deltaMsgs, issuedInWindow, (double) issuedInWindow / Math.max(1, deltaMsgs),
          (double) deltaB / Math.max(1, issuedInWindow), size - 1, (double) deltaB / Math.max(1, issuedInWindow) * (size - 1),
          cpuPerS / 1e7, perTransitionCpuUs,
          perTransitionCpuUs / size));
      out.append(" delivered on node 0 during the window, by address:").append(addrs).append(';');
      out.append(String.format(" watcher on the last node: %d sent, %d delivered (lost %d);", issued, delivered,
          Math.max(0, issued - delivered)));
      out.append(String.format(" node %d joined under this load (after the window): ready %d ms after start, view complete: %s.", size + 1,
          joiner.readyMs(), joinerComplete));
      System.out.println(out);
      // Recorded before the nodes close: closing many loaded members can take longer than the budget.
      LINES.add(out.toString());
      return out.toString();
    } finally {
      List<Future<Void>> closing = new ArrayList<>();
      for (Node n : nodes) {
        closing.add(n.hub().vertx().close());
      }
      try {
        Future.join(closing).await(60, TimeUnit.SECONDS);
      } catch (Throwable e) {
        System.out.println("close: " + e);
      }
    }
  }

  /** The results block, as the other engines write it. */
  static final class IdleStormEngineResults {
    static void append(String scenario, List<String> lines) throws Exception {
      java.nio.file.Path file = java.nio.file.Path.of("bench", "RESULTS.md");
      String commit = "unknown";
      try {
        Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
        commit = new String(p.getInputStream().readAllBytes()).trim();
      } catch (Exception notACheckout) {
        // not a checkout
      }
      StringBuilder b = new StringBuilder();
      b.append("\n## ").append(scenario).append(" — ").append(java.time.Instant.now()).append("\n\n");
      b.append("- commit ").append(commit).append("; nproc ").append(Runtime.getRuntime().availableProcessors())
          .append("; java ").append(System.getProperty("java.version")).append("\n");
      b.append("- JVM flags: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append("\n");
      for (String l : lines) {
        b.append("- ").append(l).append("\n");
      }
      java.nio.file.Files.writeString(file, b.toString(), java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
  }
}
