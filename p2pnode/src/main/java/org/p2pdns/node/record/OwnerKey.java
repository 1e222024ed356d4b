package org.p2pdns.node.record;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 key pair that owns names (separate from the node's own key): signs records. Immutable.
 *
 * @see org.p2pdns.node.store.OwnerKeyring for generating, storing, exporting and importing them
 */
public final class OwnerKey {

    /** Length of the private seed and of the public key. */
    public static final int KEY_BYTES = 32;
    /** Length of a signature. */
    public static final int SIGNATURE_BYTES = 64;

    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private OwnerKey(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    /** The key with this 32-byte private seed (RFC 8032). */
    public static OwnerKey fromSeed(byte[] seed) {
        if (seed == null || seed.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 private seed is 32 bytes");
        }
        return new OwnerKey(new Ed25519PrivateKeyParameters(seed, 0));
    }

    /** A new random key. */
    public static OwnerKey generate(SecureRandom random) {
        return new OwnerKey(new Ed25519PrivateKeyParameters(random));
    }

    /** The 32-byte public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The 32-byte private seed (for export; handle with care). */
    public byte[] seed() {
        return privateKey.getEncoded();
    }

    /** Signs {@code message} (pure Ed25519). */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** True when {@code signature} is {@code publicKey}'s signature of {@code message}; false for any bad input. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != KEY_BYTES || signature == null
                || signature.length != SIGNATURE_BYTES || message == null) {
            return false;
        }
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false; // a public key that is not a curve point
        }
    }

    /** The self-certifying label of this key. */
    public String selfCertifyingLabel() {
        return OverlayName.selfCertifyingLabel(publicKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OwnerKey k && Arrays.equals(publicKey, k.publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "OwnerKey[" + selfCertifyingLabel() + "]";
    }
}
