package com.presencehub.cluster;

import com.presencehub.protocol.FullStateParts;
import com.presencehub.protocol.ReplicationEnvelope;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A windowed full state on its way to an asker ({@link FullStateTransfer}, issue 17): after part 0,
 * which answered the request, parts go to the asker's sync address as its acknowledgements open the
 * window, each made ({@link FullStateParts}) and sent on a loop turn of its own. Made all at once,
 * a loaded peer's state took its loop for seconds; one part is at most the asked size of work.
 *
 * <p>Not thread-safe: used on the replication event loop.
 */
final class OutgoingFullState {

  // FullStateTransfer's logger: operators follow a transfer under one name.
  private static final Logger LOG = LoggerFactory.getLogger(FullStateTransfer.class);

  private final Vertx vertx;
  /** The transfers in flight, by {@link #key}: this one leaves it when done, replaced or unacknowledged. */
  private final Map<String, OutgoingFullState> serving;
  /** How long the asker may wait for a part (FetchBackoff's longest), in ms: without an acknowledgement for that long, it gave up or left. */
  private final long idleMs;
  private final String asker;
  private final long id;
  private final FullStateParts parts;
  private final int window;
  private int next = 1;
  private int acked = -1;
  private long timer = -1;
  private boolean scheduled;

  OutgoingFullState(Vertx vertx, Map<String, OutgoingFullState> serving, long idleMs, String asker, long id,
      FullStateParts parts, int window) {
    this.vertx = vertx;
    this.serving = serving;
    this.idleMs = idleMs;
    this.asker = asker;
    this.id = id;
    this.parts = parts;
    this.window = window;
  }

  static String key(String asker, long id) {
    return asker + "/" + id;
  }

  String key() {
    return key(asker, id);
  }

  /** Replaced by a new request of the same asker and id: its timer goes; a part already scheduled is not sent. */
  void cancel() {
    vertx.cancelTimer(timer);
  }

  /** An acknowledgement: only of a part already sent counts (a peer's bad index opens no window). */
  void acked(int index) {
    if (index >= 0 && index < next) {
      acked = Math.max(acked, index);
      schedule();
    }
  }

  /** The next part on a later loop turn, unless one is due already or the transfer ended (timed out, replaced). */
  void schedule() {
    if (!scheduled) {
      scheduled = true;
      vertx.runOnContext(v -> {
        scheduled = false;
        if (serving.get(key()) == this) {
          pump();
        }
      });
    }
  }

  /**
   * Makes and sends one part if the window allows, and schedules the next; done once the last left
   * (a lost one: the asker times out and asks again). The timer is armed first, so that a part
   * that cannot be made still ends the transfer.
   */
  private void pump() {
    vertx.cancelTimer(timer);
    timer = vertx.setTimer(idleMs, t -> serving.remove(key(), this));
    if (parts.hasNext() && next <= acked + window) {
      JsonObject part = ReplicationEnvelope.windowed(parts.next(), window, id);
      LOG.trace("sending full-state part {}{}", next, parts.hasNext() ? "" : ", the last");
      next++;
      BusFaults.safely("full state", () -> vertx.eventBus().send(ReplicationVerticle.syncAddress(asker), part));
    }
    if (!parts.hasNext()) {
      vertx.cancelTimer(timer);
      serving.remove(key(), this);
    } else if (next <= acked + window) {
      schedule();
    }
  }
}
