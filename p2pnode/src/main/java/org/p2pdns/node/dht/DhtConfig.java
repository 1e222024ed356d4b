package org.p2pdns.node.dht;

import java.time.Duration;
import java.util.Objects;
import org.p2pdns.node.config.NetworkParams;

/**
 * Tuning of one DHT node. Immutable; checks its own invariants. {@link #defaults(NetworkParams)} gives the values a
 * real node runs with; every default is documented on the component below and in docs/protocol-dht.md.
 *
 * @param k                      bucket size, replication factor and lookup width (default 20)
 * @param alpha                  requests in flight per lookup path (default 3)
 * @param requestTimeout         how long a request waits for its reply before it is retried or given up (2 s)
 * @param retries                resends of a PING or STORE after a timeout (1); lookups never resend, they move on
 * @param lookupTimeout          a lookup's overall deadline (10 s)
 * @param bucketRefresh          a bucket untouched this long is refreshed by a lookup of a random id in it (15 min)
 * @param replicateInterval      how often held values are pushed again to the current k closest (1 h)
 * @param maxPerPrefixPerBucket  contacts per IPv4 /24 or IPv6 /48 in one bucket (2)
 * @param maxPerPrefixPerTable   contacts per IPv4 /24 or IPv6 /48 in the whole table (10)
 * @param idDifficultyBits       node-id proof of work required of contacts: leading zero bits of SHA-256(id)
 * @param disjointPaths          lookup paths (S/Kademlia d); 1 means an ordinary single-path lookup (1)
 * @param maxPendingRequests     outstanding requests at once; beyond, a request fails at once and is counted (2048)
 * @param tokenRotation          how often the write-token secret changes; the previous one stays valid (5 min)
 * @param maxValuesPerPeer       values held that one sending node id may have stored (1,000; re-sending a value
 *                               already held does not count)
 * @param maxValuesPerPrefix     values held that senders in one /24 or /48 may have stored (2,000)
 * @param storesPerSecond        STORE requests accepted per second per sender, with a burst of 4x (10)
 * @param maxStoredValues        values this node holds at most (100,000)
 * @param replicateBatch         held values re-replicated per maintenance tick (20)
 * @param prefixLimitsOnLoopback apply the per-prefix limits to loopback addresses too (false: local clusters)
 */
public record DhtConfig(int k, int alpha, Duration requestTimeout, int retries, Duration lookupTimeout,
                        Duration bucketRefresh, Duration replicateInterval, int maxPerPrefixPerBucket,
                        int maxPerPrefixPerTable, int idDifficultyBits, int disjointPaths, int maxPendingRequests,
                        Duration tokenRotation, int maxValuesPerPeer, int maxValuesPerPrefix, int storesPerSecond,
                        int maxStoredValues, int replicateBatch, boolean prefixLimitsOnLoopback) {

    public DhtConfig {
        if (k < 1 || k > 64) {
            throw new IllegalArgumentException("k must be in 1..64, got " + k);
        }
        if (alpha < 1 || alpha > k) {
            throw new IllegalArgumentException("alpha must be in 1..k, got " + alpha);
        }
        positive(requestTimeout, "requestTimeout");
        positive(lookupTimeout, "lookupTimeout");
        positive(bucketRefresh, "bucketRefresh");
        positive(replicateInterval, "replicateInterval");
        positive(tokenRotation, "tokenRotation");
        if (retries < 0 || retries > 5) {
            throw new IllegalArgumentException("retries must be in 0..5, got " + retries);
        }
        if (maxPerPrefixPerBucket < 1 || maxPerPrefixPerTable < maxPerPrefixPerBucket) {
            throw new IllegalArgumentException("need 1 <= maxPerPrefixPerBucket <= maxPerPrefixPerTable, got "
                    + maxPerPrefixPerBucket + ", " + maxPerPrefixPerTable);
        }
        if (idDifficultyBits < 0 || idDifficultyBits > 32) {
            throw new IllegalArgumentException("idDifficultyBits must be in 0..32, got " + idDifficultyBits);
        }
        if (disjointPaths < 1 || disjointPaths > k) {
            throw new IllegalArgumentException("disjointPaths must be in 1..k, got " + disjointPaths);
        }
        if (maxPendingRequests < alpha * disjointPaths) {
            throw new IllegalArgumentException("maxPendingRequests must allow one lookup, got " + maxPendingRequests);
        }
        if (maxValuesPerPeer < 1 || maxValuesPerPrefix < maxValuesPerPeer || maxStoredValues < maxValuesPerPrefix) {
            throw new IllegalArgumentException("need 1 <= maxValuesPerPeer <= maxValuesPerPrefix <= maxStoredValues");
        }
        if (storesPerSecond < 1 || replicateBatch < 1) {
            throw new IllegalArgumentException("storesPerSecond and replicateBatch must be positive");
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** The values a real node runs with, for the network {@code params} (k, alpha, id difficulty come from it). */
    public static DhtConfig defaults(NetworkParams params) {
        return new DhtConfig(params.k(), params.alpha(), Duration.ofSeconds(2), 1, Duration.ofSeconds(10),
                Duration.ofMinutes(15), Duration.ofHours(1), 2, 10, params.idDifficultyBits(), 1, 2048,
                Duration.ofMinutes(5), 1000, 2000, 10, 100_000, 20, false);
    }

    public DhtConfig withK(int newK, int newAlpha) {
        return new DhtConfig(newK, newAlpha, requestTimeout, retries, lookupTimeout, bucketRefresh, replicateInterval,
                maxPerPrefixPerBucket, maxPerPrefixPerTable, idDifficultyBits, disjointPaths, maxPendingRequests,
                tokenRotation, maxValuesPerPeer, maxValuesPerPrefix, storesPerSecond, maxStoredValues, replicateBatch,
                prefixLimitsOnLoopback);
    }

    public DhtConfig withTimeouts(Duration newRequestTimeout, int newRetries, Duration newLookupTimeout) {
        return new DhtConfig(k, alpha, newRequestTimeout, newRetries, newLookupTimeout, bucketRefresh,
                replicateInterval, maxPerPrefixPerBucket, maxPerPrefixPerTable, idDifficultyBits, disjointPaths,
                maxPendingRequests, tokenRotation, maxValuesPerPeer, maxValuesPerPrefix, storesPerSecond,
                maxStoredValues, replicateBatch, prefixLimitsOnLoopback);
    }

    public DhtConfig withMaintenance(Duration newBucketRefresh, Duration newReplicateInterval) {
        return new DhtConfig(k, alpha, requestTimeout, retries, lookupTimeout, newBucketRefresh, newReplicateInterval,
                maxPerPrefixPerBucket, maxPerPrefixPerTable, idDifficultyBits, disjointPaths, maxPendingRequests,
                tokenRotation, maxValuesPerPeer, maxValuesPerPrefix, storesPerSecond, maxStoredValues, replicateBatch,
                prefixLimitsOnLoopback);
    }

    public DhtConfig withPrefixLimits(int perBucket, int perTable, boolean onLoopback) {
        return new DhtConfig(k, alpha, requestTimeout, retries, lookupTimeout, bucketRefresh, replicateInterval,
                perBucket, perTable, idDifficultyBits, disjointPaths, maxPendingRequests, tokenRotation,
                maxValuesPerPeer, maxValuesPerPrefix, storesPerSecond, maxStoredValues, replicateBatch, onLoopback);
    }

    public DhtConfig withDisjointPaths(int d) {
        return new DhtConfig(k, alpha, requestTimeout, retries, lookupTimeout, bucketRefresh, replicateInterval,
                maxPerPrefixPerBucket, maxPerPrefixPerTable, idDifficultyBits, d, maxPendingRequests, tokenRotation,
                maxValuesPerPeer, maxValuesPerPrefix, storesPerSecond, maxStoredValues, replicateBatch,
                prefixLimitsOnLoopback);
    }

    public DhtConfig withStoreLimits(int perPeer, int perPrefix, int perSecond, int maxValues) {
        return new DhtConfig(k, alpha, requestTimeout, retries, lookupTimeout, bucketRefresh, replicateInterval,
                maxPerPrefixPerBucket, maxPerPrefixPerTable, idDifficultyBits, disjointPaths, maxPendingRequests,
                tokenRotation, perPeer, perPrefix, perSecond, maxValues, replicateBatch, prefixLimitsOnLoopback);
    }

    public DhtConfig withIdDifficulty(int bits) {
        return new DhtConfig(k, alpha, requestTimeout, retries, lookupTimeout, bucketRefresh, replicateInterval,
                maxPerPrefixPerBucket, maxPerPrefixPerTable, bits, disjointPaths, maxPendingRequests, tokenRotation,
                maxValuesPerPeer, maxValuesPerPrefix, storesPerSecond, maxStoredValues, replicateBatch,
                prefixLimitsOnLoopback);
    }
}
