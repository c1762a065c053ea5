package com.presencehub.cluster;

import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Portal users logging in to the nodes of a {@link com.presencehub.testing.HubCluster}. */
final class Portal implements AutoCloseable {

  static final String TENANT = "acme";

  final Vertx vertx = Vertx.vertx();
  final TestTokens tokens = new TestTokens(vertx);
  private final List<SockJsTestClient> opened = new ArrayList<>();

  SockJsTestClient login(HubProcess node, String user, String role) {
    return login(node, Transport.RAW_WEBSOCKET, user, role);
  }

  SockJsTestClient login(HubProcess node, Transport transport, String user, String role) {
    SockJsTestClient c = SockJsTestClient.open(vertx, node.httpPort(), transport);
    synchronized (opened) {
      opened.add(c);
    }
    c.auth(tokens.token(TENANT, user, role));
    return c;
  }

  /**
   * The records of {@code users} as {@code asker}'s node sees them, by user id; asked 200 at a
   * time (a reply frame holds at most 256 records).
   */
  /** Every asker's node's view of {@code users}: asker's key (the node) → user → status. */
  static Map<String, Map<String, String>> views(Map<String, SockJsTestClient> askers, Collection<String> users) {
    Map<String, Map<String, String>> views = new LinkedHashMap<>();
    for (Map.Entry<String, SockJsTestClient> a : askers.entrySet()) {
      Map<String, String> view = new LinkedHashMap<>();
      query(a.getValue(), users).forEach((u, r) -> view.put(u, r.getString("status")));
      views.put(a.getKey(), view);
    }
    return views;
  }

  static Map<String, JsonObject> query(SockJsTestClient asker, Collection<String> users) {
    List<String> all = new ArrayList<>(users);
    Map<String, JsonObject> out = new HashMap<>();
    for (int i = 0; i < all.size(); i += 200) {
      out.putAll(queryOnce(asker, all.subList(i, Math.min(all.size(), i + 200))));
    }
    return out;
  }

  private static Map<String, JsonObject> queryOnce(SockJsTestClient asker, Collection<String> users) {
    String id = UUID.randomUUID().toString();
    asker.send(new JsonObject().put("type", "query").put("id", id).put("users", new JsonArray(new ArrayList<>(users))));
    JsonObject reply = asker.reply(id);
    if (!"presence".equals(reply.getString("type"))) {
      throw new AssertionError("query refused: " + reply.encode());
    }
    Map<String, JsonObject> out = new HashMap<>();
    for (Object o : reply.getJsonArray("updates")) {
      JsonObject r = (JsonObject) o;
      out.put(r.getString("user"), r);
    }
    return out;
  }

  static String status(SockJsTestClient asker, String user) {
    return query(asker, List.of(user)).get(user).getString("status");
  }

  @Override
  public void close() {
    synchronized (opened) {
      for (SockJsTestClient c : opened) {
        c.disconnect();
      }
    }
    vertx.close();
  }
}
