package com.presencehub.config;

import java.util.List;

/**
 * The webhooks of the HTTP API (PROTOCOL.md §8, docs/http-api.md), part of {@link HttpApiOptions}.
 *
 * @param endpoints  every configured endpoint, the {@code webhooks} list then the {@code webhook*} one
 * @param batchMax   events in one POST
 * @param queueMax   events queued per endpoint; the oldest are dropped beyond
 * @param timeoutMs  connect and no-answer timeout of one POST
 * @param retryMinMs shortest delay before a retry (see {@code Backoff})
 * @param retryMaxMs longest retry delay, at least {@code retryMinMs}
 */
public record WebhookOptions(List<WebhookEndpoint> endpoints, int batchMax, int queueMax, long timeoutMs,
    long retryMinMs, long retryMaxMs) {
}
