package com.presencehub.cluster;

import com.presencehub.presence.Preference;
import com.presencehub.presence.UserKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's preferred-away settings as this node's replication holds them (PROTOCOL.md §2,
 * latest write wins by {@link Preference#newerThan}): what its full states carry, what its digests
 * fingerprint, and the filter that hands the shards only writes newer than the ones seen.
 */
final class ClusterPreferences {

  private final Map<UserKey, Preference> held = new HashMap<>();
  private long fingerprint;

  /** Latest write wins; returns whether {@code p} was newer than the one held. */
  boolean keep(Preference p) {
    Preference old = held.get(p.user());
    if (old != null && !p.newerThan(old)) {
      return false;
    }
    held.put(p.user(), p);
    if (old != null) {
      fingerprint -= old.fingerprint();
    }
    fingerprint += p.fingerprint();
    return true;
  }

  /** Keeps each of {@code prefs}; returns those that were newer, in order. */
  List<Preference> keepNewer(List<Preference> prefs) {
    List<Preference> newer = new ArrayList<>();
    for (Preference p : prefs) {
      if (keep(p)) {
        newer.add(p);
      }
    }
    return newer;
  }

  Collection<Preference> all() {
    return held.values();
  }

  /** The sum of the held preferences' fingerprints (a digest's {@code ph}). */
  long fingerprint() {
    return fingerprint;
  }
}
