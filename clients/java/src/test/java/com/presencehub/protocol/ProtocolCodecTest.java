package com.presencehub.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PublishMark;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every JSON shape of the contract, encoded and decoded by the protocol package, without a Vertx. */
@DisplayName("The protocol codec")
class ProtocolCodecTest {

  private static final PresenceRecord AWAY = new PresenceRecord("t", "u-17", Role.CLIENT, Status.AWAY,
      Reason.INACTIVE, 1_763_900_000_000L, 1_763_899_700_000L);
  private static final PresenceRecord UNKNOWN = PresenceRecord.unknown(new UserKey("t", "ghost"));

  /** A JSON value as it arrives from the wire (numbers as the parser reads them). */
  private static JsonObject wire(JsonObject o) {
    return new JsonObject(o.encode());
  }

  @Nested
  @DisplayName("presence record (§2)")
  class Records {

    @Test
    @DisplayName("has exactly the contract's fields and reads back equal, through the wire")
    void roundTrip() {
      JsonObject json = RecordJson.record(AWAY);
      assertEquals(new JsonObject("{\"user\":\"u-17\",\"role\":\"client\",\"status\":\"away\",\"reason\":\"inactive\","
          + "\"since\":1763900000000,\"lastActiveAt\":1763899700000}"), json);
      assertEquals(AWAY, RecordJson.record("t", wire(json)));
    }

    @Test
    @DisplayName("an unknown user has role, since and lastActiveAt null, and reads back equal")
    void unknown() {
      JsonObject json = RecordJson.record(UNKNOWN);
      assertTrue(json.containsKey("lastActiveAt"));
      assertNull(json.getValue("lastActiveAt"));
      assertNull(json.getValue("role"));
      assertEquals(UNKNOWN, RecordJson.record("t", wire(json)));
    }

    @Test
    @DisplayName("a presence.changes event carries the tenant first and reads back with it")
    void change() {
      JsonObject json = RecordJson.change(AWAY);
      assertEquals("tenant", json.fieldNames().iterator().next());
      assertEquals(AWAY, RecordJson.change(wire(json)));
      assertThrows(IllegalArgumentException.class, () -> RecordJson.change(RecordJson.record(AWAY)));
    }

    @Test
    @DisplayName("extra fields are allowed; a malformed record is refused")
    void malformed() {
      assertEquals(AWAY, RecordJson.record("t", RecordJson.record(AWAY).put("extra", 1)));
      assertThrows(IllegalArgumentException.class, () -> RecordJson.record("t", null));
      assertThrows(IllegalArgumentException.class, () -> RecordJson.record("t", RecordJson.record(AWAY).put("status", "busy")));
      assertThrows(IllegalArgumentException.class, () -> RecordJson.record("t", RecordJson.record(AWAY).put("reason", "x")));
      assertThrows(IllegalArgumentException.class, () -> RecordJson.record("t", RecordJson.record(AWAY).put("role", "boss")));
      assertThrows(IllegalArgumentException.class, () -> RecordJson.record("t", RecordJson.record(AWAY).putNull("user")));
    }

    @Test
    @DisplayName("a webhook event is the change with its stable id first; a batch names the tenant")
    void webhook() {
      JsonObject event = RecordJson.webhookEvent(RecordJson.change(AWAY));
      assertEquals("u-17@1763900000000:away/inactive", event.getString("id"));
      assertEquals("id", event.fieldNames().iterator().next());
      assertEquals(AWAY, RecordJson.change(event));
      JsonObject batch = RecordJson.webhookBatch("t", List.of(event));
      assertEquals("t", batch.getString("tenant"));
      assertEquals(new JsonArray().add(event), batch.getJsonArray("events"));
      assertEquals(new JsonObject().put("reason", "gap"), RecordJson.streamReset("gap"));
    }
  }

  @Nested
  @DisplayName("client frames (§4)")
  class Frames {

    @Test
    @DisplayName("welcome names the session, the user (with its name when known), its record and the timings")
    void welcome() {
      JsonObject w = ClientFrames.welcome("s-1", new UserKey("t", "u-17"), Role.CLIENT, "Cleo", AWAY, 300_000, 15_000, 4);
      assertEquals(new JsonObject().put("type", "welcome").put("session", "s-1")
          .put("user", new JsonObject().put("id", "u-17").put("tenant", "t").put("role", "client").put("name", "Cleo"))
          .put("presence", RecordJson.record(AWAY)).put("idleTimeoutMs", 300_000L).put("pingIntervalMs", 15_000L)
          .put("id", 4), w);
      JsonObject anonymous = ClientFrames.welcome("s-1", new UserKey("t", "u-17"), Role.TECH, null, AWAY, 1, 2, null);
      assertFalse(anonymous.getJsonObject("user").containsKey("name"));
      assertFalse(anonymous.containsKey("id"));
    }

    @Test
    @DisplayName("presence carries the records in the order given, and the id only when there is one")
    void presence() {
      JsonObject f = ClientFrames.presence(List.of(AWAY, UNKNOWN), "q-1");
      assertEquals("presence", f.getString("type"));
      assertEquals("q-1", f.getValue("id"));
      JsonArray updates = f.getJsonArray("updates");
      assertEquals(AWAY, RecordJson.record("t", updates.getJsonObject(0)));
      assertEquals(UNKNOWN, RecordJson.record("t", updates.getJsonObject(1)));
      assertFalse(ClientFrames.presence(List.of(), null).containsKey("id"));
    }

    @Test
    @DisplayName("ack, pong and their variants echo the id exactly")
    void acks() {
      assertEquals(new JsonObject().put("type", "ack").put("id", 7), ClientFrames.ack(7));
      assertEquals(new JsonObject().put("type", "ack"), ClientFrames.ack(null));
      assertEquals(new JsonObject().put("type", "pong").put("id", "p"), ClientFrames.pong("p"));
      assertEquals(new JsonObject().put("type", "pong"), ClientFrames.pong(null));
      assertEquals(2, ClientFrames.delivered("a", 2).getInteger("delivered"));
      assertEquals(99L, ClientFrames.refreshed("a", 99).getLong("expiresAt"));
      assertEquals(RecordJson.record(AWAY), ClientFrames.presenceSet("a", AWAY).getJsonObject("presence"));
    }

    @Test
    @DisplayName("errors carry the code word; a field error is a bad_request naming the field; not_reachable has the status as data")
    void errors() {
      assertEquals(new JsonObject().put("type", "error").put("code", "rate_limited").put("message", "slow down").put("id", 1),
          ClientFrames.error(ErrorCode.RATE_LIMITED, "slow down", 1));
      JsonObject bad = ClientFrames.error(new FieldError("users[1]", "must be a non-empty string"), null);
      assertEquals("bad_request", bad.getString("code"));
      assertEquals("users[1]: must be a non-empty string", bad.getString("message"));
      JsonObject nr = ClientFrames.notReachable("c-1", Status.AWAY, DeliveryKind.CHAT_REQUEST, "x");
      assertEquals("not_reachable", nr.getString("code"));
      assertEquals("c-1 is away: chat.request not delivered", nr.getString("message"));
      assertEquals("away", nr.getString("status"));
      JsonObject forbidden = ClientFrames.forbidden("a client may only watch techs: [c-2]", List.of("c-2"), 3);
      assertEquals("forbidden", forbidden.getString("code"));
      assertEquals(new JsonArray().add("c-2"), forbidden.getJsonArray("users"));
    }

    @Test
    @DisplayName("a delivery frame is {type: kind, from, payload}, with {} for no payload")
    void delivery() {
      JsonObject from = ClientFrames.sender("c-1", "client", null);
      assertEquals(new JsonObject().put("id", "c-1").put("role", "client"), from);
      JsonObject frame = new JsonObject(ClientFrames.delivery(DeliveryKind.CHAT_MESSAGE, from, null));
      assertEquals(new JsonObject().put("type", "chat.message").put("from", from).put("payload", new JsonObject()), frame);
      JsonObject payload = new JsonObject().put("text", "hi");
      assertEquals(payload, new JsonObject(ClientFrames.delivery(DeliveryKind.NOTIFY, from, payload)).getJsonObject("payload"));
    }
  }

  @Nested
  @DisplayName("event-bus requests and replies (§5)")
  class Bus {

    @Test
    @DisplayName("presence.query: the facade's request is what the hub reads; the reply keeps the order asked")
    void query() {
      BusMessages.Query q = BusMessages.query(wire(BusMessages.query("t", List.of("u-17", "ghost", "u-17"))), 10);
      assertEquals(new BusMessages.Query("t", List.of("u-17", "ghost")), q);
      JsonObject reply = wire(BusMessages.queryReply(List.of(UNKNOWN, AWAY)));
      Map<String, PresenceRecord> back = BusMessages.queryReply("t", reply);
      assertEquals(List.of("ghost", "u-17"), List.copyOf(back.keySet()));
      assertEquals(AWAY, back.get("u-17"));
      FieldError tooMany = assertThrows(FieldError.class, () -> BusMessages.query(BusMessages.query("t", List.of("a", "b")), 1));
      assertEquals("users: at most 1 users per request, got 2", tooMany.getMessage());
    }

    @Test
    @DisplayName("presence.reachable: request and reply round trip; an unknown kind names the field")
    void reachable() {
      BusMessages.Reachable r = BusMessages.reachable(wire(BusMessages.reachable("t", "u-17", DeliveryKind.NOTIFY)));
      assertEquals(new BusMessages.Reachable(new UserKey("t", "u-17"), DeliveryKind.NOTIFY), r);
      BusMessages.ReachableReply reply = BusMessages.reachableReply("t", wire(BusMessages.reachableReply(true, AWAY)));
      assertEquals(new BusMessages.ReachableReply(true, AWAY), reply);
      FieldError e = assertThrows(FieldError.class,
          () -> BusMessages.reachable(BusMessages.reachable("t", "u", DeliveryKind.NOTIFY).put("kind", "mail")));
      assertEquals("kind: must be chat.request, chat.message or notify", e.getMessage());
    }

    @Test
    @DisplayName("presence.roster: statuses default to both connected ones; offline is refused by index")
    void roster() {
      assertEquals(new BusMessages.Roster("t", Role.TECH, BusMessages.CONNECTED),
          BusMessages.roster(wire(BusMessages.roster("t", Role.TECH, null))));
      assertEquals(Set.of(Status.AWAY), BusMessages.roster(wire(BusMessages.roster("t", Role.CLIENT, List.of(Status.AWAY))))
          .statuses());
      FieldError off = assertThrows(FieldError.class,
          () -> BusMessages.roster(BusMessages.roster("t", Role.TECH, List.of(Status.ONLINE, Status.OFFLINE))));
      assertEquals("status[1]", off.field());
      assertTrue(off.reason().startsWith("offline is not accepted"));
      FieldError role = assertThrows(FieldError.class,
          () -> BusMessages.roster(new JsonObject().put("tenant", "t").put("role", "boss")));
      assertEquals("role: must be tech or client", role.getMessage());
      assertEquals(List.of(AWAY, UNKNOWN), BusMessages.rosterReply("t", wire(BusMessages.rosterReply(List.of(AWAY, UNKNOWN)))));
    }

    @Test
    @DisplayName("presence.deliver: round trip, payload {} when absent, the delivered frame, and the count")
    void deliver() {
      JsonObject from = ClientFrames.sender("bot", "service", "Bot");
      BusMessages.Deliver d = BusMessages.deliver(wire(BusMessages.deliver("t", "u-17", DeliveryKind.NOTIFY, from, null)));
      assertEquals(new BusMessages.Deliver(new UserKey("t", "u-17"), DeliveryKind.NOTIFY, from, new JsonObject()), d);
      assertEquals(new JsonObject().put("type", "notify").put("from", from).put("payload", new JsonObject()),
          new JsonObject(d.frame()));
      assertEquals(3, BusMessages.delivered(wire(BusMessages.delivered(3))));
      assertEquals(0, BusMessages.delivered((JsonObject) null));
      FieldError e = assertThrows(FieldError.class,
          () -> BusMessages.deliver(BusMessages.deliver("t", "u", DeliveryKind.NOTIFY, new JsonObject().put("id", 9), null)));
      assertEquals("from.id: must be a string", e.getMessage());
    }

    @Test
    @DisplayName("an edge's raw values (HTTP parameters) make the same requests, judged by the same rules")
    void rawEdgeRequests() {
      assertEquals(BusMessages.roster("t", Role.TECH, null), BusMessages.roster("t", "tech", List.of()));
      assertEquals(BusMessages.roster("t", Role.TECH, List.of(Status.ONLINE)), BusMessages.roster("t", "tech", List.of("online")));
      assertEquals(BusMessages.reachable("t", "u", DeliveryKind.NOTIFY), BusMessages.reachable("t", "u", "notify"));
      FieldError empty = assertThrows(FieldError.class, () -> BusMessages.roster(BusMessages.roster("t", Role.TECH, List.of())));
      assertEquals("status: must not be empty", empty.getMessage());
      FieldError noKind = assertThrows(FieldError.class, () -> BusMessages.reachable(BusMessages.reachable("t", "u", (String) null)));
      assertEquals("kind: is required", noKind.getMessage());
      JsonObject body = new JsonObject().put("to", "u").put("kind", "notify").put("from", new JsonObject().put("id", "b"));
      assertEquals("t", BusMessages.deliver(BusMessages.deliver("t", body)).to().tenant());
      assertFalse(body.containsKey("tenant"), "the caller's body is not changed");
    }

    @Test
    @DisplayName("node delivery: the request between nodes round trips; a broken one is refused")
    void nodeDelivery() {
      UserKey u = new UserKey("t", "u-17");
      assertEquals(new BusMessages.NodeDelivery(u, "{}"), BusMessages.nodeDelivery(wire(BusMessages.nodeDelivery(u, "{}"))));
      assertEquals("presence.node.n1.deliver", BusMessages.nodeAddress("n1"));
      FieldError e = assertThrows(FieldError.class, () -> BusMessages.nodeDelivery(new JsonObject().put("tenant", "t")));
      assertEquals("tenant, user and frame are required strings", e.getMessage());
      assertThrows(FieldError.class, () -> BusMessages.nodeDelivery(new JsonObject().put("tenant", 1).put("user", "u")
          .put("frame", "x")));
    }
  }

  @Nested
  @DisplayName("failures (§5, §8)")
  class Failures {

    @Test
    @DisplayName("not_reachable carries the status as data, and the event bus's code and message give it back")
    void notReachable() {
      RequestFailure f = RequestFailure.notReachable("c-1", Status.OFFLINE, DeliveryKind.CHAT_MESSAGE);
      assertEquals(404, f.code());
      assertEquals(Status.OFFLINE, f.status());
      assertEquals("not_reachable status=offline: c-1 is offline, chat.message not delivered", f.getMessage());
      RequestFailure back = RequestFailure.decode(f.code(), f.getMessage());
      assertEquals(Status.OFFLINE, back.status());
      assertEquals(f.getMessage(), back.getMessage());
      assertEquals(new JsonObject().put("code", "not_reachable").put("message", f.getMessage()).put("status", "offline"),
          f.toJson());
    }

    @Test
    @DisplayName("other failures decode without a status; a field error becomes a 400 with its message")
    void others() {
      assertNull(RequestFailure.decode(404, "no such thing").status());
      assertNull(RequestFailure.decode(400, "not_reachable status=away: looks alike").status());
      assertNull(RequestFailure.decode(404, "not_reachable status=busy: c-1").status());
      RequestFailure bad = RequestFailure.badRequest(new FieldError("tenant", "is required"));
      assertEquals(400, bad.code());
      assertEquals(new JsonObject().put("code", "bad_request").put("message", "tenant: is required"), bad.toJson());
      RequestFailure internal = RequestFailure.internal("boom");
      assertEquals(500, internal.code());
      assertEquals("internal: boom", internal.getMessage());
      assertEquals("internal", internal.wireCode());
    }
  }

  @Nested
  @DisplayName("the replication envelope")
  class Replication {

    private final UserKey u = new UserKey("t", "u-17");
    private final Contribution present = new Contribution(u, Role.TECH, 2, false, true, 1_000);
    private final Contribution never = new Contribution(new UserKey("t", "v"), null, 0, true, false, UserPresence.NEVER);
    private final Preference away = new Preference(u, true, 5_000, 7, "n1");
    private final Preference forever = new Preference(u, true, UserPresence.NEVER, 8, "n2");
    private final PublishMark mark = new PublishMark(u, Role.TECH, Status.AWAY, Reason.PREFERRED, 9, "n1");

    @Test
    @DisplayName("a sync request says whether it wants the shares and the ledger; one without the fields (earlier versions) wants both")
    void syncRequestLedger() {
      assertTrue(ReplicationEnvelope.wantsLedger(wire(ReplicationEnvelope.syncRequest("n1", 4096, true))));
      assertFalse(ReplicationEnvelope.wantsLedger(wire(ReplicationEnvelope.syncRequest("n1", 4096, false))));
      assertTrue(ReplicationEnvelope.wantsLedger(wire(ReplicationEnvelope.syncRequest("n1", 4096))));
      assertTrue(ReplicationEnvelope.wantsLedger(wire(ReplicationEnvelope.syncRequest("n1"))));
      JsonObject ledgerAlone = wire(ReplicationEnvelope.syncRequest("n1", 4096, false, true));
      assertFalse(ReplicationEnvelope.wantsShares(ledgerAlone));
      assertTrue(ReplicationEnvelope.wantsLedger(ledgerAlone));
      assertEquals(4096, ReplicationEnvelope.chunkBytes(ledgerAlone));
      assertTrue(ReplicationEnvelope.wantsShares(wire(ReplicationEnvelope.syncRequest("n1", 4096, false))));
      assertTrue(ReplicationEnvelope.wantsShares(wire(ReplicationEnvelope.syncRequest("n1"))), "an earlier version's request");
    }

    @Test
    @DisplayName("a delta round trips, with never as null and the marks left out when there are none")
    void delta() {
      JsonObject m = wire(ReplicationEnvelope.delta("n1", 42, List.of(present, never), List.of(away, forever), List.of(mark)));
      assertFalse(ReplicationEnvelope.isDigest(m));
      assertEquals("n1", ReplicationEnvelope.origin(m));
      assertNull(m.getJsonArray("c").getJsonArray(1).getValue(6), "never travels as null");
      assertEquals(new ReplicationEnvelope.Delta("n1", 42, List.of(present, never), List.of(away, forever), List.of(mark)),
          ReplicationEnvelope.delta(m));
      JsonObject bare = ReplicationEnvelope.delta("n1", 43, List.of(), List.of(), List.of());
      assertFalse(bare.containsKey("w"));
      assertEquals(List.of(), ReplicationEnvelope.delta(wire(bare)).marks());
    }

    @Test
    @DisplayName("a digest and a full state round trip; a sync request names the asker")
    void digestAndFullState() {
      ReplicationEnvelope.Digest d = new ReplicationEnvelope.Digest("n2", 7, 3, -12L, 99L, true);
      JsonObject dm = wire(ReplicationEnvelope.digest(d));
      assertTrue(ReplicationEnvelope.isDigest(dm));
      assertEquals(d, ReplicationEnvelope.digest(dm));
      JsonObject full = wire(ReplicationEnvelope.fullState("n2", 7, List.of(present), List.of(away), List.of(mark)));
      assertEquals(new ReplicationEnvelope.FullState("n2", 7, List.of(present), List.of(away), List.of(mark)),
          ReplicationEnvelope.fullState(full));
      assertEquals(new JsonObject().put("from", "n3"), ReplicationEnvelope.syncRequest("n3"));
      assertNull(ReplicationEnvelope.origin(null));
    }

    @Test
    @DisplayName("a mark with an unknown status is refused")
    void badMark() {
      JsonArray marks = ReplicationEnvelope.marks(List.of(mark));
      marks.getJsonArray(0).set(3, "busy");
      assertThrows(IllegalArgumentException.class, () -> ReplicationEnvelope.marks(marks));
    }

    @Test
    @DisplayName("EncodedSize counts what the event bus sends: UTF-8 JSON bytes, escapes and non-ASCII included")
    void encodedBytesMatchTheWire() {
      List<Object> values = List.of("plain", "", "q\"uote\\back/slash", "tab\tnl\ncr\rbs\bff\f", "\u0001\u001f\u007f",
          "é ü", "中文", "emoji \uD83D\uDE00 pair", 0, -1, 7L, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE, true, false,
          3.25, new JsonObject().put("k", "v"));
      JsonArray all = new JsonArray();
      for (Object v : values) {
        JsonArray one = new JsonArray().add(v);
        assertEquals(one.toBuffer().length(), EncodedSize.bytes(one), "for " + v);
        all.add(v);
      }
      all.addNull().add(new JsonArray()).add(new JsonArray().add("a").add(new JsonArray().add(1)));
      assertEquals(all.toBuffer().length(), EncodedSize.bytes(all));
      for (Object entry : ReplicationEnvelope.contributions(List.of(present, never))) {
        assertEquals(((JsonArray) entry).toBuffer().length(), EncodedSize.bytes(entry));
      }
      for (Object entry : ReplicationEnvelope.marks(List.of(mark))) {
        assertEquals(((JsonArray) entry).toBuffer().length(), EncodedSize.bytes(entry));
      }
    }

    @Test
    @DisplayName("a streamed full state of non-ASCII users: every part within the limit in bytes, nothing lost")
    void chunksBoundedInBytes() {
      List<Contribution> many = new java.util.ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        many.add(new Contribution(new UserKey("acme", "usér-中-\uD83D\uDE00-" + i), Role.CLIENT, 1, false, true, 1_700_000_000_000L + i));
      }
      int max = 8 * 1024;
      List<JsonObject> parts = ReplicationEnvelope.chunks("n1", 9, many, List.of(away), List.of(mark), max);
      int entries = 0;
      for (JsonObject part : parts) {
        int bytes = part.toBuffer().length();
        assertTrue(bytes <= max, "a part of " + bytes + " bytes");
        entries += part.getJsonArray("c").size();
      }
      assertTrue(parts.size() > 1);
      assertEquals(many.size(), entries);
    }

    @Test
    @DisplayName("parts made one at a time: the same parts as all at once, in order, the last marked, then none")
    void partsMadeOneAtATime() {
      List<Contribution> many = new java.util.ArrayList<>();
      for (int i = 0; i < 500; i++) {
        many.add(new Contribution(new UserKey("acme", "u-" + i), Role.CLIENT, 1, false, true, 1_700_000_000_000L + i));
      }
      int max = 2 * 1024;
      List<JsonObject> all = ReplicationEnvelope.chunks("n1", 9, many, List.of(away), List.of(mark), max);
      FullStateParts parts = new FullStateParts("n1", 9, many, List.of(away), List.of(mark), max);
      List<JsonObject> one = new java.util.ArrayList<>();
      while (parts.hasNext()) {
        JsonObject part = parts.next();
        assertEquals(one.size(), part.getInteger("k"));
        assertEquals(!parts.hasNext(), part.getBoolean("last"), "last only on the last part");
        assertTrue(part.toBuffer().length() <= max, "a part of " + part.toBuffer().length() + " bytes");
        one.add(part);
      }
      assertTrue(one.size() > 3, one.size() + " parts");
      assertEquals(all, one);
      assertEquals(one.size(), parts.made());
      assertThrows(java.util.NoSuchElementException.class, parts::next);
      // Concatenated, the parts are the state.
      List<Contribution> got = new java.util.ArrayList<>();
      for (JsonObject part : one) {
        ReplicationEnvelope.Chunk c = ReplicationEnvelope.chunk(part);
        got.addAll(c.contributions());
        if (c.last()) {
          assertEquals(List.of(away), c.preferences());
          assertEquals(List.of(mark), c.marks());
        }
      }
      assertEquals(many, got);
    }

    @Test
    @DisplayName("parts made one at a time split exactly where the all-at-once parts of 0.x did, at every size")
    void partsSplitAsBefore() {
      List<Contribution> many = new java.util.ArrayList<>();
      for (int i = 0; i < 120; i++) {
        many.add(new Contribution(new UserKey("acme", "u-" + "x".repeat(i % 7) + i), Role.CLIENT, 1, false, true, i));
      }
      List<List<Preference>> preferenceLists = List.of(List.of(), List.of(away));
      for (List<Preference> ps : preferenceLists) {
        // An empty list in the middle, or not; every size from one entry a part to all in one.
        for (int max = 60; max <= 6_000; max += 7) {
          List<JsonObject> made = new java.util.ArrayList<>();
          FullStateParts parts = new FullStateParts("n1", 9, many, ps, List.of(mark), max);
          while (parts.hasNext()) {
            assertTrue(made.size() <= many.size() + 2, "more parts than entries at " + max);
            made.add(parts.next());
          }
          assertEquals(allAtOnce("n1", 9, many, ps, List.of(mark), max), made, "at " + max + " bytes");
        }
      }
    }

    /** ReplicationEnvelope.chunks as it was before FullStateParts (0.x), the reference for the split. */
    private List<JsonObject> allAtOnce(String origin, long seq, List<Contribution> contributions,
        List<Preference> preferences, List<PublishMark> marks, int maxBytes) {
      JsonArray[] lists = {ReplicationEnvelope.contributions(contributions), ReplicationEnvelope.preferences(preferences),
          ReplicationEnvelope.marks(marks)};
      String[] keys = {"c", "p", "w"};
      List<JsonObject> out = new java.util.ArrayList<>();
      JsonObject part = null;
      int size = 0;
      for (int l = 0; l < lists.length; l++) {
        for (Object entry : lists[l]) {
          int bytes = EncodedSize.bytes(entry) + 1;
          if (part == null || size + bytes > maxBytes) {
            part = new JsonObject().put("o", origin).put("s", seq).put("k", out.size()).put("last", false)
                .put("c", new JsonArray()).put("p", new JsonArray()).put("w", new JsonArray());
            out.add(part);
            size = part.toBuffer().length() + 12;
          }
          part.getJsonArray(keys[l]).add(entry);
          size += bytes;
        }
      }
      out.get(out.size() - 1).put("last", true);
      return out;
    }

    @Test
    @DisplayName("an empty state is one last part; an entry larger than a part gets one of its own")
    void emptyAndOversizedParts() {
      FullStateParts empty = new FullStateParts("n1", 3, List.of(), List.of(), List.of(), 1024);
      JsonObject only = empty.next();
      assertEquals(0, only.getInteger("k"));
      assertTrue(only.getBoolean("last"));
      assertTrue(only.getJsonArray("c").isEmpty() && only.getJsonArray("p").isEmpty() && only.getJsonArray("w").isEmpty());
      assertFalse(empty.hasNext());

      Contribution big = new Contribution(new UserKey("acme", "x".repeat(400)), Role.CLIENT, 1, false, true, 1L);
      Contribution small = new Contribution(new UserKey("acme", "s"), Role.CLIENT, 1, false, true, 1L);
      FullStateParts parts = new FullStateParts("n1", 3, List.of(small, big, small), List.of(), List.of(), 200);
      List<JsonObject> made = new java.util.ArrayList<>();
      parts.forEachRemaining(made::add);
      assertEquals(List.of(1, 1, 1), made.stream().map(p -> p.getJsonArray("c").size()).toList());
      assertEquals(List.of(0, 1, 2), made.stream().map(p -> p.getInteger("k")).toList());
      assertEquals(List.of(false, false, true), made.stream().map(p -> p.getBoolean("last")).toList());
    }
  }
}
