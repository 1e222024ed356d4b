package org.p2pdns.dns;

import java.util.Map;
import org.p2pdns.node.util.EnumCounters;

/** The bridge's counters: cheap to bump from any event loop, read as a snapshot. */
public final class BridgeStats {

    /** What is counted. */
    public enum Counter {
        /** Datagrams and TCP frames received. */
        QUERIES_UDP, QUERIES_TCP,
        /** Answered from the cache without running the handler chain (encoded answer, id patched). */
        CACHE_HITS_FAST,
        /** Answered from the cache on the slow path (parsed query). */
        CACHE_HITS,
        CACHE_MISSES,
        /** Queries that joined an identical resolution already in flight. */
        COALESCED,
        /** Expired answers served because a refresh failed (RFC 8767). */
        STALE_SERVED,
        CACHE_EVICTIONS,
        /** Calls made to the overlay's NameResolver. */
        RESOLVER_CALLS,
        /** Queries sent to upstream resolvers. */
        FORWARDED, UPSTREAM_FAILURES,
        /** Responses by code. */
        NOERROR, NXDOMAIN, SERVFAIL, FORMERR, NOTIMP, REFUSED, BADVERS,
        /** Queries dropped without an answer: too short to answer, or a response sent to us. */
        DROPPED_MALFORMED,
        /** Queries dropped, or answered with TC only (slip), by the per-client rate limit. */
        RATE_LIMITED, RATE_LIMIT_SLIPPED,
        /** UDP answers truncated with TC set. */
        TRUNCATED,
        TCP_CONNECTIONS, TCP_REJECTED, TCP_IDLE_CLOSED,
        /** Times the UDP listener stopped reading for a moment under load (read pacing, {@code readPacingRate}). */
        READ_PAUSES,
        /** Unexpected internal failures answered with SERVFAIL. */
        INTERNAL_ERRORS
    }

    private final EnumCounters<Counter> counters = new EnumCounters<>(Counter.class);

    public void inc(Counter c) {
        counters.increment(c);
    }

    /** Adds {@code n} to {@code c} (the UDP handler adds a read batch's counts at once). */
    public void add(Counter c, long n) {
        if (n != 0) {
            counters.add(c, n);
        }
    }

    public long get(Counter c) {
        return counters.get(c);
    }

    /** A consistent-enough copy of every counter (each read once). */
    public Map<Counter, Long> snapshot() {
        return counters.snapshot();
    }

    /** Counts a response by its (extended) rcode. */
    public void countRcode(int rcode) {
        Counter c = rcodeCounter(rcode);
        if (c != null) {
            inc(c);
        }
    }

    /** The counter of responses with {@code rcode}, or null for codes not counted. */
    public static Counter rcodeCounter(int rcode) {
        return switch (rcode) {
            case 0 -> Counter.NOERROR;
            case 1 -> Counter.FORMERR;
            case 2 -> Counter.SERVFAIL;
            case 3 -> Counter.NXDOMAIN;
            case 4 -> Counter.NOTIMP;
            case 5 -> Counter.REFUSED;
            case 16 -> Counter.BADVERS;
            default -> null;
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BridgeStats{");
        snapshot().forEach((k, v) -> {
            if (v != 0) {
                sb.append(k.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(v).append(' ');
            }
        });
        return sb.append('}').toString();
    }
}
