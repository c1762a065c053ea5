package com.presencehub.cluster;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import java.util.ArrayList;
import java.util.List;

/**
 * What one input to the {@link ReplicaTable} changed, as data for the verticle to carry out in
 * order: shares and preferences for the shards ({@link #steps}, in the order they were decided),
 * full states to ask for, graces to time, and lines worth an operator's log.
 */
final class ReplicaChanges {

  /** One thing for the shards: a node's changed shares, or preferences that won (latest write). */
  sealed interface Step permits Shares, Preferences { }

  /** {@code node}'s shares that changed here. */
  record Shares(String node, List<Contribution> contributions) implements Step { }

  /** Preferences newer than the ones held. */
  record Preferences(List<Preference> preferences) implements Step { }

  /**
   * A full state to ask {@code peer} for; the answer goes back to the table with this ticket.
   * {@code request}: unique per table; of the asks of a peer's shares, only its latest is answered
   * ({@link PeerReplica#request}). An ask of its ledger alone is not matched: its answer is always
   * merged, and its failure asks again only while that ledger is still wanted.
   * {@code shares}: its shares and preferences (false: its ledger alone, asked for beside them);
   * {@code ledger}: its publish marks (false: the table needs them from another peer, or apart).
   */
  record Sync(String peer, long request, boolean shares, boolean ledger) {

    /** Shares (and preferences), with or without the ledger. */
    Sync(String peer, long request, boolean ledger) {
      this(peer, request, true, ledger);
    }
  }

  /** {@code peer} departed: call {@link ReplicaTable#graceOver} with this after the grace. */
  record Grace(String peer, long token, String describe) { }

  private final List<Step> steps = new ArrayList<>();
  private final List<Sync> syncs = new ArrayList<>();
  private final List<Grace> graces = new ArrayList<>();
  private final List<String> log = new ArrayList<>();
  /** Peers held when the view became whole; -1 when it did not become whole now. */
  private int wholeWith = -1;

  void shares(String node, List<Contribution> changed) {
    if (!changed.isEmpty()) {
      steps.add(new Shares(node, changed));
    }
  }

  void preferences(List<Preference> newer) {
    if (!newer.isEmpty()) {
      steps.add(new Preferences(newer));
    }
  }

  void sync(Sync s) {
    syncs.add(s);
  }

  void grace(Grace g) {
    graces.add(g);
  }

  void log(String line) {
    log.add(line);
  }

  void whole(int peers) {
    wholeWith = peers;
  }

  List<Step> steps() {
    return steps;
  }

  List<Sync> syncs() {
    return syncs;
  }

  List<Grace> graces() {
    return graces;
  }

  List<String> log() {
    return log;
  }

  /** Whether this input completed the whole view (readiness, §6). */
  boolean becameWhole() {
    return wholeWith >= 0;
  }

  int wholeWith() {
    return wholeWith;
  }
}
