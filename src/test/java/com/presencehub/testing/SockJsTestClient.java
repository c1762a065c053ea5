package com.presencehub.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A portal client of the hub over one SockJS transport, built on Vert.x's own HTTP and WebSocket
 * clients. Received frames queue up; a test takes them out by what they look like ({@link
 * #await}, {@link #next}) rather than by position, so unrelated frames (a heartbeat, a change of
 * another watched user) never break it. Waiting is always bounded: every blocking call has a
 * deadline, and a wait fails at once when the hub has closed the connection.
 *
 * <p>Blocking calls are for the test thread; from an event loop use the {@code Future} forms.
 */
public final class SockJsTestClient {

  /** How long a test waits for something that should happen, on a loaded machine. */
  public static final Duration PATIENCE = Duration.ofSeconds(10);

  private static final String HOST = "127.0.0.1";

  public enum Transport {
    /** {@code /presence/websocket}: plain text frames, close code in the WebSocket close frame. */
    RAW_WEBSOCKET,
    /** {@code /presence/<server>/<session>/websocket}: SockJS framing {@code o h a[..] c[..]}. */
    SOCKJS_WEBSOCKET,
    /** {@code /presence/<server>/<session>/xhr} polled, {@code .../xhr_send} to send. */
    XHR_POLLING
  }

  /** How the connection ended: the hub's close code and reason, or the client's own doing. */
  public record Closed(int code, String reason, boolean byHub) { }

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) { }

  private final Vertx vertx;
  /**
   * Every use of the Vert.x clients happens on this one context, whichever thread asked for it:
   * responses then arrive where their handlers were set, and sends keep their order.
   */
  private final Context context;
  private final String host;
  private final int port;
  private final Transport transport;
  /** {@code /presence/<server>/<session>} for the framed transports. */
  private final String sessionPath;

  private final List<JsonObject> unread = new ArrayList<>();
  private final List<JsonObject> received = new ArrayList<>();
  private final Map<JsonObject, Long> arrivals = new IdentityHashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final List<String> sendFailures = new ArrayList<>();
  private final Promise<Void> opened = Promise.promise();
  private final Promise<Closed> closed = Promise.promise();
  /** Set when the client itself ends the connection. */
  private volatile boolean leaving;

  private WebSocketClient wsClient;
  private volatile WebSocket ws;
  /** Polls: the hub closes a poll's connection after each answer, so none is kept. */
  private HttpClientAgent polls;
  /** xhr_send: one kept-alive connection, as a browser would use. */
  private HttpClientAgent sender;
  private volatile HttpClientRequest poll;
  /** The last xhr_send, on {@link #context} only. */
  private Future<Void> sends = Future.succeededFuture();

  /** Before {@code /presence}: empty, or e.g. {@code /t/acme} for a cells router (docs/cells.md). */
  private final String prefix;

  private SockJsTestClient(Vertx vertx, String host, int port, Transport transport) {
    this(vertx, host, port, transport, "");
  }

  private SockJsTestClient(Vertx vertx, String host, int port, Transport transport, String prefix) {
    this.prefix = prefix;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.host = host;
    this.port = port;
    this.transport = transport;
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    this.sessionPath = prefix + String.format("/presence/%03d/%016x", rnd.nextInt(1000), rnd.nextLong());
  }

  /** {@link #connect} with the SockJS URL under {@code prefix} (e.g. {@code /t/acme/presence/…}, docs/cells.md). */
  public static Future<SockJsTestClient> connect(Vertx vertx, int port, Transport transport, String prefix) {
    SockJsTestClient client = new SockJsTestClient(vertx, HOST, port, transport, prefix);
    return client.start().map(client);
  }

  /** Opens a connection; completes once the transport is open (SockJS {@code o} received). */
  public static Future<SockJsTestClient> connect(Vertx vertx, int port, Transport transport) {
    return connect(vertx, HOST, port, transport);
  }

  /** {@link #connect} to a hub on another local address (e.g. a veth a test created). */
  public static Future<SockJsTestClient> connect(Vertx vertx, String host, int port, Transport transport) {
    SockJsTestClient client = new SockJsTestClient(vertx, host, port, transport);
    return client.start().map(client);
  }

  /** Blocking {@link #connect}. */
  public static SockJsTestClient open(Vertx vertx, int port, Transport transport) {
    return block(connect(vertx, port, transport), PATIENCE, () -> transport + " connection to port " + port);
  }

  /** Blocking {@link #connect(Vertx, String, int, Transport)}. */
  public static SockJsTestClient open(Vertx vertx, String host, int port, Transport transport) {
    return block(connect(vertx, host, port, transport), PATIENCE, () -> transport + " connection to " + host + ":" + port);
  }

  public Transport transport() {
    return transport;
  }

  // ---- sending ----------------------------------------------------------------------------------

  public Future<Void> send(JsonObject frame) {
    return sendRaw(frame.encode());
  }

  /** Sends and blocks until the transport took the frame (for xhr-polling: {@code xhr_send} answered 204). */
  public void sendAndWait(JsonObject frame) {
    block(send(frame), PATIENCE, () -> "the hub to take " + frame.encode() + "; " + describe());
  }

  /**
   * Writes {@code transportFrame} as one WebSocket text message, without SockJS's array framing (a
   * broken or hostile client's batch); WebSocket transports only.
   */
  public Future<Void> sendRawFrame(String transportFrame) {
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> ws.writeTextMessage(transportFrame).onComplete(sent));
    return sent.future();
  }

  /** Sends one application message as is (it need not be JSON). */
  public Future<Void> sendRaw(String message) {
    return sendAll(List.of(message));
  }

  /**
   * Sends several messages at once: one SockJS write on the framed transports (a burst as a
   * browser would batch it), consecutive text frames on the raw WebSocket.
   */
  public Future<Void> sendAll(List<String> messages) {
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> {
      Future<Void> done;
      switch (transport) {
        case RAW_WEBSOCKET -> {
          done = Future.succeededFuture();
          for (String m : messages) {
            done = ws.writeTextMessage(m).onFailure(e -> noteSendFailure(m, e));
          }
        }
        case SOCKJS_WEBSOCKET -> {
          String frame = new JsonArray(new ArrayList<Object>(messages)).encode();
          done = ws.writeTextMessage(frame).onFailure(e -> noteSendFailure(frame, e));
        }
        default -> {
          // One xhr_send after the other: two in flight could reach the hub out of order.
          String body = new JsonArray(new ArrayList<Object>(messages)).encode();
          sends = sends.transform((ok, err) -> post("xhr_send", body).compose(status -> status == 204
                  ? Future.<Void>succeededFuture()
                  : Future.<Void>failedFuture("xhr_send answered HTTP " + status)))
              .onFailure(e -> noteSendFailure(body, e));
          done = sends;
        }
      }
      done.onComplete(sent);
    });
    return sent.future();
  }

  /** Sends {@code auth} and waits for {@code welcome}; fails with the hub's error otherwise. */
  public JsonObject auth(String token) {
    send(new JsonObject().put("type", "auth").put("token", token).put("client", new JsonObject().put("platform", "web")));
    JsonObject reply = await(FrameMatch.type("welcome").or(FrameMatch.type("error")), PATIENCE);
    if (!"welcome".equals(reply.getString("type"))) {
      throw new AssertionError("auth refused: " + reply.encode());
    }
    return reply;
  }

  // ---- receiving --------------------------------------------------------------------------------

  /** The first unread frame matching {@code match}, now or when it arrives; it counts as read. */
  public Future<JsonObject> expect(Predicate<JsonObject> match) {
    Promise<JsonObject> promise = Promise.promise();
    synchronized (this) {
      for (Iterator<JsonObject> it = unread.iterator(); it.hasNext(); ) {
        JsonObject f = it.next();
        if (match.test(f)) {
          it.remove();
          return Future.succeededFuture(f);
        }
      }
      if (closed.future().isComplete()) {
        return Future.failedFuture(new AssertionError("waiting for " + match + " on a closed connection; " + describe()));
      }
      waiters.add(new Waiter(match, promise));
    }
    return promise.future();
  }

  /** Blocks until an unread frame matches, or fails after {@code timeout} or when the connection closes. */
  public JsonObject await(Predicate<JsonObject> match, Duration timeout) {
    Future<JsonObject> f = expect(match);
    try {
      return waitFor(f, timeout);
    } catch (TimeoutException e) {
      JsonObject lateHit = withdraw(f);
      if (lateHit != null) {
        return lateHit;
      }
      throw new AssertionError("no frame matching " + match + " within " + timeout.toMillis() + " ms; " + describe());
    }
  }

  public JsonObject await(Predicate<JsonObject> match) {
    return await(match, PATIENCE);
  }

  /** The next unread frame of this {@code type}. */
  public JsonObject next(String type, Duration timeout) {
    return await(FrameMatch.type(type), timeout);
  }

  public JsonObject next(String type) {
    return next(type, PATIENCE);
  }

  /** The reply to the request with this {@code id}. */
  public JsonObject reply(Object id) {
    return await(FrameMatch.reply(id), PATIENCE);
  }

  /**
   * Asserts that no frame matching {@code match} arrives within {@code window} (nor is already
   * unread), and that the connection stays open meanwhile.
   */
  public void expectNone(Predicate<JsonObject> match, Duration window) {
    Future<JsonObject> f = expect(match);
    JsonObject hit;
    try {
      hit = waitFor(f, window);
    } catch (TimeoutException quiet) {
      hit = withdraw(f);
      if (hit == null) {
        return;
      }
    } catch (AssertionError closedMeanwhile) {
      throw new AssertionError("connection closed while asserting that no " + match + " arrives; " + describe());
    }
    throw new AssertionError("unexpected frame matching " + match + ": " + hit.encode() + "; " + describe());
  }

  /** When the client received {@code frame} (epoch ms, taken on arrival, not when a test looked). */
  public synchronized long receivedAt(JsonObject frame) {
    Long at = arrivals.get(frame);
    if (at == null) {
      throw new IllegalArgumentException("not a frame this client received: " + frame);
    }
    return at;
  }

  /** Every frame received so far, read or not. */
  public synchronized List<JsonObject> received() {
    return List.copyOf(received);
  }

  // ---- ending -----------------------------------------------------------------------------------

  public Future<Closed> closed() {
    return closed.future();
  }

  public boolean isClosed() {
    return closed.future().isComplete();
  }

  /** Blocks until the connection is closed; returns how. */
  public Closed awaitClose(Duration timeout) {
    try {
      return waitFor(closed.future(), timeout);
    } catch (TimeoutException e) {
      throw new AssertionError("connection still open after " + timeout.toMillis() + " ms; " + describe());
    }
  }

  public Closed awaitClose() {
    return awaitClose(PATIENCE);
  }

  /** Asserts that the connection is still open after {@code window}. */
  public void assertStaysOpen(Duration window) {
    Closed c;
    try {
      c = waitFor(closed.future(), window);
    } catch (TimeoutException stillOpen) {
      return;
    }
    throw new AssertionError("connection closed within " + window.toMillis() + " ms: " + c + "; " + describe());
  }

  /**
   * Ends the connection without {@code bye}, as a tab losing its network would: to the hub any end
   * but {@code bye} is abrupt. WebSockets close; a polling client abandons its pending poll.
   */
  public void disconnect() {
    context.runOnContext(v -> {
      leaving = true;
      if (ws != null) {
        ws.close();
      }
      if (poll != null) {
        poll.reset();
      }
    });
  }

  // ---- transport --------------------------------------------------------------------------------

  private Future<Void> start() {
    context.runOnContext(v -> open());
    return opened.future();
  }

  private void open() {
    if (transport == Transport.XHR_POLLING) {
      polls = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(1));
      sender = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
      pollAgain();
    } else {
      wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxFrameSize(4 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
      String uri = transport == Transport.RAW_WEBSOCKET ? prefix + "/presence/websocket" : sessionPath + "/websocket";
      wsClient.connect(port, host, uri).onComplete(ar -> {
        if (ar.failed()) {
          opened.tryFail(ar.cause());
          return;
        }
        WebSocket socket = ar.result();
        ws = socket;
        socket.textMessageHandler(transport == Transport.RAW_WEBSOCKET ? this::onMessage : this::onSockJsFrame);
        // The contract's frames are text: a binary message would reach a browser as a Blob.
        socket.binaryMessageHandler(b -> onMessage(new JsonObject().put("type", "(binary message)")
            .put("raw", b.toString()).encode()));
        socket.exceptionHandler(err -> { });
        socket.closeHandler(v -> onClosed(socket.closeStatusCode() == null ? 1006 : socket.closeStatusCode(),
            socket.closeReason()));
        if (transport == Transport.RAW_WEBSOCKET) {
          opened.tryComplete();
        }
      });
    }
  }

  /** Long-polls: one request at a time, the next as soon as the previous one answered. */
  private void pollAgain() {
    if (leaving) {
      onClosed(1006, "the client stopped polling");
      return;
    }
    if (closed.future().isComplete()) {
      return;
    }
    Future<HttpClientRequest> request;
    try {
      request = polls.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
          .setURI(sessionPath + "/xhr"));
    } catch (IllegalStateException vertxClosing) {
      onClosed(1006, "xhr poll failed: " + vertxClosing.getMessage());
      return;
    }
    request
        .compose(req -> {
          poll = req;
          // disconnect() came while this request was waiting for a connection.
          if (leaving) {
            req.reset();
            return Future.failedFuture("the client stopped polling");
          }
          return req.send();
        })
        .compose(resp -> resp.body().map(body -> {
          if (resp.statusCode() != 200) {
            throw new IllegalStateException("xhr poll answered HTTP " + resp.statusCode() + ": " + body);
          }
          return body;
        }))
        .onComplete(ar -> {
          poll = null;
          if (ar.failed()) {
            opened.tryFail(ar.cause());
            onClosed(1006, "xhr poll failed: " + ar.cause().getMessage());
            return;
          }
          for (String line : ar.result().toString().split("\n")) {
            if (!line.isEmpty()) {
              onSockJsFrame(line);
            }
          }
          pollAgain();
        });
  }

  private Future<Integer> post(String what, String body) {
    return sender.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
            .setURI(sessionPath + "/" + what))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  /** One SockJS frame: {@code o}pen, {@code h}eartbeat, {@code a}rray of messages, {@code c}lose. */
  private void onSockJsFrame(String frame) {
    switch (frame.charAt(0)) {
      case 'o' -> {
        if (!opened.tryComplete()) {
          // What sockjs-client does: a second open frame means the hub lost the session.
          onClosed(1006, "Server lost session (a second open frame)");
        }
      }
      case 'h' -> { }
      case 'a' -> {
        for (Object m : new JsonArray(frame.substring(1))) {
          onMessage((String) m);
        }
      }
      case 'c' -> {
        JsonArray c = new JsonArray(frame.substring(1));
        onClosed(c.getInteger(0), c.getString(1));
        leaving = true;
        if (ws != null) {
          ws.close();
        }
      }
      default -> onMessage(frame);
    }
  }

  private void onMessage(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      frame = new JsonObject().put("type", "(not a JSON object)").put("raw", text);
    }
    Waiter hit = null;
    synchronized (this) {
      received.add(frame);
      arrivals.put(frame, System.currentTimeMillis());
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.match().test(frame)) {
          it.remove();
          hit = w;
          break;
        }
      }
      if (hit == null) {
        unread.add(frame);
      }
    }
    if (hit != null) {
      hit.promise().complete(frame);
    }
  }

  private void onClosed(int code, String reason) {
    List<Waiter> orphans;
    synchronized (this) {
      if (!closed.tryComplete(new Closed(code, reason, !leaving))) {
        return;
      }
      orphans = new ArrayList<>(waiters);
      waiters.clear();
    }
    opened.tryFail("closed before open: " + code + " " + reason);
    for (Waiter w : orphans) {
      w.promise().tryFail(new AssertionError("connection closed (" + code + " " + reason + ") while waiting for "
          + w.match()));
    }
    if (polls != null) {
      polls.close();
      // A send still in flight (bye, say) must get its answer.
      sends.onComplete(ar -> sender.close());
    }
  }

  /** Stops waiting on {@code f}; returns the frame if it matched in the meantime. */
  private JsonObject withdraw(Future<JsonObject> f) {
    synchronized (this) {
      waiters.removeIf(w -> w.promise().future() == f);
    }
    return f.succeeded() ? f.result() : null;
  }

  private synchronized void noteSendFailure(String what, Throwable why) {
    sendFailures.add(why + " sending " + (what.length() > 200 ? what.substring(0, 200) + "…" : what));
  }

  private synchronized String describe() {
    List<JsonObject> tail = received.subList(Math.max(0, received.size() - 20), received.size());
    return transport + (closed.future().isComplete() ? " closed " + closed.future().result() : " open")
        + (sendFailures.isEmpty() ? "" : ", failed sends " + sendFailures)
        + ", unread " + unread + ", last received " + tail;
  }

  private static <T> T block(Future<T> future, Duration timeout, Supplier<String> what) {
    try {
      return waitFor(future, timeout);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what.get());
    } catch (AssertionError failed) {
      throw new AssertionError("failed waiting for " + what.get() + ": " + failed.getMessage(), failed);
    }
  }

  /** Waits for {@code future}; its failure is rethrown as an {@link AssertionError}. */
  private static <T> T waitFor(Future<T> future, Duration timeout) throws TimeoutException {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("blocking wait on an event loop; use the Future form");
    }
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AssertionError a) {
        throw a;
      }
      throw new AssertionError(String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
