package org.p2pdns.dns.chain;

import java.util.concurrent.CompletableFuture;

/**
 * One link of the bridge's handler chain (guard, zone router, cache, overlay resolver / forwarder).
 *
 * <p>Response-code contract: {@link #handle} always returns a future that completes with a full response to the
 * request's id and question, whatever its rcode (NOERROR, NXDOMAIN, SERVFAIL with an Extended DNS Error, REFUSED...).
 * A handler never answers "nothing written" and never completes exceptionally on purpose; if a future does complete
 * exceptionally the server answers SERVFAIL and counts an internal error. Handlers never block the calling thread.
 */
@FunctionalInterface
public interface DnsHandler {
    CompletableFuture<Outcome> handle(DnsRequest request);
}
