// The bare stack for scenario 2 (activity throughput): a Vert.x 5 SockJS echo server and nothing
// else — SockJSHandler at /echo/*, every message written back, 2 verticle instances — so the hub's
// figure can be read against what the framework alone does on the same machine.
//
//   java -Xmx2g -XX:+UseG1GC -cp target/presence-hub.jar bench/engine/SockJsEcho.java [port]
//
// Listens on 127.0.0.1 only; prints "listening on PORT" once both instances are up.
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;

public class SockJsEcho {

  public static class EchoVerticle extends VerticleBase {
    private final int port;

    EchoVerticle(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      SockJSHandlerOptions options = new SockJSHandlerOptions().setRegisterWriteHandler(false);
      router.route("/echo/*").subRouter(SockJSHandler.create(vertx, options).socketHandler(socket -> {
        // Without an exception handler Vert.x logs a stack trace for every dropped client.
        socket.exceptionHandler(e -> { });
        socket.handler(socket::write);
      }));
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
          .requestHandler(router)
          .listen();
    }
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18091;
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new EchoVerticle(port), new DeploymentOptions().setInstances(2))
        .onSuccess(id -> System.out.println("listening on " + port))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }
}
