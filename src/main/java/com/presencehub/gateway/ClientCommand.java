package com.presencehub.gateway;

import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Role;
import com.presencehub.protocol.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A client frame, decoded and validated by {@link FrameCommands} (PROTOCOL.md §4 client → hub):
 * what the session asks of the hub, or why the frame is refused. {@code requestId} is the frame's
 * {@code id}, echoed on the reply (null when absent); {@link #type()} is the frame's {@code type}.
 */
sealed interface ClientCommand {

  String type();

  Object requestId();

  /** {@code ping}: answered with a pong (§4 Liveness). */
  record Ping(Object requestId) implements ClientCommand {
    public String type() {
      return "ping";
    }
  }

  /** {@code auth}: the first one opens the session, a later one refreshes its token (§3). */
  record Auth(String token, Object requestId) implements ClientCommand {
    public String type() {
      return "auth";
    }
  }

  /** {@code activity}: the user was last active {@code at} (epoch ms). */
  record Activity(long at, Object requestId) implements ClientCommand {
    public String type() {
      return "activity";
    }
  }

  /** {@code presence.set} away: until {@code until} (epoch ms; {@code UserPresence.NEVER}: until cleared). */
  record SetAway(long until, Object requestId) implements ClientCommand {
    public String type() {
      return "presence.set";
    }
  }

  /** {@code presence.set} online: the preferred away is cleared. */
  record SetOnline(Object requestId) implements ClientCommand {
    public String type() {
      return "presence.set";
    }
  }

  /** {@code subscribe} by user ids (distinct, in request order). */
  record SubscribeUsers(List<String> users, Object requestId) implements ClientCommand {
    public String type() {
      return "subscribe";
    }
  }

  /** {@code subscribe} to a roster the session's role may watch. */
  record SubscribeRoster(Role roster, Object requestId) implements ClientCommand {
    public String type() {
      return "subscribe";
    }
  }

  record UnsubscribeUsers(List<String> users, Object requestId) implements ClientCommand {
    public String type() {
      return "unsubscribe";
    }
  }

  record UnsubscribeRoster(Role roster, Object requestId) implements ClientCommand {
    public String type() {
      return "unsubscribe";
    }
  }

  /** {@code query}: the records of these users, once. */
  record Query(List<String> users, Object requestId) implements ClientCommand {
    public String type() {
      return "query";
    }
  }

  /** {@code chat.push} of a chat request or message to user {@code to}; {@code payload} may be null. */
  record ChatPush(String to, DeliveryKind kind, JsonObject payload, Object requestId) implements ClientCommand {
    public String type() {
      return "chat.push";
    }
  }

  /** {@code bye}: the user leaves; no grace. */
  record Bye(Object requestId) implements ClientCommand {
    public String type() {
      return "bye";
    }
  }

  /**
   * A frame the hub refuses: answered with an error frame of {@code code} and {@code message};
   * {@code endsSession} when the session is then closed as unauthorized (4401). {@code type} is null
   * when the frame's type (or id) could not be read.
   */
  record Refused(ErrorCode code, String message, Object requestId, String type, boolean endsSession)
      implements ClientCommand {
  }
}
