package org.p2pdns.node.transport;

import java.nio.charset.StandardCharsets;
import javax.crypto.BadPaddingException;
import javax.crypto.ShortBufferException;

/**
 * The byte layout of the secure transport's packets (docs/protocol-transport.md) and the Noise handshake set-up both
 * ends must agree on: protocol names, prologue, header sizes, big-endian integers.
 */
final class NoiseWire {

    private NoiseWire() {
    }

    /** Protocol version byte carried by handshake packets. */
    static final int VERSION = 1;
    /** Pattern byte of a HANDSHAKE_INIT: Noise IK (the responder's key is known). */
    static final int PATTERN_IK = 1;
    /** Pattern byte of a HANDSHAKE_INIT: Noise XX (bootstrap: no key known). */
    static final int PATTERN_XX = 2;
    static final String IK_PROTOCOL = "Noise_IK_25519_ChaChaPoly_SHA256";
    static final String XX_PROTOCOL = "Noise_XX_25519_ChaChaPoly_SHA256";
    /** Prefix of every handshake's Noise prologue, followed by the HANDSHAKE_INIT header. */
    static final byte[] PROLOGUE = "p2pdns-transport/1".getBytes(StandardCharsets.US_ASCII);

    static final int INIT_HEADER = 7;       // type, version, pattern, sender index
    static final int RESPONSE_HEADER = 10;  // type, version, sender index, receiver index
    static final int FINISH_HEADER = 6;     // type, version, receiver index
    static final int DATA_HEADER = 13;      // type, receiver index, nonce
    static final int KEY = 32;
    static final int TAG = 16;
    static final int TIMESTAMP = 8;

    /** The Noise prologue of a handshake: {@link #PROLOGUE} followed by the HANDSHAKE_INIT header. */
    static byte[] prologue(byte[] initHeader) {
        byte[] prologue = new byte[PROLOGUE.length + initHeader.length];
        System.arraycopy(PROLOGUE, 0, prologue, 0, PROLOGUE.length);
        System.arraycopy(initHeader, 0, prologue, PROLOGUE.length, initHeader.length);
        return prologue;
    }

    /** Writes the next handshake message with {@code payload} at {@code offset}; returns its length. */
    static int write(NoiseHandshake hs, byte[] out, int offset, byte[] payload) throws BadPaddingException {
        try {
            return hs.writeMessage(out, offset, payload);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("handshake buffer too small", e);
        }
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    static long getLong(byte[] b, int off) {
        return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xffffffffL);
    }
}
