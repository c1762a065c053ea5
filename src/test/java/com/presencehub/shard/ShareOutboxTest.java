package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The replication bookkeeping of a shard, without a shard (no Vertx). */
@DisplayName("The share outbox")
class ShareOutboxTest {

  private static final long IDLE = 1_000;
  private final List<List<Contribution>> sent = new ArrayList<>();
  private final List<List<Preference>> sentPreferences = new ArrayList<>();
  private final ShareOutbox outbox = new ShareOutbox(new ReplicationSink() {
    @Override
    public String node() {
      return "me";
    }

    @Override
    public void send(List<Contribution> contributions, List<Preference> preferences) {
      sent.add(contributions);
      sentPreferences.add(preferences);
    }
  }, IDLE);

  private static UserEntry entry(String user) {
    return new UserEntry(new UserPresence(new UserKey("acme", user), Role.CLIENT, new PresenceTimings(IDLE, 500)));
  }

  @Test
  @DisplayName("sends a user's latest share once per flush, however often it was noted")
  void oncePerFlush() {
    UserEntry e = entry("u1");
    e.presence.sessionOpened(Role.CLIENT, 0);
    assertTrue(outbox.note(e, 0), "a new share");
    e.presence.sessionOpened(Role.CLIENT, 10);
    assertFalse(outbox.note(e, 10), "already waiting");
    outbox.flush(20);
    assertEquals(1, sent.size());
    assertEquals(2, sent.get(0).get(0).sessions(), "the state at the flush");
    assertEquals(sent.get(0).get(0), e.sent);
    outbox.flush(30);
    assertEquals(1, sent.size(), "nothing pending, nothing sent");
  }

  @Test
  @DisplayName("leaves out a later lastActiveAt alone until it moved a twentieth of the idle timeout")
  void activityResolution() {
    UserEntry e = entry("u1");
    e.presence.sessionOpened(Role.CLIENT, 0);
    outbox.note(e, 0);
    outbox.flush(0);
    e.presence.activity(IDLE / 20 - 1, IDLE / 20 - 1);
    assertFalse(outbox.note(e, IDLE / 20 - 1));
    e.presence.activity(IDLE / 20, IDLE / 20);
    assertTrue(outbox.note(e, IDLE / 20));
  }

  @Test
  @DisplayName("sends a share that went away once, then forgets what it sent")
  void goneShare() {
    UserEntry e = entry("u1");
    e.presence.sessionOpened(Role.CLIENT, 0);
    outbox.note(e, 0);
    outbox.flush(0);
    e.presence.closeSession(true, 5);
    assertTrue(outbox.note(e, 5));
    outbox.flush(5);
    assertFalse(sent.get(1).get(0).present());
    assertNull(e.sent);
    assertFalse(outbox.note(e, 6), "no share, none sent: nothing to say");
  }

  @Test
  @DisplayName("sends the preferences written here with the next flush")
  void preferences() {
    Preference p = new Preference(new UserKey("acme", "t1"), true, UserPresence.NEVER, 1, "me");
    outbox.preference(p);
    outbox.flush(0);
    assertEquals(List.of(List.of()), sent);
    assertEquals(List.of(List.of(p)), sentPreferences);
    assertEquals("me", outbox.node());
  }

  @Test
  @DisplayName("keeps nothing when the node is standalone")
  void standalone() {
    ShareOutbox none = new ShareOutbox(ReplicationSink.NONE, IDLE);
    UserEntry e = entry("u1");
    e.presence.sessionOpened(Role.CLIENT, 0);
    assertFalse(none.note(e, 0));
  }
}
