package org.p2pdns.node.transport;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.Noise;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The Noise handshakes the transport uses, {@code Noise_IK_25519_ChaChaPoly_SHA256} and
 * {@code Noise_XX_25519_ChaChaPoly_SHA256}, written from the Noise specification (revision 34, sections 5 and 7) over
 * BouncyCastle's X25519, the JDK's SHA-256/HMAC and noise-java's ChaChaPoly cipher state.
 *
 * <p>Why not noise-java's own HandshakeState: its Curve25519 is about 4x slower than BouncyCastle's (measured 590 us
 * against 165 us per scalar multiplication here), and a handshake costs five of them per side; handshake speed bounds
 * how fast a node can talk to new peers. Interoperability with noise-java's HandshakeState, byte for byte with fixed
 * ephemeral keys, is tested (NoiseHandshakeTest). One instance per handshake; not thread-safe.
 */
final class NoiseHandshake {

    /** Handshake patterns. */
    enum Pattern {
        IK(NoiseWire.IK_PROTOCOL),
        XX(NoiseWire.XX_PROTOCOL);

        final String protocolName;

        Pattern(String protocolName) {
            this.protocolName = protocolName;
        }
    }

    /** The two transport cipher states a completed handshake yields, oriented for this side. */
    record Split(CipherState sender, CipherState receiver) {
    }

    static final int DH_LEN = 32;
    static final int TAG_LEN = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pattern pattern;
    private final boolean initiator;
    private final byte[] localPrivate;
    private final byte[] localPublic;
    private byte[] ephemeralPrivate;
    private byte[] ephemeralPublic;
    private byte[] remoteStatic;
    private byte[] remoteEphemeral;
    private final byte[] fixedEphemeral;

    // symmetric state
    private byte[] ck;
    private byte[] h;
    private final CipherState cipher;
    private boolean hasKey;
    private int messageIndex;
    private boolean failed;
    private int agreements;

    /**
     * A handshake for {@code pattern} in the given role with our static X25519 key pair. {@code remoteStaticKey} is the
     * responder's static key for an IK initiator (null otherwise). {@code fixedEphemeralPrivate} is for test vectors
     * only (null: a fresh key from a SecureRandom).
     */
    NoiseHandshake(Pattern pattern, boolean initiator, byte[] prologue, byte[] localPrivateKey, byte[] remoteStaticKey,
                   byte[] fixedEphemeralPrivate) {
        this(pattern, initiator, prologue, localPrivateKey, null, remoteStaticKey, fixedEphemeralPrivate);
    }

    /**
     * As above, with the public half of our static key given ({@code localPublicKey}, computed once per node: deriving
     * it costs a scalar multiplication per handshake otherwise); null computes it.
     */
    NoiseHandshake(Pattern pattern, boolean initiator, byte[] prologue, byte[] localPrivateKey, byte[] localPublicKey,
                   byte[] remoteStaticKey, byte[] fixedEphemeralPrivate) {
        this.pattern = pattern;
        this.initiator = initiator;
        this.localPrivate = localPrivateKey.clone();
        if (localPublicKey != null) {
            this.localPublic = localPublicKey.clone();
        } else {
            this.localPublic = new byte[DH_LEN];
            X25519.scalarMultBase(localPrivate, 0, localPublic, 0);
        }
        this.fixedEphemeral = fixedEphemeralPrivate;
        try {
            this.cipher = Noise.createCipher("ChaChaPoly");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("noise-java lacks ChaChaPoly", e);
        }
        byte[] name = pattern.protocolName.getBytes(StandardCharsets.US_ASCII);
        h = name.length <= 32 ? Arrays.copyOf(name, 32) : sha256(name);
        ck = h.clone();
        mixHash(prologue, 0, prologue.length);
        if (pattern == Pattern.IK) {
            // pre-message "<- s": the responder's static key is known to the initiator
            if (initiator) {
                if (remoteStaticKey == null || remoteStaticKey.length != DH_LEN) {
                    throw new IllegalArgumentException("an IK initiator needs the responder's static key");
                }
                remoteStatic = remoteStaticKey.clone();
                mixHash(remoteStatic, 0, DH_LEN);
            } else {
                mixHash(localPublic, 0, DH_LEN);
            }
        }
    }

    /** X25519 agreements computed since the last call (the CPU cost of the handshake: see TransportStats). */
    int takeAgreements() {
        int n = agreements;
        agreements = 0;
        return n;
    }

    /** Whether the next step is ours to write (false: we expect to read). */
    boolean writing() {
        return (messageIndex % 2 == 0) == initiator;
    }

    /** Whether all messages of the pattern have been processed; then {@link #split()} gives the session keys. */
    boolean complete() {
        return messageIndex == (pattern == Pattern.IK ? 2 : 3);
    }

    /** The peer's static X25519 key once the handshake has revealed (or been given) it, else null. */
    byte[] remoteStaticKey() {
        return remoteStatic == null ? null : remoteStatic.clone();
    }

    /** Size of the next message with a payload of {@code payloadLength} bytes. */
    int messageLength(int payloadLength) {
        boolean keyed = hasKey;
        int n = 0;
        for (String token : tokens(messageIndex)) {
            if (token.equals("e")) {
                n += DH_LEN;
            } else if (token.equals("s")) {
                n += DH_LEN + (keyed ? TAG_LEN : 0);
            } else {
                keyed = true;
            }
        }
        return n + payloadLength + (keyed ? TAG_LEN : 0);
    }

    /**
     * Writes the next handshake message, carrying {@code payload}, at {@code offset}; returns its length.
     *
     * @throws BadPaddingException if a Diffie-Hellman with the peer's key gives the all-zero secret (a small-order
     *                             key); the handshake is then spent
     */
    int writeMessage(byte[] out, int offset, byte[] payload) throws ShortBufferException, BadPaddingException {
        if (failed || complete() || !writing()) {
            throw new IllegalStateException("not this side's turn to write");
        }
        if (out.length - offset < messageLength(payload.length)) {
            throw new ShortBufferException();
        }
        int pos = offset;
        for (String token : tokens(messageIndex)) {
            switch (token) {
                case "e" -> {
                    ephemeralPrivate = new byte[DH_LEN];
                    if (fixedEphemeral != null) {
                        System.arraycopy(fixedEphemeral, 0, ephemeralPrivate, 0, DH_LEN);
                    } else {
                        X25519.generatePrivateKey(RANDOM, ephemeralPrivate);
                    }
                    ephemeralPublic = new byte[DH_LEN];
                    X25519.scalarMultBase(ephemeralPrivate, 0, ephemeralPublic, 0);
                    System.arraycopy(ephemeralPublic, 0, out, pos, DH_LEN);
                    mixHash(ephemeralPublic, 0, DH_LEN);
                    pos += DH_LEN;
                }
                case "s" -> pos += encryptAndHash(localPublic, 0, DH_LEN, out, pos);
                default -> {
                    try {
                        dhToken(token);
                    } catch (BadPaddingException e) {
                        failed = true;
                        throw e;
                    }
                }
            }
        }
        pos += encryptAndHash(payload, 0, payload.length, out, pos);
        messageIndex++;
        return pos - offset;
    }

    /**
     * Reads the next handshake message from {@code in[offset, offset + length)}; returns the payload (a new array).
     *
     * @throws BadPaddingException if it does not authenticate (tampered, or sealed for another key); the handshake is
     *                             then spent
     */
    byte[] readMessage(byte[] in, int offset, int length) throws BadPaddingException {
        if (failed || complete() || writing()) {
            throw new IllegalStateException("not this side's turn to read");
        }
        try {
            int pos = offset;
            int end = offset + length;
            for (String token : tokens(messageIndex)) {
                switch (token) {
                    case "e" -> {
                        require(end - pos >= DH_LEN);
                        remoteEphemeral = Arrays.copyOfRange(in, pos, pos + DH_LEN);
                        mixHash(remoteEphemeral, 0, DH_LEN);
                        pos += DH_LEN;
                    }
                    case "s" -> {
                        int n = DH_LEN + (hasKey ? TAG_LEN : 0);
                        require(end - pos >= n);
                        remoteStatic = decryptAndHash(in, pos, n);
                        pos += n;
                    }
                    default -> dhToken(token);
                }
            }
            require(end - pos >= (hasKey ? TAG_LEN : 0));
            byte[] payload = decryptAndHash(in, pos, end - pos);
            messageIndex++;
            return payload;
        } catch (BadPaddingException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** The transport cipher states; call once, when {@link #complete()}. */
    Split split() {
        if (!complete() || failed) {
            throw new IllegalStateException("handshake not complete");
        }
        byte[][] k = hkdf(ck, new byte[0]);
        CipherState c1 = cipher.fork(k[0], 0);
        CipherState c2 = cipher.fork(k[1], 0);
        destroy();
        return initiator ? new Split(c1, c2) : new Split(c2, c1);
    }

    /** Forgets the key material. */
    void destroy() {
        failed = true;
        Arrays.fill(localPrivate, (byte) 0);
        if (ephemeralPrivate != null) {
            Arrays.fill(ephemeralPrivate, (byte) 0);
        }
        Arrays.fill(ck, (byte) 0);
        cipher.destroy();
    }

    // ------------------------------------------------------------------------------------------------------------

    private String[] tokens(int index) {
        if (pattern == Pattern.IK) {
            return switch (index) {
                case 0 -> new String[] {"e", "es", "s", "ss"};
                case 1 -> new String[] {"e", "ee", "se"};
                default -> new String[0];
            };
        }
        return switch (index) {
            case 0 -> new String[] {"e"};
            case 1 -> new String[] {"e", "ee", "s", "es"};
            case 2 -> new String[] {"s", "se"};
            default -> new String[0];
        };
    }

    /** ee, es, se, ss: the first letter is the initiator's key, the second the responder's. */
    private void dhToken(String token) throws BadPaddingException {
        boolean initiatorEphemeral = token.charAt(0) == 'e';
        boolean responderEphemeral = token.charAt(1) == 'e';
        byte[] ours;
        byte[] theirs;
        if (initiator) {
            ours = initiatorEphemeral ? ephemeralPrivate : localPrivate;
            theirs = responderEphemeral ? remoteEphemeral : remoteStatic;
        } else {
            ours = responderEphemeral ? ephemeralPrivate : localPrivate;
            theirs = initiatorEphemeral ? remoteEphemeral : remoteStatic;
        }
        byte[] shared = new byte[DH_LEN];
        agreements++;
        if (!X25519.calculateAgreement(ours, 0, theirs, 0, shared, 0)) {
            // a small-order public key makes the shared secret zero: refuse it like a bad tag
            throw new BadPaddingException("X25519 produced the all-zero shared secret");
        }
        mixKey(shared);
        Arrays.fill(shared, (byte) 0);
    }

    private void mixHash(byte[] data, int off, int len) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(h);
            d.update(data, off, len);
            h = d.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void mixKey(byte[] ikm) {
        byte[][] k = hkdf(ck, ikm);
        ck = k[0];
        cipher.initializeKey(k[1], 0);
        hasKey = true;
    }

    private int encryptAndHash(byte[] plain, int off, int len, byte[] out, int outOff) throws ShortBufferException {
        int n;
        if (hasKey) {
            n = cipher.encryptWithAd(h, plain, off, out, outOff, len);
        } else {
            System.arraycopy(plain, off, out, outOff, len);
            n = len;
        }
        mixHash(out, outOff, n);
        return n;
    }

    private byte[] decryptAndHash(byte[] in, int off, int len) throws BadPaddingException {
        byte[] plain = new byte[hasKey ? len - TAG_LEN : len];
        if (hasKey) {
            try {
                cipher.decryptWithAd(h, in, off, plain, 0, len);
            } catch (ShortBufferException e) {
                throw new BadPaddingException("handshake message too short");
            }
        } else {
            System.arraycopy(in, off, plain, 0, len);
        }
        mixHash(in, off, len);
        return plain;
    }

    /** HKDF with HMAC-SHA256 as Noise defines it (section 4.3), two outputs. */
    private static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(chainingKey, "HmacSHA256"));
            byte[] temp = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(temp, "HmacSHA256"));
            byte[] out1 = mac.doFinal(new byte[] {1});
            mac.update(out1);
            byte[] out2 = mac.doFinal(new byte[] {2});
            Arrays.fill(temp, (byte) 0);
            return new byte[][] {out1, out2};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void require(boolean ok) throws BadPaddingException {
        if (!ok) {
            throw new BadPaddingException("handshake message too short");
        }
    }
}
