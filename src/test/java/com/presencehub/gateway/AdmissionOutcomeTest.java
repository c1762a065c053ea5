package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.protocol.ErrorCode;
import io.vertx.core.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a refreshed token does to an open session (PROTOCOL.md §3 token refresh), without a hub. */
@DisplayName("A token refresh")
class AdmissionOutcomeTest {

  private static final Identity CURRENT = new Identity(new UserKey("t1", "u1"), Role.TECH, "Ann", 1_000);

  @Test
  @DisplayName("for the same user, tenant and role: the new identity is in force and the ack carries its expiry")
  void accepted() {
    Identity renewed = new Identity(new UserKey("t1", "u1"), Role.TECH, "Ann B.", 9_000);
    Admission.Outcome o = Admission.refreshed(Future.succeededFuture(renewed), CURRENT, 4);
    assertTrue(o.admitted());
    assertSame(renewed, o.identity());
    assertEquals("ack", o.reply().getString("type"));
    assertEquals(4, o.reply().getValue("id"));
    assertEquals(9_000L, o.reply().getLong("expiresAt"));
  }

  @Test
  @DisplayName("for another user or role: refused, the current token stays and the session stays open")
  void otherUser() {
    Identity other = new Identity(new UserKey("t1", "u1"), Role.CLIENT, null, 9_000);
    Admission.Outcome o = Admission.refreshed(Future.succeededFuture(other), CURRENT, null);
    assertFalse(o.admitted());
    assertEquals(ErrorCode.UNAUTHORIZED, o.error());
    assertEquals("the new token is for another user, tenant or role", o.message());
    assertEquals(0, o.closeCode());
  }

  @Test
  @DisplayName("an invalid token (bad signature, expired): refused, the current token stays in force")
  void invalid() {
    Admission.Outcome o = Admission.refreshed(Future.failedFuture(TokenVerifier.unauthorized(null, "token: expired")),
        CURRENT, null);
    assertEquals(ErrorCode.UNAUTHORIZED, o.error());
    assertEquals("token: expired (the current token stays in force)", o.message());
    assertEquals(0, o.closeCode());
    assertNull(o.reply());
  }

  @Test
  @DisplayName("a token with malformed claims ends the session with 4401")
  void malformed() {
    Admission.Outcome o = Admission.refreshed(Future.failedFuture(TokenVerifier.unauthorized("tenant", "token.tenant: must be a string")),
        CURRENT, null);
    assertEquals(ErrorCode.UNAUTHORIZED, o.error());
    assertEquals("token.tenant: must be a string", o.message());
    assertEquals(CloseCode.UNAUTHORIZED, o.closeCode());
    assertEquals("unauthorized", o.closeReason());
  }
}
