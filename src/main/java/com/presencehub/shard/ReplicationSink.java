package com.presencehub.shard;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import java.util.List;

/**
 * Where a shard sends what other nodes must learn: its users' local shares and the preferences
 * written here. Called on the shard's thread once per burst of work, with the latest state of each
 * user touched (so a burst of activity frames leaves as one entry). Standalone nodes use {@link
 * #NONE}.
 */
public interface ReplicationSink {

  ReplicationSink NONE = new ReplicationSink() {
    @Override
    public String node() {
      return "local";
    }

    @Override
    public void send(List<Contribution> contributions, List<Preference> preferences) {
    }
  };

  /** This node's id, used to stamp the preferences written here. */
  String node();

  void send(List<Contribution> contributions, List<Preference> preferences);
}
