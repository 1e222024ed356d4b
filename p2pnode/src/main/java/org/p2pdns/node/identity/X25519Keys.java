package org.p2pdns.node.identity;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Derives a node's X25519 (Noise static) key from its Ed25519 key, as libsodium's
 * {@code crypto_sign_ed25519_sk_to_curve25519} and {@code crypto_sign_ed25519_pk_to_curve25519} do, so that a contact
 * (id, Ed25519 key, address) is enough to open a Noise IK session to it.
 */
public final class X25519Keys {

    /** Length of an X25519 key. */
    public static final int KEY_BYTES = 32;

    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

    private X25519Keys() {
    }

    /** The clamped X25519 private scalar of an Ed25519 seed: the first 32 bytes of SHA-512(seed), clamped. */
    public static byte[] privateKeyFromEd25519Seed(byte[] seed) {
        if (seed == null || seed.length != Ed25519.SEED_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
        }
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-512").digest(seed);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 missing from the JDK", e);
        }
        byte[] k = Arrays.copyOf(h, KEY_BYTES);
        Arrays.fill(h, (byte) 0);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    /**
     * The X25519 public key (Montgomery u = (1 + y) / (1 - y) mod 2^255 - 19) of an Ed25519 public key.
     *
     * @throws IllegalArgumentException if the key is not a valid Ed25519 point of the prime-order subgroup (a small
     *                                  order or off-curve key would make the Noise DH outputs predictable)
     */
    public static byte[] publicKeyFromEd25519(byte[] edPublicKey) {
        if (!Ed25519.isValidPublicKey(edPublicKey)) {
            throw new IllegalArgumentException("not a valid Ed25519 public key");
        }
        byte[] be = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            be[i] = edPublicKey[KEY_BYTES - 1 - i];
        }
        be[0] &= 0x7f; // the top bit is the sign of x, which the Montgomery form does not keep
        BigInteger y = new BigInteger(1, be);
        BigInteger oneMinusY = BigInteger.ONE.subtract(y).mod(P);
        if (oneMinusY.signum() == 0) {
            throw new IllegalArgumentException("Ed25519 public key is the identity point");
        }
        BigInteger u = BigInteger.ONE.add(y).multiply(oneMinusY.modInverse(P)).mod(P);
        byte[] ube = u.toByteArray();
        byte[] out = new byte[KEY_BYTES];
        // little-endian, dropping BigInteger's sign byte
        for (int i = 0; i < KEY_BYTES && i < ube.length; i++) {
            out[i] = ube[ube.length - 1 - i];
        }
        return out;
    }

    /** The X25519 public key of a private scalar (BouncyCastle's base-point multiplication). */
    public static byte[] publicKeyOf(byte[] x25519Private) {
        byte[] pub = new byte[KEY_BYTES];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(x25519Private, 0, pub, 0);
        return pub;
    }
}
