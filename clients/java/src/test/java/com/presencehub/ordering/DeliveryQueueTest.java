package com.presencehub.ordering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-user ordered delivery queue, driven by hand (no Vertx: plain promises complete in place). */
@DisplayName("The per-user delivery queue")
class DeliveryQueueTest {

  private final DeliveryQueue<String> queue = new DeliveryQueue<>();
  private final List<String> started = new ArrayList<>();
  private final List<Promise<Integer>> pending = new ArrayList<>();

  private Future<Integer> submit(String user, String name) {
    return queue.submit(user, () -> {
      started.add(name);
      Promise<Integer> p = Promise.promise();
      pending.add(p);
      return p.future();
    });
  }

  @Test
  @DisplayName("starts a user's second delivery only once the first is done, then in submission order")
  void oneAtATimePerUser() {
    Future<Integer> a = submit("u", "a");
    Future<Integer> b = submit("u", "b");
    Future<Integer> c = submit("u", "c");
    assertEquals(List.of("a"), started);
    pending.get(0).complete(1);
    assertEquals(List.of("a", "b"), started);
    assertTrue(a.succeeded());
    assertEquals(1, a.result());
    assertTrue(!b.isComplete() && !c.isComplete());
    pending.get(1).complete(2);
    pending.get(2).complete(3);
    assertEquals(List.of("a", "b", "c"), started);
    assertEquals(2, b.result());
    assertEquals(3, c.result());
    assertEquals(0, queue.size(), "nothing left once all are done");
  }

  @Test
  @DisplayName("does not make one user wait for another")
  void usersIndependent() {
    submit("u", "u1");
    submit("v", "v1");
    submit("u", "u2");
    assertEquals(List.of("u1", "v1"), started);
    assertEquals(2, queue.size());
    pending.get(1).complete(0);
    assertEquals(List.of("u1", "v1"), started, "v finishing does not start u's next");
    pending.get(0).complete(0);
    assertEquals(List.of("u1", "v1", "u2"), started);
  }

  @Test
  @DisplayName("goes on after a failed or throwing delivery, passing each one's own outcome back")
  void failureDoesNotBlock() {
    Future<Integer> a = submit("u", "a");
    Future<Integer> boom = queue.submit("u", () -> {
      started.add("boom");
      throw new IllegalStateException("boom");
    });
    Future<Integer> c = submit("u", "c");
    pending.get(0).fail(new RuntimeException("lost"));
    assertTrue(a.failed());
    assertEquals("lost", a.cause().getMessage());
    assertTrue(boom.failed());
    assertEquals("boom", boom.cause().getMessage());
    assertEquals(List.of("a", "boom", "c"), started);
    pending.get(1).complete(7);
    assertEquals(7, c.result());
    assertEquals(0, queue.size());
  }

  @Test
  @DisplayName("resumes a waiting delivery through the given executor")
  void resumesThroughExecutor() {
    List<Runnable> resumed = new ArrayList<>();
    Executor later = resumed::add;
    submit("u", "a");
    queue.submit("u", later, () -> {
      started.add("b");
      return Future.succeededFuture(2);
    });
    pending.get(0).complete(1);
    assertEquals(List.of("a"), started, "not started on the completing thread");
    assertEquals(1, resumed.size());
    resumed.get(0).run();
    assertEquals(List.of("a", "b"), started);
  }
}
