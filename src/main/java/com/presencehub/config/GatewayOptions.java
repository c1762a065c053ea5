package com.presencehub.config;

import java.util.List;

/**
 * The keys the SockJS gateway and its sessions use (PROTOCOL.md §4), cut from {@link HubConfig}
 * (see there for sources and validation) by {@link HubConfig#gatewayOptions()}. Times in
 * milliseconds, sizes as named.
 *
 * @param httpHost the HTTP server's bind address
 * @param httpPort the HTTP server's port
 * @param authTimeoutMs how long a new session may take to authenticate (closed with 4401 after)
 * @param idleTimeoutMs told to clients in the welcome (PROTOCOL.md §2)
 * @param livenessTimeoutMs how long a peer may stay silent, or not read, before it is closed (§4 Liveness)
 * @param heartbeatIntervalMs the SockJS heartbeat (capped by the liveness ping interval)
 * @param sockjsSessionTimeoutMs how long SockJS keeps a polling session between polls
 * @param maxFrameBytes the largest client frame, bytes (§4 limits)
 * @param rateLimitPerSecond frames per second a session may send
 * @param rateLimitBurst frames a session may send at once
 * @param rateLimitCloseAfter refused frames in a row after which the session is closed
 * @param maxUsersPerSubscribe users one subscribe, unsubscribe or query may name
 * @param maxWatchedUsers users one session may watch by id
 * @param writeQueueMaxChars what a session's socket may hold before it counts as full, characters
 * @param allowedOrigins the pages allowed to open sessions (empty: any)
 * @param httpHeaderTimeoutMs how long a connection may take to send its request head
 * @param httpIdleTimeoutMs how long an HTTP connection may stay idle
 * @param maxPendingConnectionsPerAddress unauthenticated connections one address may hold
 */
public record GatewayOptions(
    String httpHost,
    int httpPort,
    long authTimeoutMs,
    long idleTimeoutMs,
    long livenessTimeoutMs,
    long heartbeatIntervalMs,
    long sockjsSessionTimeoutMs,
    int maxFrameBytes,
    int rateLimitPerSecond,
    int rateLimitBurst,
    int rateLimitCloseAfter,
    int maxUsersPerSubscribe,
    int maxWatchedUsers,
    int writeQueueMaxChars,
    List<String> allowedOrigins,
    long httpHeaderTimeoutMs,
    long httpIdleTimeoutMs,
    int maxPendingConnectionsPerAddress) {
}
