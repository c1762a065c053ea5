package com.presencehub.gateway;

import com.presencehub.config.GatewayOptions;
import com.presencehub.protocol.ClientFrames;
import com.presencehub.protocol.ErrorCode;
import com.presencehub.shard.Opened;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.json.JsonObject;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The auth step of a session (PROTOCOL.md §3, §4 welcome): the token is verified into an {@link
 * Identity}, the user's shard admits the session (one role per user, sessions per user), and the
 * welcome is built; a refreshed token is checked against the identity in force. Every way it ends
 * is an {@link Outcome}: the reply to send, or the error to send and how to close.
 */
final class Admission {

  /**
   * How an auth frame ends: admitted ({@code error} null) with {@code reply} to send, or refused
   * with an error frame of {@code error} and {@code message}, then closed with {@code closeCode}
   * and {@code closeReason} unless {@code closeCode} is 0 (the session stays as it was).
   */
  record Outcome(Identity identity, JsonObject reply, ErrorCode error, String message, int closeCode,
      String closeReason) {

    static Outcome refused(ErrorCode error, String message, int closeCode, String closeReason) {
      return new Outcome(null, null, error, message, closeCode, closeReason);
    }

    boolean admitted() {
      return error == null;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  private final TokenVerifier verifier;
  private final ShardDirectory directory;
  private final GatewayOptions opts;

  Admission(TokenVerifier verifier, ShardDirectory directory, GatewayOptions opts) {
    this.verifier = verifier;
    this.directory = directory;
    this.opts = opts;
  }

  /**
   * Verifies the first token of {@code session}, then opens it at the user's shard.
   *
   * @param verified told the identity before the shard hears of the session (by then {@code
   *     session.user()} and {@code role()} must answer); false when the session no longer waits
   *     for it, and the shard is not asked
   * @return the outcome, on the caller's loop; null when {@code verified} said false
   */
  Future<Outcome> admit(String token, SessionLink session, String sessionId, Object requestId,
      Predicate<Identity> verified) {
    return verifier.verify(token).transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(Outcome.refused(ErrorCode.UNAUTHORIZED, ar.cause().getMessage(),
            CloseCode.UNAUTHORIZED, "unauthorized"));
      }
      Identity identity = ar.result();
      if (!verified.test(identity)) {
        return Future.succeededFuture(null);
      }
      return directory.open(session)
          .transform(opened -> Future.succeededFuture(opened(opened, identity, sessionId, requestId)));
    });
  }

  private Outcome opened(AsyncResult<Opened> opened, Identity identity, String sessionId,
      Object requestId) {
    if (opened.failed()) {
      LOG.debug("session " + sessionId + ": open failed", opened.cause());
      return Outcome.refused(ErrorCode.BAD_REQUEST, "could not open session: node not ready",
          CloseCode.SHUTTING_DOWN, "node not ready");
    }
    Opened admitted = opened.result();
    if (admitted.refused()) {
      // §3 one role per user: 4401; §4 sessions per user: 4408. The shard registered nothing.
      boolean conflict = admitted.refusal() == Opened.Refusal.ROLE_CONFLICT;
      return Outcome.refused(conflict ? ErrorCode.UNAUTHORIZED : ErrorCode.TOO_LARGE, admitted.message(),
          conflict ? CloseCode.UNAUTHORIZED : CloseCode.POLICY, conflict ? "role conflict" : "too many sessions");
    }
    JsonObject welcome = ClientFrames.welcome(sessionId, identity.key(), identity.role(), identity.name(),
        admitted.record(), opts.idleTimeoutMs(), LivenessTracker.pingInterval(opts.livenessTimeoutMs()), requestId);
    return new Outcome(identity, welcome, null, null, 0, null);
  }

  /**
   * A later {@code auth} of an open session, whose identity is {@code current} (§3 token refresh):
   * the new token must be for the same user, tenant and role; a token with broken claims ends the
   * session, any other refusal leaves the current token in force.
   */
  static Outcome refreshed(AsyncResult<Identity> verified, Identity current, Object requestId) {
    if (verified.failed() && TokenVerifier.isMalformedClaim(verified.cause())) {
      // A token with broken claims is an issuer or client bug, not a stale token: end the session.
      return Outcome.refused(ErrorCode.UNAUTHORIZED, verified.cause().getMessage(), CloseCode.UNAUTHORIZED,
          "unauthorized");
    } else if (verified.failed()) {
      return Outcome.refused(ErrorCode.UNAUTHORIZED, verified.cause().getMessage()
          + " (the current token stays in force)", 0, null);
    } else if (!verified.result().sameUserAs(current)) {
      return Outcome.refused(ErrorCode.UNAUTHORIZED, "the new token is for another user, tenant or role", 0, null);
    }
    Identity renewed = verified.result();
    return new Outcome(renewed, ClientFrames.refreshed(requestId, renewed.expiresAtMs()), null, null, 0, null);
  }

  /** Verifies a later token of an open session against its identity then ({@link #refreshed}). */
  Future<Outcome> refresh(String token, Supplier<Identity> current, Object requestId) {
    return verifier.verify(token).transform(ar -> Future.succeededFuture(refreshed(ar, current.get(), requestId)));
  }
}
