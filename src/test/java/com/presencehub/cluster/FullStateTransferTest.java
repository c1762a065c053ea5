package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.protocol.ReplicationEnvelope;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link FullStateTransfer} between two "nodes" on one Vert.x event bus (the transfer uses the
 * event bus only; the clustered one is exercised by the cluster tests): the windowed way, both ways
 * with a node of an earlier version (a part at a time), and a part lost on the way.
 */
@DisplayName("A full state transfer")
class FullStateTransferTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A node: its transfer and the one context it is used on (as the replication verticle's). */
  private record Node(FullStateTransfer transfer, Context context) { }

  /** A node's transfer, with its sync address served as ReplicationVerticle serves it, on its own context. */
  private Node node(String id, FullState state, long timeoutMs) throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<FullStateTransfer> made = Promise.promise();
    context.runOnContext(v -> {
      FullStateTransfer t = new FullStateTransfer(vertx, id, timeoutMs, FullStateTransfer.MAX_CHUNK_BYTES);
      vertx.eventBus().<JsonObject>consumer(ReplicationVerticle.syncAddress(id), m -> {
        if (!t.handle(m.body())) {
          t.serve(m, state);
        }
      }).completion().onComplete(ar -> made.complete(t));
    });
    return new Node(made.future().await(10, TimeUnit.SECONDS), context);
  }

  /** Node "va", the asker, with an empty state of its own. */
  private Node asker(long timeoutMs) throws Exception {
    return node("va", new FullState("va", 0, List.of(), List.of(), List.of()), timeoutMs);
  }

  private FullState fetch(Node asker, String peer) throws Exception {
    Promise<FullState> got = Promise.promise();
    asker.context().runOnContext(v -> asker.transfer().fetch(peer, true, true).onComplete(got));
    return got.future().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("windowed: 50,000 users in parts of at most 256 KiB, at most four unacknowledged, put back together")
  void windowed() throws Exception {
    FullState state = StreamedFullStateTest.big(50_000);
    node("vb", state, 10_000);
    Node a = asker(10_000);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
    vertx.eventBus().addOutboundInterceptor(dc -> {
      Object body = dc.message().body();
      if (body instanceof JsonObject m && m.containsKey("k")) {
        sizes.add(m.encode().length());
        most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      } else if (body instanceof JsonObject m && m.containsKey("ack")) {
        // Each acknowledgement 20 ms on its way, as between hosts: in one JVM it comes back before the
        // sender's next loop turn, and the window would never hold more than the part just sent.
        vertx.setTimer(20, t -> {
          inFlight.decrementAndGet();
          dc.next();
        });
        return;
      }
      dc.next();
    });
    assertEquals(state, fetch(a, "vb"));
    assertTrue(sizes.size() > 4, sizes.size() + " parts");
    assertTrue(sizes.stream().allMatch(n -> n <= FullStateTransfer.MAX_CHUNK_BYTES), "part sizes " + sizes);
    assertTrue(most.get() > 1 && most.get() <= FullStateTransfer.WINDOW, "at most " + most.get() + " in flight");
  }

  @Test
  @DisplayName("an asker of an earlier version (no window) gets the parts one at a time")
  void earlierAsker() throws Exception {
    FullState state = StreamedFullStateTest.big(2_000);
    node("vb", state, 10_000);
    Promise<FullState> got = Promise.promise();
    FullStateAssembly assembly = new FullStateAssembly();
    vertx.runOnContext(v -> vertx.eventBus().<JsonObject>request(ReplicationVerticle.syncAddress("vb"),
        ReplicationEnvelope.syncRequest("va", 16 * 1024)).onComplete(ar -> chain(ar.result(), assembly, got)));
    assertEquals(state, got.future().await(30, TimeUnit.SECONDS));
    assertTrue(assembly.parts() > 2, assembly.parts() + " parts");
  }

  private static void chain(Message<JsonObject> m, FullStateAssembly assembly, Promise<FullState> got) {
    assertEquals(null, ReplicationEnvelope.transfer(m.body()), "not windowed");
    FullState whole = assembly.add(ReplicationEnvelope.chunk(m.body()));
    if (whole != null) {
      got.complete(whole);
      return;
    }
    m.<JsonObject>replyAndRequest(ReplicationEnvelope.ack(assembly.parts() - 1))
        .onComplete(ar -> chain(ar.result(), assembly, got));
  }

  @Test
  @DisplayName("a sender of an earlier version (it ignores the window) is followed a part at a time")
  void earlierSender() throws Exception {
    FullState state = StreamedFullStateTest.big(2_000);
    List<JsonObject> parts = ReplicationEnvelope.chunks("vb", state.seq(), state.contributions(), state.preferences(),
        state.marks(), 16 * 1024);
    vertx.eventBus().<JsonObject>consumer(ReplicationVerticle.syncAddress("vb"), m -> sendChained(m, parts, 0))
        .completion().await(10, TimeUnit.SECONDS);
    Node a = asker(10_000);
    assertEquals(state, fetch(a, "vb"));
  }

  private static void sendChained(Message<?> to, List<JsonObject> parts, int i) {
    if (i == parts.size() - 1) {
      to.reply(parts.get(i));
    } else {
      to.<JsonObject>replyAndRequest(parts.get(i)).onSuccess(ack -> sendChained(ack, parts, i + 1));
    }
  }

  @Test
  @DisplayName("a peer's malformed parts and acknowledgements are dropped; transfers go on")
  void badInput() throws Exception {
    FullState state = StreamedFullStateTest.big(20_000);
    Node b = node("vb", state, 10_000);
    Node a = asker(10_000);
    List<Throwable> uncaught = java.util.Collections.synchronizedList(new ArrayList<>());
    b.context().exceptionHandler(uncaught::add);
    a.context().exceptionHandler(uncaught::add);
    for (JsonObject bad : List.of(new JsonObject().put("transfer", 1).put("ack", "x"),
        new JsonObject().put("transfer", 1).put("ack", Integer.MAX_VALUE).put("from", "va"),
        new JsonObject().put("transfer", 1).put("ack", -5).put("from", 7),
        new JsonObject().put("transfer", 1).put("k", 0).put("o", 5),
        new JsonObject().put("transfer", 1).put("k", "zero").put("o", "vb"))) {
      vertx.eventBus().send(ReplicationVerticle.syncAddress("vb"), bad);
      vertx.eventBus().send(ReplicationVerticle.syncAddress("va"), bad);
    }
    assertEquals(state, fetch(a, "vb"));
    assertEquals(List.of(), uncaught);
  }

  @Test
  @DisplayName("a peer slower than the wait: the next fetch waits twice as long and gets the state; a success brings the wait back")
  void backoff() throws Exception {
    FullState state = StreamedFullStateTest.big(2_000);
    Context served = vertx.getOrCreateContext();
    Promise<Void> up = Promise.promise();
    served.runOnContext(v -> {
      FullStateTransfer t = new FullStateTransfer(vertx, "vb", 10_000, FullStateTransfer.MAX_CHUNK_BYTES);
      // A loaded peer: every request is answered 1.4 s after it came (the asker waits 1 s, then 2 s).
      vertx.eventBus().<JsonObject>consumer(ReplicationVerticle.syncAddress("vb"), m -> {
        if (!t.handle(m.body())) {
          vertx.setTimer(1_400, x -> t.serve(m, state));
        }
      }).completion().onComplete(up);
    });
    up.future().await(10, TimeUnit.SECONDS);
    Node a = asker(1_000);
    Exception first = assertThrows(Exception.class, () -> fetch(a, "vb"));
    assertTrue(first.getMessage().contains("Timed out"), first.getMessage());
    assertEquals(2_000, a.transfer().waitMs("vb", true, true), "doubled after a timeout");
    assertEquals(1_000, a.transfer().waitMs("vb", true, false), "another kind keeps its own wait");
    assertEquals(state, fetch(a, "vb"));
    assertEquals(1_000, a.transfer().waitMs("vb", true, true), "back to clusterSyncTimeoutMs after a success");
    // No handler at all fails at once, and says nothing of a peer's load.
    Exception none = assertThrows(Exception.class, () -> fetch(a, "nobody"));
    assertTrue(none.getMessage().contains("No handlers"), none.getMessage());
    assertEquals(1_000, a.transfer().waitMs("nobody", true, true));
  }

  @Test
  @DisplayName("a part lost on the way: the fetch fails after the timeout (and is asked for again by the table)")
  void lostPart() throws Exception {
    FullState state = StreamedFullStateTest.big(20_000);
    node("vb", state, 500);
    Node a = asker(500);
    vertx.eventBus().addOutboundInterceptor(dc -> {
      if (dc.message().body() instanceof JsonObject m && m.getInteger("k", -1) == 2) {
        return; // dropped
      }
      dc.next();
    });
    long start = System.nanoTime();
    Exception e = assertThrows(Exception.class, () -> fetch(a, "vb"));
    assertTrue(e.getMessage().contains("no full-state part"), e.getMessage());
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(450), "not before the timeout");
    assertEquals(1_000, a.transfer().waitMs("vb", true, true), "a part's timeout doubles the next wait too");
  }
}
