package com.presencehub.cluster;

import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The convergence checker: compares every node's view (asked through a session on that node)
 * with the truth, the set of sessions the test actually holds open. A user with an open session
 * must not be offline anywhere; a user without one must be offline everywhere.
 */
final class Convergence {

  /** Open sessions per user, as the test knows them. */
  private final Map<String, Integer> open = new LinkedHashMap<>();

  synchronized void opened(String user) {
    open.merge(user, 1, Integer::sum);
  }

  synchronized void closed(String user) {
    open.merge(user, -1, Integer::sum);
  }

  synchronized Map<String, Integer> truth() {
    return new LinkedHashMap<>(open);
  }

  /** Every disagreement between {@code askers}' nodes and the truth; empty when converged. */
  List<String> mismatches(Map<String, SockJsTestClient> askers) {
    Map<String, Integer> truth = truth();
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, SockJsTestClient> a : askers.entrySet()) {
      Map<String, JsonObject> view = Portal.query(a.getValue(), truth.keySet());
      for (Map.Entry<String, Integer> t : truth.entrySet()) {
        JsonObject r = view.get(t.getKey());
        boolean offline = r == null || "offline".equals(r.getString("status"));
        if (t.getValue() > 0 && offline) {
          out.add(a.getKey() + " lost " + t.getKey() + " (" + t.getValue() + " open)");
        } else if (t.getValue() <= 0 && !offline) {
          out.add(a.getKey() + " has a ghost " + t.getKey() + " " + r.getString("status"));
        }
      }
    }
    return out;
  }
}
