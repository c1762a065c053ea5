// The bare stack for the fan-out scenario (bench/fanout.mjs): a Vert.x 5 SockJS server that does
// nothing but write every frame a publisher sends to every subscriber socket, so the hub's
// "presence updates delivered per server-CPU-second" can be read against what Vert.x + SockJS alone
// cost for the same bytes to the same number of sockets.
//
//   java -Xmx2g -XX:+UseG1GC -cp target/presence-hub.jar bench/engine/FanoutBare.java [port] [instances]
//
// SockJSHandler at /fanout/* (raw WebSocket: /fanout/websocket). A socket's first frame is its
// role: "sub" (gets every published frame) or "pub" (every later frame it sends is written,
// unchanged, as a text message to every subscriber). Default 1 verticle instance, like the hub's one gateway event
// loop (gatewayInstances = 1), so every write is on the subscriber's own loop; with more
// instances a publish to sockets of another loop hops to their context (Vert.x does that in
// write()). Listens on 127.0.0.1 only; prints "listening on PORT" once up; GET /fanout/count
// answers the number of subscribers.
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

public class FanoutBare {

  /** Every subscriber of every instance; written rarely (joins), read on every publish. */
  static final List<SockJSSocket> SUBSCRIBERS = new CopyOnWriteArrayList<>();

  public static class FanoutVerticle extends VerticleBase {
    private final int port;

    FanoutVerticle(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      router.get("/fanout/count").handler(rc -> rc.response().end(String.valueOf(SUBSCRIBERS.size())));
      SockJSHandlerOptions options = new SockJSHandlerOptions().setRegisterWriteHandler(false);
      router.route("/fanout/*").subRouter(SockJSHandler.create(vertx, options).socketHandler(socket -> {
        // Without an exception handler Vert.x logs a stack trace for every dropped client.
        socket.exceptionHandler(e -> { });
        socket.endHandler(v -> SUBSCRIBERS.remove(socket));
        socket.handler(first -> {
          String role = first.toString();
          if (role.equals("sub")) {
            SUBSCRIBERS.add(socket);
            socket.handler(b -> { });
          } else if (role.equals("pub")) {
            socket.handler(FanoutBare::publish);
          } else {
            socket.close(4400, "first frame: sub or pub");
          }
        });
      }));
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
          .requestHandler(router)
          .listen();
    }
  }

  /**
   * Written as text, decoded once: on the raw WebSocket transport a Buffer would go out as a binary
   * message, while the hub writes its frames as text (a String per session).
   */
  static void publish(Buffer frame) {
    String text = frame.toString();
    for (SockJSSocket s : SUBSCRIBERS) {
      s.write(text);
    }
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18091;
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new FanoutVerticle(port), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("listening on " + port))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }
}
