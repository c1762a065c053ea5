package com.presencehub.api.http;

import com.presencehub.api.http.impl.ChangeHub;
import com.presencehub.api.http.impl.HttpErrors;
import com.presencehub.api.http.impl.RequestTarget;
import com.presencehub.api.http.impl.RoutingContract;
import com.presencehub.api.http.impl.ServiceAuth;
import com.presencehub.api.http.impl.TokenBuckets;
import com.presencehub.api.impl.PresenceRequests;
import com.presencehub.config.HttpApiOptions;
import com.presencehub.config.JwtOptions;
import com.presencehub.config.TenantScope;
import com.presencehub.delivery.Courier;
import com.presencehub.protocol.BusMessages;
import com.presencehub.shard.ShardDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The HTTP API of one node (PROTOCOL.md §8, docs/http-api.md): the §5 operations over HTTP under
 * {@code /api/v1}, the change stream (SSE) and the webhooks, with the OpenAPI document {@code
 * openapi.yaml} (served at {@code /api/v1/openapi.yaml}) driving routing and request validation.
 *
 * <p>Requests are answered on the gateway's event loop that took them, by the same {@link
 * PresenceRequests} code as the event-bus API, in-process (no hop over the bus): queries, reachable
 * and roster read the shards directly; deliveries hop to the {@link ChangeHub}'s one loop, which
 * keeps one delivery in flight per user.
 */
public final class HttpApi {

  /** Where the API lives; the OpenAPI document's {@code servers} URL. */
  public static final String BASE = "/api/v1";
  static final String CONTRACT = "openapi.yaml";

  /**
   * Users one {@code GET …/presence} may ask for (fewer if maxUsersPerSubscribe is lower): as many
   * ids of 256 unescaped characters as fit {@link #MAX_REQUEST_LINE} with room for the path.
   */
  public static final int MAX_USERS_PER_REQUEST = 200;

  /**
   * The HTTP server's longest request line, bytes (414 beyond): {@link #MAX_USERS_PER_REQUEST} ×
   * {@code "user=" + 256 characters + "&"} (52,400) plus the method, a tenant of 256 characters
   * escaped (768) and the rest of the path. As large as a request body may be (2 × maxFrameBytes
   * by default), so a long line costs no more memory than a POST.
   */
  public static final int MAX_REQUEST_LINE = 65_536;

  private final Vertx vertx;
  private final HttpApiOptions options;
  private final OpenAPIContract contract;
  private final Buffer contractText;
  private final ServiceAuth auth;
  private final TokenBuckets buckets;
  private final HttpApiMetrics metrics;
  private final PresenceRequests reads;
  private final ChangeHub hub;
  private final String hubDeployment;
  private final long sweepTimer;

  private HttpApi(Vertx vertx, HttpApiOptions options, ServiceAuth auth, OpenAPIContract contract, Buffer contractText,
      HttpApiMetrics metrics, PresenceRequests reads, ChangeHub hub, String hubDeployment) {
    this.vertx = vertx;
    this.options = options;
    this.contract = contract;
    this.contractText = contractText;
    this.auth = auth;
    this.buckets = new TokenBuckets(options.rateLimitPerSecond(), options.rateLimitBurst());
    this.metrics = metrics;
    this.reads = reads;
    this.hub = hub;
    this.hubDeployment = hubDeployment;
    this.sweepTimer = vertx.setPeriodic(60_000, t -> buckets.sweep(System.nanoTime()));
  }

  /**
   * Loads the OpenAPI document and deploys the change hub (change stream, webhooks, deliveries)
   * over {@code directory} and {@code courier}, whose shards must be up; service tokens are checked
   * with {@code jwt} (for the tenants in {@code tenants}, docs/cells.md), meters go to {@code registry}. Mount the routes with {@link #mount}.
   */
  public static Future<HttpApi> start(Vertx vertx, Contract document, HttpApiOptions options, JwtOptions jwt,
      TenantScope tenants, ShardDirectory directory, Courier courier, MeterRegistry registry) {
    HttpApiMetrics metrics = new HttpApiMetrics(registry);
    // A GET carries its users in the request line: at most what fits MAX_REQUEST_LINE.
    PresenceRequests reads = new PresenceRequests(directory, courier, maxUsersPerRequest(options), options.maxFrameBytes());
    PresenceRequests deliveries = new PresenceRequests(directory, courier, options.maxUsersPerSubscribe(),
        options.maxFrameBytes());
    ChangeHub hub = new ChangeHub(options, metrics, deliveries);
    ServiceAuth auth = ServiceAuth.create(vertx, jwt, tenants);
    return vertx.deployVerticle(hub)
        .map(id -> new HttpApi(vertx, options, auth, document.routing(), document.text(), metrics, reads, hub, id));
  }

  /** The served OpenAPI document ({@code text}, bytes as served) and what vertx-openapi built from it. */
  public record Contract(Buffer text, OpenAPIContract routing) {
  }

  /**
   * Reads and parses the OpenAPI document: YAML, then vertx-openapi's schema checks, 0.2-0.5 s of
   * CPU on a cold JVM, which a clustered node spends while it waits for its peers' full states
   * rather than after (issue 17: join time). Fails on a document vertx-openapi refuses.
   */
  public static Future<Contract> loadContract(Vertx vertx) {
    // On a worker thread: the YAML parse must not hold up whichever event loop the read completes on
    // (the replication's, during a sync).
    return vertx.fileSystem().readFile(CONTRACT)
        .compose(text -> vertx.executeBlocking(() -> RoutingContract.from(vertx, text)).compose(routing -> routing)
            .map(routing -> new Contract(text, routing)));
  }

  /** Users one {@code GET …/presence} may ask for: maxUsersPerSubscribe, at most {@link #MAX_USERS_PER_REQUEST}. */
  public static int maxUsersPerRequest(HttpApiOptions options) {
    return Math.min(options.maxUsersPerSubscribe(), MAX_USERS_PER_REQUEST);
  }

  /** The document as vertx-openapi takes it, see {@link RoutingContract}. */
  public static Future<OpenAPIContract> contract(Vertx vertx) {
    return loadContract(vertx).map(Contract::routing);
  }

  /** Stops the change hub (webhook senders); the routes go with the gateways' server. */
  public Future<Void> stop() {
    vertx.cancelTimer(sweepTimer);
    return vertx.undeploy(hubDeployment);
  }

  public HttpApiMetrics metrics() {
    return metrics;
  }

  /** The change hub (its webhook senders), for tests. */
  public ChangeHub hub() {
    return hub;
  }

  /** Adds {@code /api/v1/*} to a gateway's router; called once per gateway instance, on its loop. */
  public void mount(Router router) {
    router.get(BASE + "/" + CONTRACT).handler(rc -> rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8").end(contractText));
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    // vertx-web wants the body handler before any plain handler; the counter is a platform handler
    // so that it sees every answer, a 413 included.
    builder.rootHandler((PlatformHandler) this::count);
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(options.maxFrameBytes() * 2L + 4096));
    builder.rootHandler(this::authenticate);
    // Before any route with path parameters is matched: matching decodes the query (vertx-web),
    // which throws on a bad escape outside any handler.
    builder.rootHandler(HttpApi::checkTarget);
    builder.getRoute("query").addHandler(rc -> {
      rc.put(HttpErrors.FIELD_RENAME, new String[] {"users", "user"});
      answer(rc, reads::query, BusMessages.query(rc.pathParam("tenant"), rc.queryParam("user")));
    });
    builder.getRoute("reachable").addHandler(rc -> answer(rc, reads::reachable,
        BusMessages.reachable(rc.pathParam("tenant"), rc.pathParam("user"), rc.queryParams().get("kind"))));
    builder.getRoute("roster").addHandler(rc -> {
      answer(rc, reads::roster, BusMessages.roster(rc.pathParam("tenant"), rc.queryParams().get("role"),
          rc.queryParam("status")));
    });
    builder.getRoute("deliver").addHandler(rc -> {
      answer(rc, this::deliverOnHub, BusMessages.deliver(rc.pathParam("tenant"), rc.body().asJsonObject()));
    });
    builder.getRoute("changes").addHandler(this::changes);
    // The document's serviceToken scheme is checked by authenticate() above, before validation (so
    // a caller without a token learns 401, not a detail of the API), with the tenant scope and the
    // role that vertx-web's bearer handlers know nothing about.
    builder.getRoutes().forEach(r -> r.setDoSecurity(false));
    Router api = builder.createRouter();
    api.route().last().handler(rc -> HttpErrors.send(rc, 404, "not_found", "path: no such resource " + rc.request().path()));
    api.route().failureHandler(HttpErrors::handle);
    router.route(BASE + "/*").subRouter(api);
  }

  /** Counts every answer by route and status once its headers go out. */
  private void count(RoutingContext rc) {
    String route = route(rc.request().path());
    rc.addHeadersEndHandler(v -> metrics.request(route, rc.response().getStatusCode()));
    rc.next();
  }

  /** {@code /api/v1/tenants/t/roster} → {@code roster}; the operation's name, not the raw path (bounded tags). */
  public static String route(String path) {
    String[] s = path.split("/");
    // "", "api", "v1", "tenants", "{tenant}", "<op>", …
    if (s.length >= 6 && "tenants".equals(s[3])) {
      return switch (s[5]) {
        case "presence" -> "query";
        case "reachable" -> "reachable";
        case "roster" -> "roster";
        case "deliveries" -> "deliver";
        case "changes" -> "changes";
        default -> "other";
      };
    }
    return "other";
  }

  /** 400 naming the field for a path or query that does not decode, or a repeated single-valued parameter. */
  private static void checkTarget(RoutingContext rc) {
    String problem = RequestTarget.problem(rc.request().path(), rc.request().query());
    if (problem != null) {
      HttpErrors.send(rc, 400, "bad_request", problem);
      return;
    }
    rc.next();
  }

  /** 401/403 before anything else (validation included), then the per-token rate limit (429). */
  private void authenticate(RoutingContext rc) {
    String tenant;
    boolean undecodable = false;
    try {
      tenant = tenantOf(rc.request().path());
    } catch (IllegalArgumentException e) {
      // Any valid token goes on to checkTarget's 400 naming the tenant; none gets its 401 first.
      tenant = null;
      undecodable = true;
    }
    auth.check(rc.request().getHeader(HttpHeaders.AUTHORIZATION), tenant, tenant == null || undecodable).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ar.cause());
        return;
      }
      long wait = buckets.acquire(ar.result().token(), System.nanoTime());
      if (wait > 0) {
        rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
        HttpErrors.send(rc, 429, "rate_limited", "rate limit: more than " + options.rateLimitPerSecond()
            + " requests/s (burst " + options.rateLimitBurst() + ") with this token; retry after " + wait + " s");
        return;
      }
      rc.next();
    });
  }

  /**
   * The {@code {tenant}} segment of {@code /api/v1/tenants/{tenant}/…}, decoded; null if none.
   *
   * @throws IllegalArgumentException for a bad percent-escape or a raw byte outside printable ASCII
   */
  static String tenantOf(String path) {
    String[] s = path.split("/");
    if (s.length >= 5 && "tenants".equals(s[3])) {
      if (RequestTarget.rawByte(s[4]) >= 0) {
        throw new IllegalArgumentException("a raw byte in the tenant");
      }
      return URLDecoder.decode(s[4].replace("+", "%2B"), StandardCharsets.UTF_8);
    }
    return null;
  }

  private void answer(RoutingContext rc, Function<Object, Future<JsonObject>> op, JsonObject request) {
    Future<JsonObject> reply;
    try {
      reply = op.apply(request);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(ar -> {
      if (ar.succeeded()) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(ar.result().toBuffer());
      } else {
        rc.fail(ar.cause());
      }
    });
  }

  /** On the change hub's loop (one delivery in flight per user), answered on the caller's loop. */
  private Future<JsonObject> deliverOnHub(Object body) {
    Promise<JsonObject> done = ((ContextInternal) vertx.getOrCreateContext()).promise();
    hub.loop().runOnContext(v -> {
      try {
        hub.deliveries().deliver(body).onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  /** {@code GET …/changes}: Server-Sent Events, see {@link ChangeHub}. */
  private void changes(RoutingContext rc) {
    String tenant = rc.pathParam("tenant");
    HttpServerResponse resp = rc.response();
    resp.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        // nginx and friends must not buffer the stream.
        .putHeader("X-Accel-Buffering", "no");
    resp.write("retry: 1000\n: connected\n\n");
    ChangeHub.Subscriber sub = new ChangeHub.Subscriber(tenant, vertx.getOrCreateContext(), text -> {
      if (resp.closed() || resp.ended()) {
        return;
      }
      resp.write(text);
      // A reader that does not keep up is cut off rather than buffered without bound; it comes
      // back with Last-Event-ID and gets the replay or a reset.
      if (resp.writeQueueFull()) {
        resp.reset();
      }
    });
    long heartbeat = vertx.setPeriodic(options.changeStreamHeartbeatMs(), t -> {
      if (!resp.closed()) {
        resp.write(": heartbeat\n\n");
      }
    });
    metrics.sseOpened();
    resp.closeHandler(v -> {
      vertx.cancelTimer(heartbeat);
      hub.unsubscribe(sub);
      metrics.sseClosed();
    });
    hub.subscribe(sub, rc.request().getHeader("Last-Event-ID"));
  }
}
