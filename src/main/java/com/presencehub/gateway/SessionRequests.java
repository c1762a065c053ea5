package com.presencehub.gateway;

import com.presencehub.delivery.Delivery;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.VisibilityPolicy;
import com.presencehub.protocol.ClientFrames;
import com.presencehub.protocol.ErrorCode;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Carries out the requests of one open session (PROTOCOL.md §4) on the user's shards and the
 * courier: activity, presence.set, subscribe / unsubscribe (the snapshot gathered from the shards
 * of the users named, all or nothing), query, chat.push, and the unsubscribing when the session
 * ends. The frames are decoded and validated before ({@link FrameCommands}); what a session
 * watches is its {@link Watchlist}; replies go out through the session's {@link SessionWriter}.
 * Used on the session's loop.
 */
final class SessionRequests {

  private static final Logger LOG = LoggerFactory.getLogger(SessionRequests.class);

  private final Gateway gw;
  private final SessionLink session;
  private final String id;
  private final UserKey key;
  private final Role role;
  private final Watchlist watchlist;
  private final SessionWriter out;
  private final BooleanSupplier open;

  /**
   * @param session the session as the shards know it (its user and role known); {@code id} names it in log lines
   * @param open whether the session is still open (an answer gathered for a closed one is dropped)
   */
  SessionRequests(Gateway gw, SessionLink session, String id, SessionWriter out, BooleanSupplier open) {
    this.gw = gw;
    this.session = session;
    this.id = id;
    this.key = session.user();
    this.role = session.role();
    this.watchlist = new Watchlist(key.user(), role, gw.options().maxWatchedUsers());
    this.out = out;
    this.open = open;
  }

  /** Presence changes from the shards: those to write now ({@link Watchlist#changes}). */
  List<PresenceRecord> changes(List<PresenceRecord> updates) {
    return watchlist.changes(updates);
  }

  /**
   * Carries out {@code c}, one of the requests above (not auth, ping, bye or a refused frame, which
   * are the session's own).
   *
   * @param sender the session's identity now (its name may change with a refreshed token)
   */
  void run(ClientCommand c, Identity sender) {
    if (c instanceof ClientCommand.Activity a) {
      activity(a);
    } else if (c instanceof ClientCommand.SetAway a) {
      setAway(a);
    } else if (c instanceof ClientCommand.SetOnline o) {
      setOnline(o);
    } else if (c instanceof ClientCommand.SubscribeUsers u) {
      subscribeUsers(u);
    } else if (c instanceof ClientCommand.SubscribeRoster r) {
      subscribeRoster(r);
    } else if (c instanceof ClientCommand.UnsubscribeUsers u) {
      unsubscribeUsers(u);
    } else if (c instanceof ClientCommand.UnsubscribeRoster r) {
      unsubscribeRoster(r);
    } else if (c instanceof ClientCommand.Query q) {
      query(q);
    } else if (c instanceof ClientCommand.ChatPush p) {
      chatPush(p, sender);
    } else {
      throw new IllegalArgumentException("not a shard request: " + c.type());
    }
  }

  // ---- presence ---------------------------------------------------------------------------------

  private void activity(ClientCommand.Activity c) {
    gw.directory().activity(session, c.at());
    if (c.requestId() != null) {
      out.writeText(ClientFrames.ackText(c.requestId()));
    }
  }

  private void setAway(ClientCommand.SetAway c) {
    UserKey me = key;
    long lapse = c.until();
    presenceSet(gw.directory().preferAway(me, lapse), c.requestId());
  }

  private void setOnline(ClientCommand.SetOnline c) {
    UserKey me = key;
    presenceSet(gw.directory().clearPreferredAway(me), c.requestId());
  }

  private void presenceSet(Future<PresenceRecord> result, Object requestId) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        out.write(ClientFrames.presenceSet(requestId, ar.result()));
      } else {
        out.error(ErrorCode.BAD_REQUEST, ar.cause() instanceof BadFrameException ? ar.cause().getMessage()
            : "status: could not be set", requestId);
      }
    });
  }

  // ---- subscriptions ----------------------------------------------------------------------------

  private void subscribeRoster(ClientCommand.SubscribeRoster c) {
    Role roster = c.roster();
    watchlist.rosterPending(roster);
    gw.directory().subscribeRoster(session, roster).onComplete(ar -> {
      watchlist.rosterAnswered(roster, open.getAsBoolean());
      if (!open.getAsBoolean()) {
        return;
      }
      out.presence(ar.result(), c.requestId());
      out.changes(watchlist.releaseHeld());
    });
  }

  private void subscribeUsers(ClientCommand.SubscribeUsers c) {
    List<String> users = c.users();
    Object requestId = c.requestId();
    int after = watchlist.admitUsers(users);
    if (after >= 0) {
      out.error(ErrorCode.TOO_LARGE, "this subscribe would watch " + after + " users on this session, more than"
          + " the limit of " + watchlist.userLimit() + " (maxWatchedUsers): nothing subscribed", requestId);
      return;
    }
    gw.directory().subscribeUsers(session, users).onComplete(ar -> {
      List<String> forbidden = ar.result().forbidden();
      // The snapshot is refused, like a query, when the queue filled up while it was gathered.
      boolean keep = open.getAsBoolean() && forbidden.isEmpty() && !out.full();
      List<String> dropped = watchlist.settleUsers(users, keep);
      if (!open.getAsBoolean()) {
        return;
      }
      if (!keep) {
        // All or nothing: undo what the shards registered, except earlier subscriptions.
        if (!dropped.isEmpty()) {
          gw.directory().unsubscribeUsers(session, dropped);
        }
        if (!forbidden.isEmpty()) {
          forbidden("a client may only watch techs: ", forbidden, requestId);
        } else {
          out.refuseFull("subscribe", requestId);
        }
        out.changes(watchlist.releaseHeld());
        return;
      }
      out.presence(ar.result().records(), requestId);
      out.changes(watchlist.releaseHeld());
    });
  }

  private void unsubscribeRoster(ClientCommand.UnsubscribeRoster c) {
    Role roster = c.roster();
    watchlist.unwatchRoster(roster);
    gw.directory().unsubscribeRoster(session, roster);
    out.write(ClientFrames.ack(c.requestId()));
  }

  private void unsubscribeUsers(ClientCommand.UnsubscribeUsers c) {
    watchlist.unwatchUsers(c.users());
    gw.directory().unsubscribeUsers(session, c.users());
    out.write(ClientFrames.ack(c.requestId()));
  }

  private void query(ClientCommand.Query c) {
    gw.directory().lookup(key, role, c.users()).onComplete(ar -> {
      List<String> forbidden = ar.result().forbidden();
      if (!forbidden.isEmpty()) {
        forbidden("a client may only ask about techs: ", forbidden, c.requestId());
        return;
      }
      if (out.full()) {
        out.refuseFull("query", c.requestId());
        return;
      }
      out.presence(ar.result().records(), c.requestId());
    });
  }

  private void forbidden(String message, List<String> users, Object requestId) {
    out.write(ClientFrames.forbidden(message + users, users, requestId));
    gw.metrics().error(ErrorCode.FORBIDDEN);
  }

  // ---- chat -------------------------------------------------------------------------------------

  private void chatPush(ClientCommand.ChatPush c, Identity sender) {
    String to = c.to();
    Object requestId = c.requestId();
    String delivery = ClientFrames.delivery(c.kind(), ClientFrames.sender(key.user(), role.wire(), sender.name()),
        c.payload());
    UserKey target = new UserKey(key.tenant(), to);
    gw.courier().deliver(target, c.kind(), delivery, r -> VisibilityPolicy.canSee(role, r.role())).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("session " + id + ": delivery failed", ar.cause());
        out.error(ErrorCode.BAD_REQUEST, "to: delivery failed", requestId);
        return;
      }
      Delivery d = ar.result();
      switch (d.outcome()) {
        case FORBIDDEN -> out.error(ErrorCode.FORBIDDEN, "a client may only push to techs", requestId);
        case NOT_REACHABLE -> {
          out.write(ClientFrames.notReachable(to, d.record().status(), c.kind(), requestId));
          gw.metrics().error(ErrorCode.NOT_REACHABLE);
        }
        case DELIVERED -> out.write(ClientFrames.delivered(requestId, d.delivered()));
      }
    });
  }

  // ---- ending -----------------------------------------------------------------------------------

  /** The session ended: its shard hears it closed, and every shard forgets what it watched. */
  void end(boolean bye) {
    ShardDirectory dir = gw.directory();
    dir.close(session, bye);
    Watchlist.Forgotten gone = watchlist.end();
    dir.unsubscribeUsers(session, gone.users());
    for (Role r : gone.rosters()) {
      dir.unsubscribeRoster(session, r);
    }
  }
}
