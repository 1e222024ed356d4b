package org.p2pdns.node.config;

import java.time.Duration;

/**
 * Parameters every node of one network must agree on. Immutable; checks its own invariants.
 *
 * @param idDifficultyBits    leading zero bits required of SHA-256(node id): the node-id proof of work
 * @param nameDifficultyBits  leading zero bits of the registration proof of work for human-readable names
 * @param tld                 the overlay's top-level domain, lower case, without dots
 * @param k                   bucket size and replication factor
 * @param alpha               lookup parallelism
 * @param maxRecordTtl        longest lifetime of a signed record (expiry minus issue time)
 * @param republishInterval   how often an owner's node republishes its records
 * @param clockSkewTolerance  how far a record's issue time may be in the future
 */
public record NetworkParams(int idDifficultyBits, int nameDifficultyBits, String tld, int k, int alpha,
                            Duration maxRecordTtl, Duration republishInterval, Duration clockSkewTolerance) {

    /**
     * The default network: ~1 s of one core for a node id (15 bits, measured in docs/identity.md), more for a name
     * claim.
     */
    public static final NetworkParams DEFAULT = new NetworkParams(15, 20, "p2p", 20, 3,
            Duration.ofDays(7), Duration.ofHours(1), Duration.ofMinutes(10));

    /** Tests, the simulator and benchmark networks: no proof-of-work cost (they say so in their output). */
    public static final NetworkParams TEST = new NetworkParams(0, 0, "p2p", 20, 3,
            Duration.ofDays(7), Duration.ofHours(1), Duration.ofMinutes(10));

    public NetworkParams {
        if (idDifficultyBits < 0 || idDifficultyBits > 32) {
            throw new IllegalArgumentException("idDifficultyBits must be in 0..32, got " + idDifficultyBits);
        }
        if (nameDifficultyBits < 0 || nameDifficultyBits > 40) {
            throw new IllegalArgumentException("nameDifficultyBits must be in 0..40, got " + nameDifficultyBits);
        }
        if (tld == null || !tld.matches("[a-z][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("tld must be one lower-case DNS label, got " + tld);
        }
        if (k < 1 || k > 64) {
            throw new IllegalArgumentException("k must be in 1..64, got " + k);
        }
        if (alpha < 1 || alpha > k) {
            throw new IllegalArgumentException("alpha must be in 1..k, got " + alpha);
        }
        if (maxRecordTtl.isNegative() || maxRecordTtl.isZero() || republishInterval.compareTo(maxRecordTtl) >= 0) {
            throw new IllegalArgumentException("republishInterval must be shorter than maxRecordTtl");
        }
    }

    public NetworkParams withTld(String newTld) {
        return new NetworkParams(idDifficultyBits, nameDifficultyBits, newTld, k, alpha, maxRecordTtl,
                republishInterval, clockSkewTolerance);
    }

    public NetworkParams withDifficulty(int idBits, int nameBits) {
        return new NetworkParams(idBits, nameBits, tld, k, alpha, maxRecordTtl, republishInterval, clockSkewTolerance);
    }
}
