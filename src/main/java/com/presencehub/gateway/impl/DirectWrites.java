package com.presencehub.gateway.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.MessageWrite;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the outbound message queue Vert.x 5.0 gives every connection, for the connections of a
 * WebSocket session (issue 15, memory per session).
 *
 * <p>What it removes: every {@code VertxConnection} (checked against vertx-core 5.0.10) builds an
 * {@code InternalMessageChannel} in its constructor, an {@code OutboundMessageQueue} over Netty's
 * {@code PlatformDependent.newMpscQueue()}: a JCTools {@code MpscUnboundedArrayQueue} whose first
 * chunk of 1,025 slots is allocated at once, ~4.8 KiB per connection with its wrappers, whether or
 * not a write ever leaves the event loop. A WebSocket session holds two: the WebSocket's connection
 * and the HTTP connection it was upgraded from, which stays reachable from the channel's close
 * listener for the socket's whole life. No option sizes the chunk (Netty's {@code MPSC_CHUNK_SIZE}
 * is a constant); {@code HttpServerOptions#setStrictThreadMode} swaps in Vert.x's own direct queue
 * for HTTP connections only (never for the WebSocket's) and makes every response written off the
 * connection's loop throw, which the HTTP API's routes cannot promise.
 *
 * <p>What replaces it: a writer that does what Vert.x's strict-mode {@code DirectOutboundMessageQueue}
 * does (a write on the connection's loop goes straight to the channel pipeline; back-pressure is
 * the channel's writability; a writability change tells the connection it drained), except that a
 * write from another thread is not written from that thread but handed to the loop, and while such
 * a hand-over is pending, writes on the loop queue behind it, so the order of writes is the order
 * in which they were made, as with the queue it replaces. The hub writes only on a session's loop,
 * so the hand-over is a safety net, not a path. A write after the close fails its promise (the
 * channel refuses it) as before.
 *
 * <p>Why reflection: the queue is a private final field of an internal class behind a private
 * interface. If the internals ever change shape, {@link #supported()} is false, {@link #apply}
 * leaves every connection as it is, and the hub says so once in a WARN line: the sessions work as
 * before and cost ~9.6 KiB more. {@code DirectWritesTest} pins the 5.0.10 shape.
 */
public final class DirectWrites {

  private static final Logger LOG = LoggerFactory.getLogger(DirectWrites.class);

  private static final Field QUEUE;
  private static final Class<?> QUEUE_TYPE;
  private static final MethodHandle DRAINED;

  static {
    Field queue = null;
    Class<?> type = null;
    MethodHandle drained = null;
    try {
      queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      type = queue.getType();
      Method m = VertxConnection.class.getDeclaredMethod("handleWriteQueueDrained");
      m.setAccessible(true);
      drained = MethodHandles.lookup().unreflect(m);
      java.util.Set<String> names = new java.util.TreeSet<>();
      for (Method each : type.getDeclaredMethods()) {
        names.add(each.getName());
      }
      if (!names.equals(java.util.Set.of("write", "isWritable", "tryDrain", "close"))) {
        throw new NoSuchMethodException(type.getName() + " has " + names + ", not {write, isWritable, tryDrain, close}");
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("vertx-core internals changed (" + e + "): every WebSocket session keeps Vert.x's two outbound"
          + " message queues (~9.6 KiB)");
      queue = null;
      type = null;
      drained = null;
    }
    QUEUE = queue;
    QUEUE_TYPE = type;
    DRAINED = drained;
  }

  private DirectWrites() {
  }

  /** True when this vertx-core has the shape {@link #apply} works on. */
  public static boolean supported() {
    return QUEUE != null;
  }

  /**
   * Replaces the outbound queue of a WebSocket's connection ({@link #apply(VertxConnection)}).
   * Must run on the WebSocket's event loop before anything else writes to it.
   *
   * @return whether the queue was replaced (false: not a Vert.x 5.0 server WebSocket, or unsupported)
   */
  public static boolean apply(ServerWebSocket ws) {
    if (!(ws instanceof WebSocketInternal wsi) || !supported()) {
      return false;
    }
    ChannelHandlerContext chctx = wsi.channelHandlerContext();
    return chctx.handler() instanceof VertxHandler<?> h && apply(h.getConnection());
  }

  /**
   * Replaces the outbound queue of the HTTP connection a WebSocket was upgraded from (nothing is
   * written on it any more; it lives as long as the socket) and of the WebSocket's own connection,
   * found as the connection of the channel's Vert.x handler (vertx-web hands out a wrapper of the
   * {@link ServerWebSocket}, which hides it). Must run on the channel's event loop, after the upgrade.
   *
   * @return whether both were replaced
   */
  public static boolean apply(HttpConnection upgraded) {
    if (!(upgraded instanceof VertxConnection http) || !supported()) {
      return false;
    }
    boolean done = apply(http);
    if (http.channelHandlerContext().channel().pipeline().get(VertxHandler.class) instanceof VertxHandler<?> h
        && h.getConnection() != http) {
      done &= apply(h.getConnection());
    }
    return done;
  }

  /**
   * Replaces {@code conn}'s outbound queue with the direct writer described above, on the
   * connection's event loop, when the queue holds nothing (the channel is writable, so a queue fed
   * on the loop has handed everything on).
   *
   * @return whether it was replaced (or already was)
   */
  static boolean apply(VertxConnection conn) {
    if (!supported() || conn == null) {
      return false;
    }
    ChannelHandlerContext chctx = conn.channelHandlerContext();
    if (!chctx.executor().inEventLoop() || !chctx.channel().isWritable()) {
      return false;
    }
    try {
      Object current = QUEUE.get(conn);
      if (Proxy.isProxyClass(current.getClass()) && Proxy.getInvocationHandler(current) instanceof Writer) {
        return true;
      }
      Object direct = Proxy.newProxyInstance(QUEUE_TYPE.getClassLoader(), new Class<?>[] {QUEUE_TYPE},
          new Writer(conn, chctx));
      QUEUE.set(conn, direct);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("could not replace a connection's outbound queue", e);
      return false;
    }
  }

  /** True when {@code ws}'s connection writes through this class's writer. */
  static boolean applied(ServerWebSocket ws) {
    if (!(ws instanceof WebSocketInternal wsi) || !supported()) {
      return false;
    }
    return wsi.channelHandlerContext().handler() instanceof VertxHandler<?> h && applied(h.getConnection());
  }

  static boolean applied(VertxConnection conn) {
    try {
      Object q = QUEUE.get(conn);
      return Proxy.isProxyClass(q.getClass()) && Proxy.getInvocationHandler(q) instanceof Writer;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /** The direct writer behind the proxy: one per connection, a few dozen bytes. */
  private static final class Writer implements InvocationHandler {

    private static final AtomicIntegerFieldUpdater<Writer> HANDED_OVER =
        AtomicIntegerFieldUpdater.newUpdater(Writer.class, "handedOver");

    private final VertxConnection conn;
    private final ChannelHandlerContext chctx;
    /** Writes handed to the loop and not yet written there. */
    private volatile int handedOver;

    Writer(VertxConnection conn, ChannelHandlerContext chctx) {
      this.conn = conn;
      this.chctx = chctx;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "write":
          return write((MessageWrite) args[0]);
        case "isWritable":
          return chctx.channel().isWritable();
        case "tryDrain":
          // Called when the channel became writable again: the connection tells its write stream.
          DRAINED.invoke(conn);
          return Boolean.FALSE;
        case "close":
          return null;
        case "hashCode":
          return System.identityHashCode(proxy);
        case "equals":
          return proxy == args[0];
        case "toString":
          return "DirectWrites(" + chctx.channel() + ")";
        default:
          throw new UnsupportedOperationException(method.toString());
      }
    }

    private Boolean write(MessageWrite msg) {
      EventLoop loop = chctx.channel().eventLoop();
      if (loop.inEventLoop() && handedOver == 0) {
        msg.write();
        return Boolean.TRUE;
      }
      HANDED_OVER.incrementAndGet(this);
      try {
        loop.execute(() -> {
          HANDED_OVER.decrementAndGet(this);
          msg.write();
        });
      } catch (RuntimeException loopGone) {
        HANDED_OVER.decrementAndGet(this);
        msg.cancel(loopGone);
      }
      return Boolean.TRUE;
    }
  }
}
