package org.p2pdns.node.transport;

/**
 * A sliding window over received nonces (RFC 6479 style, as WireGuard): accepts each nonce at most once and refuses
 * nonces more than {@link #SIZE} - 64 behind the highest one accepted. {@link #check} before decrypting,
 * {@link #update} only after the packet authenticated, so forged packets cannot move the window.
 */
final class ReplayWindow {

    /** Bits of history kept. */
    static final int SIZE = 2048;
    private static final int WORDS = SIZE / 64;

    private final long[] bitmap = new long[WORDS];
    private long highest = -1;

    /** True when {@code nonce} has not been seen and is recent enough. */
    boolean check(long nonce) {
        if (nonce < 0) {
            return false;
        }
        if (nonce > highest) {
            return true;
        }
        if (highest - nonce >= SIZE - 64) {
            return false;
        }
        long word = (nonce >>> 6) % WORDS;
        return (bitmap[(int) word] & (1L << (nonce & 63))) == 0;
    }

    /** Records {@code nonce} as received; {@link #check} must have returned true for it. */
    void update(long nonce) {
        if (nonce > highest) {
            long current = highest < 0 ? -1 : highest >>> 6;
            long target = nonce >>> 6;
            long diff = Math.min(target - current, WORDS);
            for (long i = 1; i <= diff; i++) {
                bitmap[(int) ((current + i) % WORDS)] = 0;
            }
            highest = nonce;
        }
        bitmap[(int) ((nonce >>> 6) % WORDS)] |= 1L << (nonce & 63);
    }

    /** The highest nonce accepted so far, -1 before any. */
    long highest() {
        return highest;
    }
}
