package org.p2pdns.node.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CancellationException;

/**
 * The registration proof of work of a human-readable name: SHA-256("p2pdns-name-pow-v1" || 0x00 || len(name) ||
 * name || owner public key || nonce as u64 big-endian) must start with at least {@code bits} zero bits. Bound to the
 * name and the owner key, so updates and republishing reuse the nonce.
 */
public final class ProofOfWork {

    /** Domain-separation tag. */
    public static final String TAG = "p2pdns-name-pow-v1";
    /** How many attempts pass between two progress reports. */
    public static final long PROGRESS_EVERY = 1L << 16;

    /** Receives progress while a proof of work is computed (attempts so far, expected attempts = 2^bits). */
    @FunctionalInterface
    public interface Progress {
        /** Called every {@link #PROGRESS_EVERY} attempts, on the computing thread. */
        void onProgress(long attempts, long expectedAttempts);

        /** Reports nothing. */
        Progress NONE = (a, e) -> { };
    }

    private ProofOfWork() {
    }

    private static MessageDigest prefix(String registeredName, byte[] ownerKey) {
        byte[] name = registeredName.getBytes(StandardCharsets.US_ASCII);
        if (name.length > 255 || ownerKey.length != OwnerKey.KEY_BYTES) {
            throw new IllegalArgumentException("bad proof-of-work input");
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(TAG.getBytes(StandardCharsets.US_ASCII));
            md.update((byte) 0);
            md.update((byte) name.length);
            md.update(name);
            md.update(ownerKey);
            return md;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The proof-of-work hash of a nonce. */
    public static byte[] hash(String registeredName, byte[] ownerKey, long nonce) {
        MessageDigest md = prefix(registeredName, ownerKey);
        md.update(longBytes(nonce));
        return md.digest();
    }

    /** True when {@code nonce} proves {@code bits} of work for this name and owner. */
    public static boolean verify(String registeredName, byte[] ownerKey, long nonce, int bits) {
        return bits <= 0 || leadingZeroBits(hash(registeredName, ownerKey, nonce)) >= bits;
    }

    /**
     * Finds the smallest nonce >= 0 that proves {@code bits} of work; expected 2^bits hashes. Stops with a
     * {@link CancellationException} if the thread is interrupted.
     */
    public static long solve(String registeredName, byte[] ownerKey, int bits, Progress progress) {
        if (bits <= 0) {
            return 0;
        }
        MessageDigest base = prefix(registeredName, ownerKey);
        long expected = 1L << Math.min(bits, 62);
        byte[] nonceBytes = new byte[8];
        for (long nonce = 0; nonce >= 0; nonce++) {
            MessageDigest md;
            try {
                md = (MessageDigest) base.clone();
            } catch (CloneNotSupportedException e) {
                md = prefix(registeredName, ownerKey);
            }
            putLong(nonceBytes, nonce);
            md.update(nonceBytes);
            if (leadingZeroBits(md.digest()) >= bits) {
                return nonce;
            }
            if ((nonce + 1) % PROGRESS_EVERY == 0) {
                progress.onProgress(nonce + 1, expected);
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("proof of work interrupted after " + (nonce + 1) + " attempts");
                }
            }
        }
        throw new IllegalStateException("no nonce found"); // 2^63 attempts: not reachable
    }

    /** Leading zero bits of {@code hash}. */
    public static int leadingZeroBits(byte[] hash) {
        for (int i = 0; i < hash.length; i++) {
            int b = hash[i] & 0xff;
            if (b != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(b) - 24;
            }
        }
        return hash.length * 8;
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLong(b, v);
        return b;
    }

    private static void putLong(byte[] b, long v) {
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
    }
}
