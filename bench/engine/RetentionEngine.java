// Scenario 6 (offline retention, engine only; issue 10 §4, PROTOCOL.md §2 Retention): N distinct
// users pass through one node's real shards (ShardVerticle on real event loops, the code a node
// runs): each opens a session, is active, and leaves (half with bye, half abruptly, so through the
// grace), never to return. A roster watcher per tenant sees every one. With a short offlineRetentionMs the
// heap after a full GC must stay flat: measured at the start, every `checkpoint` users, and at the
// end once the last retention has run out.
//
//   java -Xmx512m -XX:+UseG1GC -cp target/presence-hub.jar bench/engine/RetentionEngine.java \
//       [users=1000000] [retentionMs=2000] [idleMs=1000] [shards=nproc]
//
// idleMs matters: the idle wheel keeps a user's state until its idle deadline (lazily, no
// cancel), so what one node holds is the users seen within max(idleTimeoutMs, offlineGraceMs +
// offlineRetentionMs). With the defaults (5 min idle, 24 h retention) the retention dominates.
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.shard.ShardStats;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.ShardDirectory;
import com.presencehub.shard.ShardObserver;
import com.presencehub.shard.ShardVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

public class RetentionEngine {

  record Link(UserKey user, Role role) implements SessionLink {
    public void deliver(List<PresenceRecord> updates) { }

    public Future<Boolean> offer(String frame) {
      return Future.succeededFuture(false);
    }
  }

  static long heapAfterFullGc() throws InterruptedException {
    // Two full collections (System.gc() is a full, stop-the-world one with G1 unless told
    // otherwise) so that what the first one only unlinked is gone too.
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  static long sum(ShardDirectory dir, Function<ShardStats, Long> op) {
    return op.apply(dir.stats().await());
  }

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long retentionMs = args.length > 1 ? Long.parseLong(args[1]) : 2_000;
    long idleMs = args.length > 2 ? Long.parseLong(args[2]) : 1_000;
    int shards = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
    int tenants = 100;
    long graceMs = 200;
    long sweepMs = 200;
    int batch = 5_000;
    int checkpoint = Math.max(batch, users / 4 / batch * batch);
    Vertx vertx = Vertx.vertx();
    ShardDirectory dir = new ShardDirectory(shards);
    PresenceTimings timings = new PresenceTimings(idleMs, graceMs, retentionMs, 32);
    List<Future<String>> deployed = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      deployed.add(vertx.deployVerticle(new ShardVerticle(dir, i, timings, sweepMs, ShardObserver.NONE)));
    }
    Future.all(deployed).await();

    AtomicLong heard = new AtomicLong();
    for (int t = 0; t < tenants; t++) {
      String tenant = "t" + t;
      SessionLink watcher = new SessionLink() {
        final UserKey me = new UserKey(tenant, "watcher");
        public UserKey user() { return me; }
        public Role role() { return Role.TECH; }
        public void deliver(List<PresenceRecord> updates) { heard.addAndGet(updates.size()); }
        public Future<Boolean> offer(String frame) { return Future.succeededFuture(false); }
      };
      dir.subscribeRoster(watcher, Role.CLIENT).await();
      dir.subscribeRoster(watcher, Role.TECH).await();
    }

    List<String> lines = new ArrayList<>();
    long start = heapAfterFullGc();
    String first = "start (shards deployed, watchers subscribed, no user): heap after full GC " + mib(start);
    System.out.println(first);
    lines.add(first);

    long t0 = System.currentTimeMillis();
    for (int i = 0; i < users; i += batch) {
      int end = Math.min(users, i + batch);
      for (int u = i; u < end; u++) {
        Link l = new Link(new UserKey("t" + (u % tenants), "user-" + u), u % 10 == 0 ? Role.TECH : Role.CLIENT);
        boolean bye = u % 2 == 0;
        // Three hops in a row to the user's shard: they run there in this order.
        dir.open(l);
        dir.activity(l, System.currentTimeMillis());
        dir.close(l, bye);
      }
      // A barrier per batch: the shards' queues never hold more than one batch.
      dir.barrier().await();
      if (end % checkpoint == 0 && end < users) {
        long held = sum(dir, ShardStats::users);
        String line = String.format("after %,d users (%.1f s): %,d records held (those of the last ~%d ms), heap after full GC %s",
            end, (System.currentTimeMillis() - t0) / 1000.0, held, Math.max(idleMs, retentionMs + graceMs), mib(heapAfterFullGc()));
        System.out.println(line);
        lines.add(line);
      }
    }
    long passed = System.currentTimeMillis() - t0;
    long heldAtEnd = sum(dir, ShardStats::users);
    String pass = String.format("%,d distinct users passed in %.1f s (%,.0f users/s; open + activity + close, half with bye, half through the %d ms grace); %,d records held right after",
        users, passed / 1000.0, users * 1000.0 / passed, graceMs, heldAtEnd);
    System.out.println(pass);
    lines.add(pass);

    // Let the last grace and retention run out (at most two retention slots late), then look.
    long deadline = System.currentTimeMillis() + graceMs + retentionMs + 3 * Math.max(sweepMs, retentionMs / 1024) + 60_000;
    long held;
    while ((held = sum(dir, ShardStats::users)) > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    long forgotten = sum(dir, ShardStats::forgotten);
    long wheel = sum(dir, ShardStats::retentionWheel);
    long listed = sum(dir, ShardStats::present);
    long endHeap = heapAfterFullGc();
    String last = String.format("end (every retention run out): %,d records held, %,d forgotten, retention wheel %,d, roster index %,d; heap after full GC %s (%+.1f MiB vs start); the roster watchers heard %,d updates",
        held, forgotten, wheel, listed, mib(endHeap), (endHeap - start) / 1048576.0, heard.get());
    System.out.println(last);
    lines.add(last);
    lines.add(0, String.format("%,d users, offlineRetentionMs %d, offlineGraceMs %d, idleTimeoutMs %d, sweep %d ms, %d shards (real ShardVerticles, no sockets), users spread over %d tenants (a roster watcher each), 1 in 10 a tech",
        users, retentionMs, graceMs, idleMs, sweepMs, shards, tenants));
    Results.append("Offline retention, engine only (bench/engine/RetentionEngine.java)", lines);
    vertx.close().await();
    if (held != 0 || forgotten != users) {
      System.out.println("FAILED: records left behind");
      System.exit(1);
    }
  }

  /** The same RESULTS.md block as the other engine benches (machine, date, commit). */
  static final class Results {
    static void append(String scenario, List<String> lines) throws Exception {
      java.nio.file.Path file = java.nio.file.Path.of("bench", "RESULTS.md");
      String commit = "unknown";
      try {
        Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
        commit = new String(p.getInputStream().readAllBytes()).trim();
      } catch (Exception notACheckout) {
        // keep "unknown"
      }
      String cpu = "";
      try {
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
          if (l.startsWith("model name")) {
            cpu = " (" + l.substring(l.indexOf(':') + 1).trim() + ")";
            break;
          }
        }
      } catch (Exception notLinux) {
        // no model name
      }
      StringBuilder b = new StringBuilder();
      b.append("\n## ").append(scenario).append(" — ").append(java.time.Instant.now()).append("\n\n");
      b.append("- commit ").append(commit).append("; nproc ").append(Runtime.getRuntime().availableProcessors()).append(cpu)
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
