package org.p2pdns.node.intro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;

class IntroCodecTest {

    private final Random random = new Random(42);

    private Ed25519PrivateKeyParameters key() {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return new Ed25519PrivateKeyParameters(seed);
    }

    private static InetSocketAddress ep(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    private PeerInfo peer() {
        return new PeerInfo(key().generatePublicKey().getEncoded(), ep("203.0.113.7", 40000),
                List.of(ep("192.0.2.10", 4000), ep("fe80::1", 4000)));
    }

    private List<IntroMessage> samples() {
        NodeId a = NodeId.random(random);
        NodeId b = NodeId.random(random);
        return List.of(
                IntroCodec.signRegister(key(), 7, 1_700_000_000_000L, 16, 99, List.of(ep("192.0.2.10", 4000))),
                new IntroMessage.Registered(7, ep("203.0.113.1", 31000), 90, 1234, List.of(peer(), peer())),
                new IntroMessage.PeersRequest(8, a, 20, 55),
                new IntroMessage.Peers(8, List.of(peer())),
                new IntroMessage.Rendezvous(9, a, b),
                new IntroMessage.PunchNow(9, 0xdeadbeefL, true, peer()),
                new IntroMessage.Relay(a, b, new byte[]{0x53, 1, 2, 3}),
                new IntroMessage.Relayed(a, new byte[1200]),
                new IntroMessage.Error(10, IntroError.RELAY_LIMIT));
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        for (IntroMessage m : samples()) {
            byte[] wire = IntroCodec.encode(m);
            assertTrue(IntroCodec.isIntro(wire));
            assertEquals(m.type(), wire[0] & 0xff);
            IntroMessage back = IntroCodec.decode(wire);
            assertEquals(m.getClass(), back.getClass());
            assertArrayEquals(wire, IntroCodec.encode(back), m.getClass().getSimpleName());
        }
    }

    @Test
    void registerSignatureVerifiesAndBreaksWhenAnyByteChanges() throws Exception {
        IntroMessage.Register r = IntroCodec.signRegister(key(), 1, 5000, 8, 0, List.of(ep("10.0.0.1", 5)));
        assertTrue(IntroCodec.verify(r));
        byte[] wire = IntroCodec.encode(r);
        for (int i = 2; i < wire.length; i++) {
            byte[] bad = wire.clone();
            bad[i] ^= 1;
            IntroMessage m;
            try {
                m = IntroCodec.decode(bad);
            } catch (IntroDecodeException e) {
                continue; // a flipped length/family byte may make it undecodable: also a refusal
            }
            assertFalse(IntroCodec.verify((IntroMessage.Register) m), "flip at " + i);
        }
    }

    @Test
    void everyTruncationIsATypedError() {
        for (IntroMessage m : samples()) {
            byte[] wire = IntroCodec.encode(m);
            for (int len = 0; len < wire.length; len++) {
                byte[] cut = java.util.Arrays.copyOf(wire, len);
                IntroDecodeException e = assertThrows(IntroDecodeException.class, () -> IntroCodec.decode(cut));
                assertEquals(IntroError.MALFORMED, e.code(), m.getClass().getSimpleName() + " len " + len);
            }
        }
    }

    @Test
    void trailingBytesVersionTypeAndSizesAreRefused() {
        byte[] wire = IntroCodec.encode(new IntroMessage.Error(1, IntroError.MALFORMED));
        byte[] longer = java.util.Arrays.copyOf(wire, wire.length + 1);
        assertEquals(IntroError.MALFORMED, assertThrows(IntroDecodeException.class,
                () -> IntroCodec.decode(longer)).code());
        byte[] v2 = wire.clone();
        v2[1] = 2;
        assertEquals(IntroError.UNSUPPORTED_VERSION, assertThrows(IntroDecodeException.class,
                () -> IntroCodec.decode(v2)).code());
        byte[] unknown = wire.clone();
        unknown[0] = 0x6f;
        assertEquals(IntroError.MALFORMED, assertThrows(IntroDecodeException.class,
                () -> IntroCodec.decode(unknown)).code());
        byte[] badCode = wire.clone();
        badCode[badCode.length - 1] = (byte) 200;
        assertThrows(IntroDecodeException.class, () -> IntroCodec.decode(badCode));
        assertEquals(IntroError.TOO_LARGE, assertThrows(IntroDecodeException.class,
                () -> IntroCodec.decode(new byte[IntroCodec.MAX_MESSAGE + 1])).code());
        assertThrows(IllegalArgumentException.class, () -> IntroCodec.encode(
                new IntroMessage.Relay(NodeId.random(random), NodeId.random(random), new byte[1201])));
    }

    @Test
    void relayLengthFieldOverTheCapIsTooLarge() {
        byte[] wire = IntroCodec.encode(new IntroMessage.Relayed(NodeId.random(random), new byte[4]));
        wire[34] = (byte) 0xff; // length high byte
        assertEquals(IntroError.TOO_LARGE, assertThrows(IntroDecodeException.class,
                () -> IntroCodec.decode(wire)).code());
    }

    @Test
    void peerListsAreCutToTheSizeLimit() throws Exception {
        List<PeerInfo> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(peer());
        }
        byte[] full = IntroCodec.encode(new IntroMessage.Peers(1, many));
        assertTrue(full.length <= IntroCodec.MAX_REPLY, "reply " + full.length);
        int n = ((IntroMessage.Peers) IntroCodec.decode(full)).peers().size();
        assertTrue(n > 5 && n < 100, "peers " + n);
        byte[] small = IntroCodec.encode(new IntroMessage.Peers(1, many), 200);
        assertTrue(small.length <= 200);
        assertEquals(2, ((IntroMessage.Peers) IntroCodec.decode(small)).peers().size());
    }

    @Test
    void randomGarbageNeverThrowsAnythingElse() {
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(300)];
            r.nextBytes(b);
            if (b.length > 1) {
                b[0] = (byte) (0x60 + r.nextInt(10));
                b[1] = 1;
            }
            try {
                IntroCodec.decode(b);
            } catch (IntroDecodeException expected) {
                // the only allowed failure
            }
        }
    }
}
