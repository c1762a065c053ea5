import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.presencehub.api.client.ChangeSubscription;
import com.presencehub.api.client.NotReachableException;
import com.presencehub.api.client.PresenceService;
import com.presencehub.api.client.Sender;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A ticket bot: a service that is not a hub node, joins the hub's cluster as a plain Vert.x member
 * and uses the presence facade. It prints the tenant's reachable techs, sends each a notify, then
 * prints every presence change of the tenant and greets each tech that comes online.
 *
 * <p>It needs only the Java client (com.presencehub:presence-hub-client: the facade, the protocol
 * codec and the presence types) and Vert.x with vertx-hazelcast, not the hub. Run from the project
 * folder against a clustered hub (see README.md next to this file):
 * {@code java -cp target/presence-hub.jar examples/chat-bot/ChatBot.java [tenant]} (the hub's jar
 * holds all of these), or with the client jar and Vert.x's jars on the class path.
 *
 * <p>Environment: {@code PRESENCE_CLUSTER_MEMBERS} (the hub's Hazelcast members, default
 * {@code 127.0.0.1:5701}), {@code PRESENCE_CLUSTER_NAME} (default {@code presence-hub}),
 * {@code CHATBOT_CLUSTER_PORT} (this member's Hazelcast port, default 5801).
 */
public class ChatBot {

  public static void main(String[] args) throws Exception {
    String tenant = args.length > 0 ? args[0] : "acme";
    List<String> members = Arrays.asList(env("PRESENCE_CLUSTER_MEMBERS", "127.0.0.1:5701").split(","));
    int port = Integer.parseInt(env("CHATBOT_CLUSTER_PORT", "5801"));

    Config hazelcast = memberHazelcast(env("PRESENCE_CLUSTER_NAME", "presence-hub"), port, members);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    System.out.println("joining the hub cluster via " + members + " …");
    Vertx vertx = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast))
        .buildClustered().await(60, TimeUnit.SECONDS);

    PresenceService presence = PresenceService.create(vertx, new DeliveryOptions().setSendTimeout(5_000));
    vertx.deployVerticle(new TicketBot(presence, tenant)).await(30, TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("leaving the cluster: " + e);
      }
    }));
    System.out.println("listening to presence changes of " + tenant + "; Ctrl-C to stop");
  }

  /**
   * The Hazelcast settings of a member of the hub's cluster, as the hub's nodes have them
   * (cluster/ClusterSetup.memberHazelcast, kept in step by hand): the cluster name, TCP-IP join on
   * 127.0.0.1 and the same fast failure detection (a heartbeat a second, dead after 3 s).
   */
  static Config memberHazelcast(String clusterName, int port, List<String> members) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(clusterName);
    hz.getNetworkConfig().setPort(port).setPortAutoIncrement(port == 0);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(2);
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "3");
    hz.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    // The hub's clusterPartitions when it sets one: every member must have the same count (and leave
    // Hazelcast's default unset, as the hub does: Hazelcast compares the property as written).
    String partitions = System.getenv("PRESENCE_CLUSTER_PARTITIONS");
    if (partitions != null && !partitions.equals("271")) {
      hz.setProperty("hazelcast.partition.count", partitions);
    }
    hz.setProperty("hazelcast.wait.seconds.before.join", "1");
    hz.setProperty("hazelcast.max.wait.seconds.before.join", "5");
    hz.setProperty("hazelcast.graceful.shutdown.max.wait", "20");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    return hz;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** The bot itself: everything runs on its event loop, through the facade's futures. */
  static final class TicketBot extends VerticleBase {

    private static final Sender ME = Sender.service("ticket-bot", "Ticket bot");

    private final PresenceService presence;
    private final String tenant;
    private ChangeSubscription changes;

    TicketBot(PresenceService presence, String tenant) {
      this.presence = presence;
      this.tenant = tenant;
    }

    @Override
    public Future<?> start() {
      changes = presence.changes(tenant, this::onChange);
      // A hub that is not up yet is no reason to stop: the changes will come when it is.
      return changes.ready().compose(v -> greetReachableTechs()
          .recover(e -> {
            System.out.println("no hub node answered presence.roster (" + e.getMessage() + ")");
            return Future.succeededFuture();
          }));
    }

    @Override
    public Future<?> stop() {
      return changes.close();
    }

    /** Lists the techs that could take a new chat now, and sends each a notify. */
    private Future<Void> greetReachableTechs() {
      return presence.roster(tenant, Role.TECH).compose(techs -> {
        if (techs.isEmpty()) {
          System.out.println("nobody reachable in " + tenant + ": no tech is online or away");
          return Future.succeededFuture();
        }
        System.out.println("techs of " + tenant + " reachable for a chat.request:");
        List<Future<Integer>> greetings = new ArrayList<>();
        for (PresenceRecord t : techs) {
          System.out.printf("  %-12s %-7s (%s since %d)%n", t.user(), t.status().wire(), t.reason().wire(), t.since());
          greetings.add(notify(t.user(), "3 tickets are waiting in your queue"));
        }
        return Future.join(greetings).mapEmpty();
      });
    }

    private void onChange(PresenceRecord r) {
      System.out.printf("change: %s/%s (%s) is %s/%s%n", r.tenant(), r.user(),
          r.role() == null ? "?" : r.role().wire(), r.status().wire(), r.reason().wire());
      if (r.role() == Role.TECH && r.status() == Status.ONLINE) {
        notify(r.user(), "welcome back, 3 tickets are waiting in your queue");
      }
    }

    private Future<Integer> notify(String tech, String text) {
      return presence.deliver(tenant, tech, DeliveryKind.NOTIFY, ME, new JsonObject().put("text", text))
          .onSuccess(n -> System.out.println("  notify to " + tech + ": delivered to " + n + " session(s)"))
          .onFailure(e -> System.out.println("  notify to " + tech + ": " + (e instanceof NotReachableException nr
              ? "not reachable, " + nr.status().wire() : "failed, " + e.getMessage())));
    }
  }
}
