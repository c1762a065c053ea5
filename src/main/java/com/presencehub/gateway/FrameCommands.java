package com.presencehub.gateway;

import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserPresence;
import com.presencehub.presence.VisibilityPolicy;
import com.presencehub.protocol.ErrorCode;
import com.presencehub.protocol.FieldError;
import com.presencehub.protocol.FieldRules;
import io.vertx.core.json.JsonObject;

/**
 * Turns a client frame into a {@link ClientCommand} (PROTOCOL.md §4 client → hub), with every field
 * validated; a frame the hub refuses becomes a {@link ClientCommand.Refused} naming the field. Plain
 * Java: the caller passes the time and the session's role. What depends on the session's state (the
 * {@code maxWatchedUsers} limit, back-pressure) is the session's to check.
 */
final class FrameCommands {

  private final int maxUsersPerRequest;

  /** @param maxUsersPerRequest users one subscribe, unsubscribe or query may name ({@code maxUsersPerSubscribe}) */
  FrameCommands(int maxUsersPerRequest) {
    this.maxUsersPerRequest = maxUsersPerRequest;
  }

  /**
   * The first frame of a session, which must be {@code auth} (§3): anything else, or an auth
   * without a token, is refused and ends the session (4401).
   */
  ClientCommand first(JsonObject frame) {
    Object requestId = null;
    String type = null;
    try {
      requestId = FieldRules.requestId(frame);
      FieldRules f = FieldRules.of(frame);
      type = f.requiredString("type");
      if (!"auth".equals(type)) {
        return new ClientCommand.Refused(ErrorCode.UNAUTHORIZED, "the first frame must be auth", requestId, type, true);
      }
      String token;
      try {
        token = f.requiredString("token");
      } catch (FieldError noToken) {
        // No token is an unauthorized session (§4 close codes), not a frame to correct and resend.
        return new ClientCommand.Refused(ErrorCode.UNAUTHORIZED, noToken.getMessage(), requestId, type, true);
      }
      JsonObject client = f.optionalObject("client");
      if (client != null && client.getValue("platform") != null && !(client.getValue("platform") instanceof String)) {
        throw new FieldError("client.platform", "must be a string");
      }
      return new ClientCommand.Auth(token, requestId);
    } catch (FieldError e) {
      return new ClientCommand.Refused(ErrorCode.BAD_REQUEST, e.getMessage(), requestId, type, false);
    }
  }

  /**
   * A frame of an authenticated session (or one being authenticated).
   *
   * @param viewer the session's role (null while its token is being verified)
   * @param now epoch ms, for {@code activity} and {@code presence.set}
   */
  ClientCommand decode(JsonObject frame, Role viewer, long now) {
    Object requestId = null;
    String type = null;
    try {
      requestId = FieldRules.requestId(frame);
      FieldRules f = FieldRules.of(frame);
      type = f.requiredString("type");
      return switch (type) {
        case "ping" -> new ClientCommand.Ping(requestId);
        case "auth" -> new ClientCommand.Auth(f.requiredString("token"), requestId);
        case "activity" -> {
          long idleMs = f.optionalNonNegativeLong("idleMs");
          yield new ClientCommand.Activity(idleMs < 0 ? now : now - idleMs, requestId);
        }
        case "presence.set" -> presenceSet(f, viewer, now, requestId);
        case "subscribe" -> subscribe(f, viewer, requestId);
        case "unsubscribe" -> unsubscribe(f, requestId);
        case "query" -> new ClientCommand.Query(f.userList("users", maxUsersPerRequest), requestId);
        case "chat.push" -> chatPush(f, requestId);
        case "bye" -> new ClientCommand.Bye(requestId);
        default -> throw new FieldError("type", "unknown frame type '" + type + "'");
      };
    } catch (FieldError e) {
      return new ClientCommand.Refused(ErrorCode.BAD_REQUEST, e.getMessage(), requestId, type, false);
    } catch (BadFrameException e) {
      return new ClientCommand.Refused(e.code(), e.getMessage(), requestId, type, false);
    }
  }

  private static ClientCommand presenceSet(FieldRules f, Role viewer, long now, Object requestId) {
    if (viewer != Role.TECH) {
      throw new BadFrameException(ErrorCode.FORBIDDEN, "status", "only techs can set presence; a client's is automatic");
    }
    String status = f.requiredString("status");
    long until = f.optionalNonNegativeLong("until");
    if ("away".equals(status)) {
      if (until >= 0 && until <= now) {
        throw new FieldError("until", "must be in the future (epoch ms)");
      }
      return new ClientCommand.SetAway(until < 0 ? UserPresence.NEVER : until, requestId);
    } else if ("online".equals(status)) {
      if (f.has("until")) {
        throw new FieldError("until", "only allowed with status away");
      }
      return new ClientCommand.SetOnline(requestId);
    }
    throw new FieldError("status", "must be away or online");
  }

  private ClientCommand subscribe(FieldRules f, Role viewer, Object requestId) {
    if (f.has("users") == f.has("roster")) {
      throw new FieldError(null, "subscribe needs exactly one of users or roster");
    }
    if (f.has("roster")) {
      Role roster = rosterField(f);
      if (!VisibilityPolicy.canWatchRoster(viewer, roster)) {
        throw new BadFrameException(ErrorCode.FORBIDDEN, "roster", "a client may only watch the tech roster");
      }
      return new ClientCommand.SubscribeRoster(roster, requestId);
    }
    return new ClientCommand.SubscribeUsers(f.userList("users", maxUsersPerRequest), requestId);
  }

  private ClientCommand unsubscribe(FieldRules f, Object requestId) {
    if (f.has("users") == f.has("roster")) {
      throw new FieldError(null, "unsubscribe needs exactly one of users or roster");
    }
    if (f.has("roster")) {
      return new ClientCommand.UnsubscribeRoster(rosterField(f), requestId);
    }
    return new ClientCommand.UnsubscribeUsers(f.userList("users", maxUsersPerRequest), requestId);
  }

  private static ClientCommand chatPush(FieldRules f, Object requestId) {
    String to = f.requiredId("to");
    DeliveryKind kind = DeliveryKind.fromWire(f.requiredString("kind"));
    if (kind != DeliveryKind.CHAT_REQUEST && kind != DeliveryKind.CHAT_MESSAGE) {
      throw new FieldError("kind", "must be chat.request or chat.message");
    }
    return new ClientCommand.ChatPush(to, kind, f.optionalObject("payload"), requestId);
  }

  private static Role rosterField(FieldRules f) {
    Role r = Role.fromWire(f.requiredString("roster"));
    if (r == null) {
      throw new FieldError("roster", "must be tech or client");
    }
    return r;
  }
}
