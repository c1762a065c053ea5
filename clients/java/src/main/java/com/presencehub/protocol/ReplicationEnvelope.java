package com.presencehub.protocol;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PublishMark;
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
 * The replication messages between hub nodes (not part of the public contract, but on the shared
 * event bus): a numbered delta {@code {"t":"d","o":node,"s":seq,"c":[…],"p":[…][,"w":[…]]}}, a
 * digest {@code {"t":"g","o","s","n":size,"h":fingerprint,"ph":preferenceFingerprint,"q":paused}},
 * a full state {@code {"o","s","c","p","w"}} answering a sync request {@code {"from":node}}; to a
 * request {@code {"from":node,"chunks":maxBytes[,"ledger":false][,"shares":false]}} ("ledger"
 * false: no publish marks in the answer; "shares" false: only them, no shares nor preferences; a
 * node of an earlier version ignores "shares" and sends everything), the full state streamed as parts {@code
 * {"o","s","k":index,"last":bool,"c","p","w"}}, each acknowledged by {@code {"ack":index}}; with
 * {@code "window":n,"transfer":id} in the request (see {@link #windowed}) up to n parts travel at once.
 *
 * <p>Inside, a contribution is {@code [tenant, user, role, sessions, lingering, active,
 * lastActiveAt]}, a preference {@code [tenant, user, away, until, stamp, node]}, a publish mark
 * {@code [tenant, user, role, status, reason, stamp, node]}. Arrays, not objects: a full state of a
 * busy node carries tens of thousands of them. "Never" ({@link UserPresence#NEVER}) is {@code null}.
 */
public final class ReplicationEnvelope {

  private ReplicationEnvelope() {
  }

  /** A numbered delta: what changed on {@code origin} since {@code seq - 1}. */
  public record Delta(String origin, long seq, List<Contribution> contributions, List<Preference> preferences,
      List<PublishMark> marks) {
  }

  /** A node's periodic summary, against which a peer checks what it holds. */
  public record Digest(String origin, long seq, int size, long fingerprint, long preferenceFingerprint, boolean paused) {
  }

  /** A node's whole share at {@code seq}, the reply to a sync request. */
  public record FullState(String origin, long seq, List<Contribution> contributions, List<Preference> preferences,
      List<PublishMark> marks) {
  }

  /**
   * One part of a streamed full state: part {@code index} (from 0) of {@code origin}'s state at
   * {@code seq}; the {@code last} one completes it. Concatenated in order, the parts are the state.
   */
  public record Chunk(String origin, long seq, int index, boolean last, List<Contribution> contributions,
      List<Preference> preferences, List<PublishMark> marks) {
  }

  public static JsonObject delta(String origin, long seq, Collection<Contribution> contributions,
      Collection<Preference> preferences, Collection<PublishMark> marks) {
    JsonObject m = new JsonObject().put("t", "d").put("o", origin).put("s", seq)
        .put("c", contributions(contributions)).put("p", preferences(preferences));
    if (!marks.isEmpty()) {
      m.put("w", marks(marks));
    }
    return m;
  }

  public static JsonObject digest(Digest d) {
    return new JsonObject().put("t", "g").put("o", d.origin()).put("s", d.seq()).put("n", d.size())
        .put("h", d.fingerprint()).put("ph", d.preferenceFingerprint()).put("q", d.paused());
  }

  public static JsonObject fullState(String origin, long seq, Collection<Contribution> contributions,
      Collection<Preference> preferences, Collection<PublishMark> marks) {
    return new JsonObject().put("o", origin).put("s", seq).put("c", contributions(contributions))
        .put("p", preferences(preferences)).put("w", marks(marks));
  }

  public static JsonObject syncRequest(String from) {
    return new JsonObject().put("from", from);
  }

  /** A sync request from a node that takes the full state in parts of at most {@code maxBytes}. */
  public static JsonObject syncRequest(String from, int maxBytes) {
    return syncRequest(from).put("chunks", maxBytes);
  }

  /**
   * A streamed sync request that leaves the publish marks out of the answer: a node joining takes
   * the ledger from one peer, not from every one (issue 17: join time).
   */
  public static JsonObject syncRequest(String from, int maxBytes, boolean withLedger) {
    JsonObject r = syncRequest(from, maxBytes);
    return withLedger ? r : r.put("ledger", false);
  }

  /**
   * A streamed sync request; {@code withShares} false asks for the publish marks alone (a joining
   * node takes the speaker's ledger beside its shares, not before its readiness; issue 17).
   */
  public static JsonObject syncRequest(String from, int maxBytes, boolean withShares, boolean withLedger) {
    JsonObject r = syncRequest(from, maxBytes, withLedger);
    return withShares ? r : r.put("shares", false);
  }

  /** Whether a sync request wants the shares and preferences ({@code "shares"}, absent: true). */
  public static boolean wantsShares(JsonObject request) {
    return request == null || !Boolean.FALSE.equals(request.getValue("shares"));
  }

  /** Whether a sync request wants the publish marks ({@code "ledger"}, absent: true, as from earlier versions). */
  public static boolean wantsLedger(JsonObject request) {
    return request == null || !Boolean.FALSE.equals(request.getValue("ledger"));
  }

  /** The largest part a sync request asks for, or 0 when it takes the whole state as one reply. */
  public static int chunkBytes(JsonObject request) {
    return request == null ? 0 : request.getInteger("chunks", 0);
  }

  public static JsonObject ack(int index) {
    return new JsonObject().put("ack", index);
  }

  /**
   * Marks {@code m} (a sync request, a part or an acknowledgement) as of the windowed transfer
   * {@code id}: at most {@code window} parts unacknowledged, those after the first sent to the
   * asker's own sync address, acknowledged on the sender's (issue 17). A node of an earlier version
   * ignores both fields and answers a part at a time.
   */
  public static JsonObject windowed(JsonObject m, int window, long id) {
    return m.put("window", window).put("transfer", id);
  }

  /** The window a request or part names, or 0 (none: a part at a time). */
  public static int window(JsonObject m) {
    return m != null && m.getValue("window") instanceof Number n ? Math.max(0, n.intValue()) : 0;
  }

  /** The windowed transfer a message belongs to, or null. */
  public static Long transfer(JsonObject m) {
    return m != null && m.getValue("transfer") instanceof Number n ? n.longValue() : null;
  }

  /**
   * The full state {@code f} of {@code origin} as parts, each at most {@code maxBytes} encoded (an
   * entry larger than that alone gets a part of its own), in order: contributions, preferences,
   * marks. Never empty: an empty state is one last part. All at once: {@link FullStateParts} makes
   * them one at a time.
   */
  public static List<JsonObject> chunks(String origin, long seq, Collection<Contribution> contributions,
      Collection<Preference> preferences, Collection<PublishMark> marks, int maxBytes) {
    FullStateParts parts = new FullStateParts(origin, seq, List.copyOf(contributions), List.copyOf(preferences),
        List.copyOf(marks), maxBytes);
    List<JsonObject> out = new ArrayList<>();
    parts.forEachRemaining(out::add);
    return out;
  }

  /** @deprecated moved to {@link EncodedSize#bytes}; kept for callers of the 0.x client jar. */
  @Deprecated
  public static int encodedBytes(Object value) {
    return EncodedSize.bytes(value);
  }

  /**
   * A part of a streamed full state, or null when {@code m} is a whole full state (the answer of a
   * node that does not stream).
   *
   * @throws RuntimeException on a malformed message
   */
  public static Chunk chunk(JsonObject m) {
    if (!m.containsKey("k")) {
      return null;
    }
    return new Chunk(m.getString("o"), m.getLong("s"), m.getInteger("k"), m.getBoolean("last"),
        contributions(m.getJsonArray("c")), preferences(m.getJsonArray("p")), marks(m.getJsonArray("w")));
  }

  /** The sender of a delta or digest, or null: to be checked (and own messages dropped) before decoding. */
  public static String origin(JsonObject m) {
    return m == null ? null : m.getString("o");
  }

  /** Whether {@code m} is a digest (else a delta). */
  public static boolean isDigest(JsonObject m) {
    return "g".equals(m.getString("t"));
  }

  /** @throws RuntimeException (ClassCast, NullPointer, IllegalArgument) on a malformed message */
  public static Delta delta(JsonObject m) {
    return new Delta(m.getString("o"), m.getLong("s"), contributions(m.getJsonArray("c")),
        preferences(m.getJsonArray("p")), marks(m.getJsonArray("w")));
  }

  /** @throws RuntimeException on a malformed message */
  public static Digest digest(JsonObject m) {
    return new Digest(m.getString("o"), m.getLong("s"), m.getInteger("n", 0), m.getLong("h"), m.getLong("ph"),
        m.getBoolean("q", false));
  }

  /** @throws RuntimeException on a malformed message */
  public static FullState fullState(JsonObject m) {
    return new FullState(m.getString("o"), m.getLong("s"), contributions(m.getJsonArray("c")),
        preferences(m.getJsonArray("p")), marks(m.getJsonArray("w")));
  }

  // ---- the compact arrays ---------------------------------------------------------------------------

  public static JsonArray contributions(Collection<Contribution> cs) {
    JsonArray a = new JsonArray(new ArrayList<>(cs.size()));
    cs.forEach(c -> a.add(contribution(c)));
    return a;
  }

  static JsonArray contribution(Contribution c) {
    return new JsonArray().add(c.user().tenant()).add(c.user().user()).add(c.role() == null ? null : c.role().wire())
        .add(c.sessions()).add(c.lingering()).add(c.active())
        .add(c.lastActiveAt() == UserPresence.NEVER ? null : c.lastActiveAt());
  }

  /** @return the contributions, none for a null array */
  public static List<Contribution> contributions(JsonArray a) {
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

  public static JsonArray preferences(Collection<Preference> ps) {
    JsonArray a = new JsonArray(new ArrayList<>(ps.size()));
    ps.forEach(p -> a.add(preference(p)));
    return a;
  }

  static JsonArray preference(Preference p) {
    return new JsonArray().add(p.user().tenant()).add(p.user().user()).add(p.away())
        .add(p.until() == UserPresence.NEVER ? null : p.until()).add(p.stamp()).add(p.node());
  }

  /** @return the preferences, none for a null array */
  public static List<Preference> preferences(JsonArray a) {
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

  public static JsonArray marks(Collection<PublishMark> ms) {
    JsonArray a = new JsonArray(new ArrayList<>(ms.size()));
    ms.forEach(m -> a.add(mark(m)));
    return a;
  }

  static JsonArray mark(PublishMark m) {
    return new JsonArray().add(m.user().tenant()).add(m.user().user()).add(m.role() == null ? null : m.role().wire())
        .add(m.status().wire()).add(m.reason().wire()).add(m.stamp()).add(m.node());
  }

  /**
   * @return the marks, none for a null array
   * @throws IllegalArgumentException for a mark with an unknown status or reason
   */
  public static List<PublishMark> marks(JsonArray a) {
    if (a == null) {
      return List.of();
    }
    List<PublishMark> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonArray m = a.getJsonArray(i);
      Status status = Status.fromWire(m.getString(3));
      Reason reason = Reason.fromWire(m.getString(4));
      if (status == null || reason == null) {
        throw new IllegalArgumentException("bad publish mark " + m.encode());
      }
      out.add(new PublishMark(new UserKey(m.getString(0), m.getString(1)), Role.fromWire(m.getString(2)),
          status, reason, m.getLong(5), m.getString(6)));
    }
    return out;
  }
}
