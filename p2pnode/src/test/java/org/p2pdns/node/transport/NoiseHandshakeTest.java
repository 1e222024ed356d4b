package org.p2pdns.node.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.CipherStatePair;
import com.southernstorm.noise.protocol.HandshakeState;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.BadPaddingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.p2pdns.node.transport.NoiseHandshake.Pattern;

/**
 * Our Noise handshakes against noise-java's HandshakeState (an independent implementation of the same specification):
 * with the same static and ephemeral keys the messages must be identical byte for byte, and each must complete a
 * handshake with the other and agree on the transport keys.
 */
class NoiseHandshakeTest {

    private final Random random = new Random(77);
    private final byte[] prologue = "prologue-bytes".getBytes(StandardCharsets.US_ASCII);

    private byte[] key() {
        byte[] k = new byte[32];
        random.nextBytes(k);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    private static byte[] pub(byte[] priv) {
        byte[] p = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(priv, 0, p, 0);
        return p;
    }

    private HandshakeState reference(Pattern pattern, int role, byte[] staticKey, byte[] remoteStatic,
                                     byte[] ephemeral) throws Exception {
        HandshakeState hs = new HandshakeState(pattern.protocolName, role);
        hs.getLocalKeyPair().setPrivateKey(staticKey, 0);
        if (remoteStatic != null) {
            hs.getRemotePublicKey().setPublicKey(remoteStatic, 0);
        }
        hs.getFixedEphemeralKey().setPrivateKey(ephemeral, 0);
        hs.setPrologue(prologue, 0, prologue.length);
        hs.start();
        return hs;
    }

    private static byte[] refWrite(HandshakeState hs, byte[] payload) throws Exception {
        byte[] out = new byte[2000];
        int n = hs.writeMessage(out, 0, payload, 0, payload.length);
        return Arrays.copyOf(out, n);
    }

    private static byte[] refRead(HandshakeState hs, byte[] msg) throws Exception {
        byte[] out = new byte[2000];
        int n = hs.readMessage(msg, 0, msg.length, out, 0);
        return Arrays.copyOf(out, n);
    }

    private static byte[] ourWrite(NoiseHandshake hs, byte[] payload) throws Exception {
        byte[] out = new byte[hs.messageLength(payload.length)];
        assertEquals(out.length, hs.writeMessage(out, 0, payload));
        return out;
    }

    @ParameterizedTest
    @EnumSource(Pattern.class)
    void oursMatchesNoiseJavaByteForByteInBothRoles(Pattern pattern) throws Exception {
        for (boolean weInitiate : new boolean[] {true, false}) {
            byte[] is = key();
            byte[] rs = key();
            byte[] ie = key();
            byte[] re = key();
            byte[] remoteForIk = pattern == Pattern.IK ? pub(rs) : null;
            // reference pair, and ours in one role talking to the reference in the other
            HandshakeState refI = reference(pattern, HandshakeState.INITIATOR, is, remoteForIk, ie);
            HandshakeState refR = reference(pattern, HandshakeState.RESPONDER, rs, null, re);
            NoiseHandshake ours = weInitiate
                    ? new NoiseHandshake(pattern, true, prologue, is, remoteForIk, ie)
                    : new NoiseHandshake(pattern, false, prologue, rs, null, re);
            HandshakeState peer = weInitiate ? refR : refI;
            HandshakeState twin = weInitiate ? refI : refR;   // plays our role, for byte comparison
            int messages = pattern == Pattern.IK ? 2 : 3;
            for (int m = 0; m < messages; m++) {
                byte[] payload = ("payload " + m).getBytes(StandardCharsets.US_ASCII);
                boolean ourTurn = (m % 2 == 0) == weInitiate;
                if (ourTurn) {
                    byte[] mine = ourWrite(ours, payload);
                    byte[] expected = refWrite(twin, payload);
                    assertArrayEquals(expected, mine, pattern + " message " + m);
                    assertArrayEquals(payload, refRead(peer, mine));
                } else {
                    byte[] theirs = refWrite(peer, payload);
                    assertArrayEquals(payload, ours.readMessage(theirs, 0, theirs.length));
                    refRead(twin, theirs);
                }
            }
            assertTrue(ours.complete());
            assertArrayEquals(weInitiate ? pub(rs) : pub(is), ours.remoteStaticKey());
            NoiseHandshake.Split split = ours.split();
            CipherStatePair ref = peer.split();
            roundTrip(split.sender(), ref.getReceiver());
            roundTrip(ref.getSender(), split.receiver());
        }
    }

    private static void roundTrip(CipherState from, CipherState to) throws Exception {
        byte[] msg = "transport data".getBytes(StandardCharsets.US_ASCII);
        byte[] ct = new byte[msg.length + 16];
        from.setNonce(5);
        from.encryptWithAd(new byte[] {9}, msg, 0, ct, 0, msg.length);
        byte[] pt = new byte[msg.length];
        to.setNonce(5);
        to.decryptWithAd(new byte[] {9}, ct, 0, pt, 0, ct.length);
        assertArrayEquals(msg, pt);
    }

    @Test
    void ikInitiationSealedForAnotherKeyFailsAndSpendsTheHandshake() throws Exception {
        byte[] is = key();
        byte[] rs = key();
        byte[] other = key();
        NoiseHandshake init = new NoiseHandshake(Pattern.IK, true, prologue, is, pub(other), null);
        byte[] msg = ourWrite(init, new byte[3]);
        NoiseHandshake resp = new NoiseHandshake(Pattern.IK, false, prologue, rs, null, null);
        assertThrows(BadPaddingException.class, () -> resp.readMessage(msg, 0, msg.length));
        assertThrows(IllegalStateException.class, () -> resp.readMessage(msg, 0, msg.length));
    }

    @Test
    void truncatedTamperedOrWrongPrologueMessagesFail() throws Exception {
        byte[] is = key();
        byte[] rs = key();
        byte[] msg = ourWrite(new NoiseHandshake(Pattern.IK, true, prologue, is, pub(rs), null), new byte[10]);
        for (int len : new int[] {0, 10, 31, 32, 79, 80, msg.length - 1}) {
            NoiseHandshake r = new NoiseHandshake(Pattern.IK, false, prologue, rs, null, null);
            assertThrows(BadPaddingException.class, () -> r.readMessage(msg, 0, len), "length " + len);
        }
        for (int i = 0; i < msg.length; i += 7) {
            byte[] bad = msg.clone();
            bad[i] ^= 1;
            NoiseHandshake r = new NoiseHandshake(Pattern.IK, false, prologue, rs, null, null);
            assertThrows(BadPaddingException.class, () -> r.readMessage(bad, 0, bad.length), "byte " + i);
        }
        NoiseHandshake r = new NoiseHandshake(Pattern.IK, false, "other".getBytes(StandardCharsets.US_ASCII), rs,
                null, null);
        assertThrows(BadPaddingException.class, () -> r.readMessage(msg, 0, msg.length));
    }

    @Test
    void smallOrderEphemeralIsRefused() throws Exception {
        byte[] rs = key();
        // XX message 1 whose ephemeral key is the point of order 1 (u = 0): "ee" would be all zeros
        NoiseHandshake r = new NoiseHandshake(Pattern.XX, false, prologue, rs, null, null);
        byte[] msg1 = new byte[32];
        r.readMessage(msg1, 0, 32);
        byte[] out = new byte[r.messageLength(0)];
        assertThrows(BadPaddingException.class, () -> r.writeMessage(out, 0, new byte[0]));
    }
}
