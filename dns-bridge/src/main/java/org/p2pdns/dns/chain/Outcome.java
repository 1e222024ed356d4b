package org.p2pdns.dns.chain;

import org.p2pdns.dns.wire.ResponseTemplate;

/**
 * What a handler produced for a query: a complete response, with what the cache needs to know about it.
 *
 * @param template         the encoded response (its question is the query's)
 * @param cacheSeconds     how long it may be cached; 0 = not at all
 * @param transientFailure true when the failure may pass (DHT timeout, no peers, upstream unreachable): a stale
 *                         answer is better than this one (RFC 8767)
 */
public record Outcome(ResponseTemplate template, long cacheSeconds, boolean transientFailure) {
    public Outcome {
        if (template == null || cacheSeconds < 0) {
            throw new IllegalArgumentException("an outcome needs a template and cacheSeconds >= 0");
        }
    }
}
