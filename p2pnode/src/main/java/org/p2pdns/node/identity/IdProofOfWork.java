package org.p2pdns.node.identity;

import java.util.Random;

/**
 * The S/Kademlia-style static proof of work on node ids: an id is acceptable at difficulty {@code d} when
 * SHA-256(id bytes) starts with at least {@code d} zero bits. Checking costs one hash; finding a key pair costs about
 * 2^d key generations. The difficulty is {@link org.p2pdns.node.config.NetworkParams#idDifficultyBits()}.
 */
public final class IdProofOfWork {

    /** How often (in attempts) generation reports progress. */
    public static final int PROGRESS_EVERY = 1024;

    /** Receives generation progress (the CLI shows it); called on the generating thread. */
    @FunctionalInterface
    public interface Progress {
        /** {@code attempts} key pairs tried so far; about {@code expectedAttempts} are needed on average. */
        void onProgress(long attempts, long expectedAttempts);

        /** Reports nothing. */
        Progress NONE = (a, e) -> { };
    }

    private IdProofOfWork() {
    }

    /** The work an id carries: the number of leading zero bits of SHA-256(id). */
    public static int workBits(NodeId id) {
        return NodeId.hashOf(id.toBytes()).leadingZeroBits();
    }

    /** True when {@code id} carries at least {@code difficultyBits} bits of work (always true at difficulty 0). */
    public static boolean satisfies(NodeId id, int difficultyBits) {
        return difficultyBits <= 0 || workBits(id) >= difficultyBits;
    }

    /**
     * Generates key pairs from {@code random} until one's id satisfies {@code difficultyBits}. Deterministic for a
     * seeded {@link Random}; use a {@link java.security.SecureRandom} for a real node. Stops with
     * {@link IllegalStateException} if the thread is interrupted.
     */
    public static NodeIdentity generate(Random random, int difficultyBits, Progress progress) {
        if (difficultyBits < 0 || difficultyBits > 32) {
            throw new IllegalArgumentException("difficulty must be in 0..32, got " + difficultyBits);
        }
        long expected = 1L << difficultyBits;
        byte[] seed = new byte[Ed25519.SEED_BYTES];
        long attempts = 0;
        while (true) {
            random.nextBytes(seed);
            attempts++;
            byte[] pub = Ed25519.publicKeyOf(seed);
            NodeId id = NodeId.ofPublicKey(pub);
            if (satisfies(id, difficultyBits)) {
                progress.onProgress(attempts, expected);
                return NodeIdentity.of(seed, pub);
            }
            if (attempts % PROGRESS_EVERY == 0) {
                progress.onProgress(attempts, expected);
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("node id generation interrupted after " + attempts + " attempts");
                }
            }
        }
    }
}
