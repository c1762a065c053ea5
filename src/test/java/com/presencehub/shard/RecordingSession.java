package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** A session that keeps every batch the shard hands it. Identity equality, like a real session. */
final class RecordingSession implements SessionLink {

  private final UserKey user;
  private final Role role;
  private final String name;
  final List<List<PresenceRecord>> batches = new ArrayList<>();

  RecordingSession(String tenant, String user, Role role, String name) {
    this.user = new UserKey(tenant, user);
    this.role = role;
    this.name = name;
  }

  @Override
  public UserKey user() {
    return user;
  }

  @Override
  public Role role() {
    return role;
  }

  @Override
  public void deliver(List<PresenceRecord> updates) {
    batches.add(List.copyOf(updates));
  }

  final List<String> offered = new ArrayList<>();

  @Override
  public Future<Boolean> offer(String frame) {
    offered.add(frame);
    return Future.succeededFuture(true);
  }

  /** Every record received, in order. */
  List<PresenceRecord> received() {
    List<PresenceRecord> all = new ArrayList<>();
    batches.forEach(all::addAll);
    return all;
  }

  /** Forgets what was received so far. */
  List<PresenceRecord> take() {
    List<PresenceRecord> all = received();
    batches.clear();
    return all;
  }

  @Override
  public String toString() {
    return name;
  }
}
