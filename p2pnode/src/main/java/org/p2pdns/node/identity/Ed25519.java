package org.p2pdns.node.identity;

/**
 * Ed25519 signatures (RFC 8032) through BouncyCastle's lightweight API: the one place node identities and the record
 * layer sign and verify. Verification never throws on malformed input; it returns false.
 */
public final class Ed25519 {

    /** Length of a public key. */
    public static final int PUBLIC_KEY_BYTES = 32;
    /** Length of a private key (the RFC 8032 seed). */
    public static final int SEED_BYTES = 32;
    /** Length of a signature. */
    public static final int SIGNATURE_BYTES = 64;

    private Ed25519() {
    }

    /** The public key of a 32-byte seed. */
    public static byte[] publicKeyOf(byte[] seed) {
        requireSeed(seed);
        byte[] pub = new byte[PUBLIC_KEY_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pub, 0);
        return pub;
    }

    /** Signs {@code message} with {@code seed}, whose public key is {@code publicKey} (saves recomputing it). */
    public static byte[] sign(byte[] seed, byte[] publicKey, byte[] message) {
        requireSeed(seed);
        if (publicKey == null || publicKey.length != PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        byte[] sig = new byte[SIGNATURE_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    /** Signs {@code message} with {@code seed}. */
    public static byte[] sign(byte[] seed, byte[] message) {
        return sign(seed, publicKeyOf(seed), message);
    }

    /**
     * True when {@code signature} is a valid signature of {@code message} by {@code publicKey}; false for any
     * malformed argument (null, wrong lengths, a public key that is not a curve point).
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || message == null || signature == null
                || publicKey.length != PUBLIC_KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, 0,
                    message.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * True when {@code publicKey} is 32 bytes encoding a point on the curve that is not of small order (BouncyCastle's
     * partial validation): what a Noise static key needs, see {@link X25519Keys#publicKeyFromEd25519}.
     */
    public static boolean isUsablePublicKey(byte[] publicKey) {
        return publicKey != null && publicKey.length == PUBLIC_KEY_BYTES
                && org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartial(publicKey, 0);
    }

    private static void requireSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("an Ed25519 private key (seed) is 32 bytes");
        }
    }
}
