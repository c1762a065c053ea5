package com.presencehub.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@link Membership} read from Hazelcast itself: vertx-hazelcast's single node-listener slot
 * belongs to Vert.x HA, so the hub listens to Hazelcast's member list and lifecycle directly. A hub
 * member carries its name and boot epoch as member attributes ({@link ClusterSetup}).
 */
public final class HazelcastMembership implements Membership {

  private final HazelcastInstance hz;

  public HazelcastMembership(HazelcastInstance hz) {
    this.hz = hz;
  }

  /** Hazelcast keeps its member list in join order on every member: oldest first. */
  @Override
  public List<Member> members() {
    List<Member> out = new ArrayList<>();
    for (com.hazelcast.cluster.Member m : hz.getCluster().getMembers()) {
      String name = m.getAttribute(ClusterSetup.NODE_ATTRIBUTE);
      String id = m.getAttribute(ClusterSetup.VERTX_NODE_ATTRIBUTE);
      String epoch = m.getAttribute(ClusterSetup.EPOCH_ATTRIBUTE);
      if (name != null && id != null && epoch != null) {
        out.add(new Member(id, name, Long.parseLong(epoch)));
      }
    }
    return out;
  }

  @Override
  public boolean running() {
    return hz.getLifecycleService().isRunning();
  }

  @Override
  public String localName() {
    return hz.getCluster().getLocalMember().getAttribute(ClusterSetup.NODE_ATTRIBUTE);
  }

  @Override
  public Runnable listen(Runnable changed, Runnable merged) {
    UUID members = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        changed.run();
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        changed.run();
      }
    });
    UUID lifecycle = hz.getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
        merged.run();
      }
    });
    return () -> {
      hz.getCluster().removeMembershipListener(members);
      hz.getLifecycleService().removeLifecycleListener(lifecycle);
    };
  }
}
