package org.p2pdns.node.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * Derives a node's X25519 (Noise static) key from its Ed25519 key, as libsodium's
 * {@code crypto_sign_ed25519_sk_to_curve25519} and {@code crypto_sign_ed25519_pk_to_curve25519} do, so that a contact
 * (id, Ed25519 key, address) is enough to open a Noise IK session to it.
 */
public final class X25519Keys {

    /** Length of an X25519 key. */
    public static final int KEY_BYTES = 32;

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
     * <p>The key must decode to a point on the curve that is not of small order ({@link Ed25519#isUsablePublicKey}):
     * a small-order key would make the Noise DH outputs predictable. A key with a small-order component besides its
     * prime-order part is accepted: X25519 clamps every private scalar to a multiple of 8, which removes that
     * component from each DH output, so the full prime-order-subgroup check (a scalar multiplication by the group
     * order, 12% of a 500-node join's CPU when it was done here) buys no secrecy. The arithmetic is BouncyCastle's
     * field code, not BigInteger.
     *
     * @throws IllegalArgumentException if the key is not 32 bytes, not on the curve, or of small order
     */
    public static byte[] publicKeyFromEd25519(byte[] edPublicKey) {
        if (!Ed25519.isUsablePublicKey(edPublicKey)) {
            throw new IllegalArgumentException("not a valid Ed25519 public key");
        }
        int[] y = X25519Field.create();
        X25519Field.decode(edPublicKey, 0, y); // the top bit (the sign of x) is dropped: Montgomery u does not keep it
        int[] num = X25519Field.create();
        int[] den = X25519Field.create();
        X25519Field.one(num);
        X25519Field.add(num, y, num);
        X25519Field.one(den);
        X25519Field.sub(den, y, den);
        X25519Field.normalize(den);
        if (X25519Field.isZeroVar(den)) {
            throw new IllegalArgumentException("Ed25519 public key is the identity point");
        }
        X25519Field.inv(den, den);
        X25519Field.mul(num, den, num);
        X25519Field.normalize(num);
        byte[] out = new byte[KEY_BYTES];
        X25519Field.encode(num, out, 0);
        return out;
    }

    /** The X25519 public key of a private scalar (BouncyCastle's base-point multiplication). */
    public static byte[] publicKeyOf(byte[] x25519Private) {
        byte[] pub = new byte[KEY_BYTES];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(x25519Private, 0, pub, 0);
        return pub;
    }
}
