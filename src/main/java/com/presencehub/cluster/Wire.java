package com.presencehub.cluster;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The replication messages' compact JSON: a contribution is {@code [tenant, user, role, sessions,
 * lingering, active, lastActiveAt]}, a preference {@code [tenant, user, away, until, stamp, node]},
 * a publish mark {@code [tenant, user, role, status, reason, stamp, node]}.
 * Arrays, not objects: a snapshot of a busy node carries tens of thousands of them.
 *
 * <p>The envelopes on {@code presence.repl}: a delta {@code {"t":"d","o":origin,"s":seq,"c":[…],
 * "p":[…],"w":[…]?}}, a digest {@code {"t":"g","o","s","n":count,"h":fingerprint,"ph":preference
 * fingerprint,"q":paused}}; a full state (the reply on {@code presence.repl.sync.<id>}) {@code
 * {"o","s","c","p","w"}}.
 */
final class Wire {

  private Wire() {
  }

  static JsonArray contributions(Collection<Contribution> cs) {
    JsonArray a = new JsonArray(new ArrayList<>(cs.size()));
    for (Contribution c : cs) {
      a.add(new JsonArray().add(c.user().tenant()).add(c.user().user()).add(c.role() == null ? null : c.role().wire())
          .add(c.sessions()).add(c.lingering()).add(c.active())
          .add(c.lastActiveAt() == UserPresence.NEVER ? null : c.lastActiveAt()));
    }
    return a;
  }

  static List<Contribution> contributions(JsonArray a) {
    if (a == null) {
      return List.of();
    }
    List<Contribution> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonArray c = a.getJsonArray(i);
      Long last = c.getLong(6);
      out.add(new Contribution(new UserKey(c.getString(0), c.getString(1)), Role.fromWire(c.getString(2)),
          c.getInteger(3), c.getBoolean(4), c.getBoolean(5), last == null ? UserPresence.NEVER : last));
    }
    return out;
  }

  static JsonArray preferences(Collection<Preference> ps) {
    JsonArray a = new JsonArray(new ArrayList<>(ps.size()));
    for (Preference p : ps) {
      a.add(new JsonArray().add(p.user().tenant()).add(p.user().user()).add(p.away())
          .add(p.until() == UserPresence.NEVER ? null : p.until()).add(p.stamp()).add(p.node()));
    }
    return a;
  }

  static List<Preference> preferences(JsonArray a) {
    if (a == null) {
      return List.of();
    }
    List<Preference> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonArray p = a.getJsonArray(i);
      Long until = p.getLong(3);
      out.add(new Preference(new UserKey(p.getString(0), p.getString(1)), p.getBoolean(2),
          until == null ? UserPresence.NEVER : until, p.getLong(4), p.getString(5)));
    }
    return out;
  }

  static JsonArray marks(Collection<ChangeStream.Mark> ms) {
    JsonArray a = new JsonArray(new ArrayList<>(ms.size()));
    for (ChangeStream.Mark m : ms) {
      a.add(new JsonArray().add(m.user().tenant()).add(m.user().user()).add(m.role() == null ? null : m.role().wire())
          .add(m.status().wire()).add(m.reason().wire()).add(m.stamp()).add(m.node()));
    }
    return a;
  }

  static List<ChangeStream.Mark> marks(JsonArray a) {
    if (a == null) {
      return List.of();
    }
    List<ChangeStream.Mark> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonArray m = a.getJsonArray(i);
      Status status = Status.fromWire(m.getString(3));
      Reason reason = Reason.fromWire(m.getString(4));
      if (status == null || reason == null) {
        throw new IllegalArgumentException("bad publish mark " + m.encode());
      }
      out.add(new ChangeStream.Mark(new UserKey(m.getString(0), m.getString(1)), Role.fromWire(m.getString(2)),
          status, reason, m.getLong(5), m.getString(6)));
    }
    return out;
  }

  static JsonObject delta(String origin, ReplicaMessages.Delta d) {
    JsonObject m = new JsonObject().put("t", "d").put("o", origin).put("s", d.seq())
        .put("c", contributions(d.contributions())).put("p", preferences(d.preferences()));
    return d.marks().isEmpty() ? m : m.put("w", marks(d.marks()));
  }

  static ReplicaMessages.Delta delta(JsonObject m) {
    return new ReplicaMessages.Delta(m.getLong("s"), contributions(m.getJsonArray("c")),
        preferences(m.getJsonArray("p")), marks(m.getJsonArray("w")));
  }

  static JsonObject fullState(String origin, ReplicaMessages.FullState f) {
    return new JsonObject().put("o", origin).put("s", f.seq()).put("c", contributions(f.contributions()))
        .put("p", preferences(f.preferences())).put("w", marks(f.marks()));
  }

  static ReplicaMessages.FullState fullState(JsonObject m) {
    return new ReplicaMessages.FullState(m.getLong("s"), contributions(m.getJsonArray("c")),
        preferences(m.getJsonArray("p")), marks(m.getJsonArray("w")));
  }

  static JsonObject digest(String origin, ReplicaMessages.Digest g) {
    return new JsonObject().put("t", "g").put("o", origin).put("s", g.seq()).put("n", g.count())
        .put("h", g.fingerprint()).put("ph", g.preferenceFingerprint()).put("q", g.paused());
  }

  static ReplicaMessages.Digest digest(JsonObject m) {
    return new ReplicaMessages.Digest(m.getLong("s"), m.getInteger("n", 0), m.getLong("h"), m.getLong("ph"),
        m.getBoolean("q", false));
  }

  /**
   * {@code f} as streamed parts {@code {"o","s","k":index,"last":bool,"c","p","w"}}, each at most
   * {@code maxBytes} encoded (an entry larger than that alone gets a part of its own), in order:
   * contributions, then preferences, then marks. Never empty: an empty state is one last part.
   */
  static List<JsonObject> chunks(String origin, ReplicaMessages.FullState f, int maxBytes) {
    JsonArray[] lists = {contributions(f.contributions()), preferences(f.preferences()), marks(f.marks())};
    List<JsonObject> out = new ArrayList<>();
    JsonObject part = null;
    int size = 0;
    for (int l = 0; l < lists.length; l++) {
      for (Object entry : lists[l]) {
        int bytes = ((JsonArray) entry).encode().length() + 1;
        if (part == null || size + bytes > maxBytes) {
          part = new JsonObject().put("o", origin).put("s", f.seq()).put("k", out.size()).put("last", false)
              .put("c", new JsonArray()).put("p", new JsonArray()).put("w", new JsonArray());
          out.add(part);
          size = part.encode().length() + 12;
        }
        part.getJsonArray(l == 0 ? "c" : l == 1 ? "p" : "w").add(entry);
        size += bytes;
      }
    }
    if (out.isEmpty()) {
      out.add(new JsonObject().put("o", origin).put("s", f.seq()).put("k", 0).put("c", new JsonArray())
          .put("p", new JsonArray()).put("w", new JsonArray()));
    }
    out.get(out.size() - 1).put("last", true);
    return out;
  }

  /** A streamed part, or null when {@code m} is a whole full state (from a node that does not stream). */
  static ReplicaMessages.Chunk chunk(JsonObject m) {
    if (!m.containsKey("k")) {
      return null;
    }
    return new ReplicaMessages.Chunk(m.getLong("s"), m.getInteger("k"), m.getBoolean("last"),
        contributions(m.getJsonArray("c")), preferences(m.getJsonArray("p")), marks(m.getJsonArray("w")));
  }
}
