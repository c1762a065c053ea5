package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import java.util.List;

/**
 * A delivery target: its record, its sessions on this node and the other nodes that hold
 * sessions of it (copies, safe to hand to other threads).
 */
public record Target(PresenceRecord record, List<SessionLink> sessions, List<String> nodes) { }
