// Scenario 3b (transition storm, engine only): N users on the node's real shards (ShardVerticle on
// real event loops, the same code a node runs), all active in the same instant, then silent. A
// roster watcher at the SessionLink seam records when each away transition reached it, so this
// measures the sweep and publish path without sockets (and so without the 20,000-files cap).
//
//   java -cp target/presence-hub.jar bench/engine/IdleStormEngine.java [users] [idleMs] [shards]
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.ShardDirectory;
import com.presencehub.shard.ShardObserver;
import com.presencehub.shard.ShardVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

public class IdleStormEngine {

  static void appendResults(String scenario, List<String> lines) throws Exception {
    java.nio.file.Path file = java.nio.file.Path.of("bench", "RESULTS.md");
    String commit = "unknown";
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
      commit = new String(p.getInputStream().readAllBytes()).trim();
    } catch (Exception notACheckout) {
      // keep "unknown"
    }
    StringBuilder b = new StringBuilder();
    if (!java.nio.file.Files.exists(file)) {
      b.append("# Benchmark results\n\nAppended by the scenarios in bench/ (see bench/README.md); newest last.\n");
    }
    b.append("\n## ").append(scenario).append(" — ").append(java.time.Instant.now()).append("\n\n");
    b.append("- commit ").append(commit).append("; nproc ").append(Runtime.getRuntime().availableProcessors())
        .append("; java ").append(System.getProperty("java.version")).append("\n");
    b.append("- JVM flags: ").append(String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())).append("\n");
    for (String l : lines) {
      b.append("- ").append(l).append("\n");
    }
    java.nio.file.Files.writeString(file, b.toString(), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  record Link(UserKey user, Role role) implements SessionLink {
    public void deliver(List<PresenceRecord> updates) { }

    public Future<Boolean> offer(String frame) {
      return Future.succeededFuture(false);
    }
  }

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    long idleMs = args.length > 1 ? Long.parseLong(args[1]) : 5_000;
    int shards = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
    long sweepMs = 200;
    Vertx vertx = Vertx.vertx();
    ShardDirectory dir = new ShardDirectory(shards);
    List<Future<String>> deployed = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      deployed.add(vertx.deployVerticle(new ShardVerticle(dir, i, new PresenceTimings(idleMs, 5_000), sweepMs, ShardObserver.NONE)));
    }
    Future.all(deployed).await();

    long[] lateness = new long[users];
    AtomicInteger received = new AtomicInteger();
    CountDownLatch allAway = new CountDownLatch(1);
    long[] t0 = {Long.MAX_VALUE};
    SessionLink watcher = new SessionLink() {
      final UserKey me = new UserKey("bench", "watcher");
      public UserKey user() { return me; }
      public Role role() { return Role.TECH; }
      public Future<Boolean> offer(String frame) { return Future.succeededFuture(false); }
      public void deliver(List<PresenceRecord> updates) {
        long now = System.currentTimeMillis();
        for (PresenceRecord r : updates) {
          if (r.status() == Status.AWAY && r.since() != null && r.since() >= t0[0] + idleMs) {
            int n = received.getAndIncrement();
            if (n < users) {
              lateness[n] = now - r.since();
            }
            if (n + 1 == users) {
              allAway.countDown();
            }
          }
        }
      }
    };
    dir.subscribeRoster(watcher, Role.CLIENT).await();
    List<Link> links = new ArrayList<>(users);
    for (int i = 0; i < users; i++) {
      Link l = new Link(new UserKey("bench", "c-" + i), Role.CLIENT);
      links.add(l);
      dir.open(l);
    }
    // Wait until every shard has processed the opens.
    dir.barrier().await();
    t0[0] = System.currentTimeMillis();
    for (Link l : links) {
      long at = t0[0];
      dir.activity(l, at);
    }
    long activitySpread = System.currentTimeMillis() - t0[0];
    if (!allAway.await(idleMs + 60_000, TimeUnit.MILLISECONDS)) {
      System.out.println("only " + received.get() + "/" + users + " away transitions arrived");
      System.exit(1);
    }
    long[] sorted = Arrays.copyOf(lateness, users);
    Arrays.sort(sorted);
    List<String> lines = List.of(
        String.format("%d users on %d shards (real ShardVerticles, no sockets), idleTimeoutMs %d, sweep %d ms; activity issued over %d ms",
            users, shards, idleMs, sweepMs, activitySpread),
        String.format("away lateness at the roster watcher (delivery - deadline): p50 %d ms, p99 %d ms, max %d ms, min %d ms",
            sorted[users / 2], sorted[(int) Math.ceil(users * 0.99) - 1], sorted[users - 1], sorted[0]));
    lines.forEach(System.out::println);
    appendResults("Transition storm, engine only (bench/engine/IdleStormEngine.java)", lines);
    vertx.close().await();
  }
}
