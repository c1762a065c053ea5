package com.presencehub.api.client;

import com.presencehub.presence.PresenceRecord;

/** The answer of {@code presence.reachable}: the reachability table applied to the user's record. */
public record Reachability(boolean reachable, PresenceRecord presence) { }
