package com.presencehub.shard;

import com.presencehub.presence.Role;

/** A tenant's users of one role: the unit of roster subscriptions and queries (PROTOCOL.md §4, §5). */
public record Roster(String tenant, Role role) { }
