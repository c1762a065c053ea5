package com.presencehub.config;

/**
 * The HTTP API, its change stream and its webhooks (PROTOCOL.md §8, docs/http-api.md). From {@link
 * HubConfig#httpApiOptions()}; the tokens are checked with {@link HubConfig#jwtOptions()}.
 *
 * @param maxUsersPerSubscribe    users one request may name (a {@code GET …/presence} at most 200)
 * @param maxFrameBytes           request bodies up to twice this (plus 4 KiB) are read
 * @param rateLimitPerSecond      requests per second per service token; 429 beyond
 * @param rateLimitBurst          requests one token may make at once
 * @param changeStreamBuffer      transitions kept for {@code Last-Event-ID} replay
 * @param changeStreamHeartbeatMs period of the stream's heartbeat comment
 * @param webhooks                the webhook endpoints and their queues
 */
public record HttpApiOptions(int maxUsersPerSubscribe, int maxFrameBytes, int rateLimitPerSecond, int rateLimitBurst,
    int changeStreamBuffer, long changeStreamHeartbeatMs, WebhookOptions webhooks) {
}
