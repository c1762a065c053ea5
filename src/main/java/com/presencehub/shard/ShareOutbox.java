package com.presencehub.shard;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import java.util.ArrayList;
import java.util.List;

/**
 * The replication bookkeeping of a shard: which users' local shares changed in a way other nodes
 * need, and the preferences written here, sent to the {@link ReplicationSink} once per burst of
 * work with the latest state of each user (so a burst of activity frames leaves as one entry).
 * Plain Java on the shard's thread.
 */
final class ShareOutbox {

  private final ReplicationSink sink;
  /** A later lastActiveAt alone is replicated only once it moved this much (it only feeds display). */
  private final long activityResolutionMs;
  private final List<UserEntry> dirty = new ArrayList<>();
  private final List<Preference> preferences = new ArrayList<>();

  ShareOutbox(ReplicationSink sink, long idleTimeoutMs) {
    this.sink = sink;
    this.activityResolutionMs = Math.max(1, idleTimeoutMs / 20);
  }

  /** This node's id, stamped on the preferences written here. */
  String node() {
    return sink.node();
  }

  /** Marks the user's local share for the next flush if it changed in a way other nodes need; returns whether it did. */
  boolean note(UserEntry e, long now) {
    if (e.dirty || sink == ReplicationSink.NONE) {
      return false;
    }
    Contribution share = e.presence.localContribution(now);
    Contribution was = e.sent;
    boolean changed;
    if (was == null) {
      changed = share.present();
    } else {
      changed = was.sessions() != share.sessions() || was.lingering() != share.lingering() || was.active() != share.active()
          || was.role() != share.role() || share.lastActiveAt() - was.lastActiveAt() >= activityResolutionMs;
    }
    if (changed) {
      e.dirty = true;
      dirty.add(e);
    }
    return changed;
  }

  /** A preference written here, for the next flush. */
  void preference(Preference p) {
    preferences.add(p);
  }

  /** Sends the shares marked and the preferences written since the last flush, if any. */
  void flush(long now) {
    if (dirty.isEmpty() && preferences.isEmpty()) {
      return;
    }
    List<Contribution> out = new ArrayList<>(dirty.size());
    for (UserEntry e : dirty) {
      e.dirty = false;
      Contribution c = e.presence.localContribution(now);
      out.add(c);
      e.sent = c.present() ? c : null;
    }
    dirty.clear();
    List<Preference> prefs = preferences.isEmpty() ? List.of() : List.copyOf(preferences);
    preferences.clear();
    sink.send(out, prefs);
  }
}
