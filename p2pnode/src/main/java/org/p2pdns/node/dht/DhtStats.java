package org.p2pdns.node.dht;

import java.util.Map;
import org.p2pdns.node.util.EnumCounters;

/**
 * Counters of one DHT node: RPC traffic, drops by reason, routing-table rejections and STORE outcomes. Written on the
 * node's event thread, readable from any thread.
 */
public final class DhtStats {

    /** What is counted. */
    public enum Counter {
        RPC_SENT,
        RPC_RECEIVED,
        RPC_TIMEOUT,
        RPC_RETRY,
        REPLY_RECEIVED,
        /**
         * A reply to a request that had already timed out (within one more timeout): too late for the request, but the
         * peer answers, so it is offered to the routing table.
         */
        REPLY_LATE,
        /** A request could not be sent: too many pending requests. */
        DROP_PENDING_FULL,
        /** A message that does not decode. */
        DROP_MALFORMED,
        /** A reply to no pending request (late, duplicate or forged). */
        DROP_UNMATCHED_REPLY,
        /** A reply whose request id matched but whose sender or type did not. */
        DROP_WRONG_SOURCE,
        /** A message received after stop(). */
        DROP_STOPPED,
        /** A contact whose id is not SHA-256 of its key. */
        CONTACT_BAD_ID,
        /** A contact whose id fails the proof of work. */
        CONTACT_BAD_POW,
        /** A contact refused by the per-prefix limits. */
        CONTACT_PREFIX_LIMIT,
        /** A contact that went to the replacement cache (bucket full). */
        CONTACT_REPLACEMENT,
        /** A contact evicted because it failed a liveness ping. */
        CONTACT_EVICTED,
        LOOKUPS_STARTED,
        LOOKUPS_FINISHED,
        LOOKUPS_TIMED_OUT,
        /** A value received in a lookup that the policy refused. */
        VALUE_INVALID,
        /** A held value removed because it expired. */
        VALUE_EXPIRED,
        /** A STORE sent to re-replicate or repair a value. */
        REPLICATE_SENT,
        JOIN_ATTEMPTS,
        /** Lookups started after a join to fill a farther bucket that was still empty. */
        JOIN_REFRESHES
    }

    private final EnumCounters<Counter> counters = new EnumCounters<>(Counter.class);
    private final EnumCounters<StoreOutcome> storeReceived = new EnumCounters<>(StoreOutcome.class);
    private final EnumCounters<StoreOutcome> storeSent = new EnumCounters<>(StoreOutcome.class);

    void inc(Counter c) {
        counters.increment(c);
    }

    void add(Counter c, long n) {
        counters.add(c, n);
    }

    void storeReceived(StoreOutcome o) {
        storeReceived.increment(o);
    }

    void storeSent(StoreOutcome o) {
        storeSent.increment(o);
    }

    /** Counter hook for other packages of the DHT. */
    public void increment(Counter c) {
        inc(c);
    }

    public long get(Counter c) {
        return counters.get(c);
    }

    /** Outcomes of STOREs this node received and judged. */
    public long storesReceived(StoreOutcome o) {
        return storeReceived.get(o);
    }

    /** Outcomes that peers replied to this node's STOREs. */
    public long storesSentOutcome(StoreOutcome o) {
        return storeSent.get(o);
    }

    /** Every counter, for logs and the control API. */
    public Map<Counter, Long> snapshot() {
        return counters.snapshot();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DhtStats{");
        for (Counter c : Counter.values()) {
            long v = get(c);
            if (v != 0) {
                sb.append(c).append('=').append(v).append(' ');
            }
        }
        for (StoreOutcome o : StoreOutcome.values()) {
            long v = storesReceived(o);
            if (v != 0) {
                sb.append("storeIn.").append(o).append('=').append(v).append(' ');
            }
        }
        return sb.append('}').toString();
    }
}
