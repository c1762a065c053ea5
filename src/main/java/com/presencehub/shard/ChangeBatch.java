package com.presencehub.shard;

import java.util.List;

/** {@code changes} for every session of {@code sessions}, all of one loop ({@link SessionLink#loop}). */
public record ChangeBatch(SharedChanges changes, List<SessionLink> sessions) { }
