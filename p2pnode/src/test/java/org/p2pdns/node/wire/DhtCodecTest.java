package org.p2pdns.node.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.identity.NodeId;

class DhtCodecTest {

    static final HexFormat HEX = HexFormat.of();

    static Contact contact(int seed, String ip, int port) throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (seed + i);
        }
        return Contact.of(key, new InetSocketAddress(InetAddress.getByName(ip), port));
    }

    static DhtMessage roundTrip(DhtMessage m) throws WireException {
        byte[] b = DhtCodec.encode(m);
        assertTrue(b.length <= DhtCodec.MAX_MESSAGE);
        DhtMessage d = DhtCodec.decode(b);
        assertEquals(m.type(), d.type());
        assertEquals(m.requestId(), d.requestId());
        assertArrayEquals(b, DhtCodec.encode(d), "re-encoding differs");
        return d;
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        NodeId id = NodeId.hashOf("target");
        byte[] token = new byte[16];
        List<Contact> cs = List.of(contact(1, "192.0.2.1", 4000), contact(2, "2001:db8::1", 4001));
        byte[] value = new byte[ValuePolicy.MAX_VALUE_BYTES];
        new Random(1).nextBytes(value);

        roundTrip(new PingMessage(1));
        roundTrip(new PongMessage(-1));
        assertEquals(id, ((FindNodeMessage) roundTrip(new FindNodeMessage(2, id))).target());
        assertEquals(id, ((FindValueMessage) roundTrip(new FindValueMessage(3, id))).key());
        NodesMessage n = (NodesMessage) roundTrip(new NodesMessage(4, token, cs));
        assertEquals(cs, n.contacts());
        ValueMessage v = (ValueMessage) roundTrip(new ValueMessage(5, token, value, cs));
        assertArrayEquals(value, v.value());
        StoreMessage s = (StoreMessage) roundTrip(new StoreMessage(6, id, new byte[32], value));
        assertArrayEquals(value, s.value());
        assertEquals(id, s.key());
        for (StoreOutcome o : StoreOutcome.values()) {
            assertEquals(o, ((StoreResultMessage) roundTrip(new StoreResultMessage(7, o))).outcome());
        }
        ErrorMessage e = (ErrorMessage) roundTrip(new ErrorMessage(8, ErrorMessage.Code.OVERLOADED, "busy ü"));
        assertEquals("busy ü", e.reason());
    }

    @Test
    void nodesReplyIsTruncatedToFitOneMessage() throws Exception {
        List<Contact> many = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            many.add(contact(i, "2001:db8::" + (i + 1), 4000 + i));
        }
        byte[] b = DhtCodec.encode(new NodesMessage(9, new byte[16], many));
        assertTrue(b.length <= DhtCodec.MAX_MESSAGE);
        NodesMessage n = (NodesMessage) DhtCodec.decode(b);
        assertTrue(n.contacts().size() < many.size() && n.contacts().size() >= 20, "kept " + n.contacts().size());
        assertEquals(many.subList(0, n.contacts().size()), n.contacts());
        // a VALUE with the largest value keeps what still fits
        byte[] vb = DhtCodec.encode(new ValueMessage(9, new byte[16], new byte[ValuePolicy.MAX_VALUE_BYTES], many));
        assertTrue(vb.length <= DhtCodec.MAX_MESSAGE);
        assertEquals(1, ((ValueMessage) DhtCodec.decode(vb)).contacts().size());
    }

    // test vectors: the same bytes appear in docs/protocol-dht.md
    @Test
    void vectors() throws Exception {
        assertEquals("01010102030405060708", HEX.formatHex(DhtCodec.encode(new PingMessage(0x0102030405060708L))));
        NodeId target = NodeId.fromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        assertEquals("0103000000000000002a00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                HEX.formatHex(DhtCodec.encode(new FindNodeMessage(42, target))));
        Contact c = contact(0, "192.0.2.7", 4000);
        byte[] token = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
        String nodes = HEX.formatHex(DhtCodec.encode(new NodesMessage(42, token, List.of(c))));
        assertEquals("0104000000000000002a" + "10" + "000102030405060708090a0b0c0d0e0f" + "01"
                + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" + "04" + "c0000207" + "0fa0",
                nodes);
        assertEquals("0108000000000000002a09",
                HEX.formatHex(DhtCodec.encode(new StoreResultMessage(42, StoreOutcome.BAD_TOKEN))));
        assertEquals("0107000000000000002a" + target.toHex() + "10" + "000102030405060708090a0b0c0d0e0f" + "0003"
                + "616263", HEX.formatHex(DhtCodec.encode(new StoreMessage(42, target, token, "abc".getBytes()))));
        assertEquals("0102000000000000002a", HEX.formatHex(DhtCodec.encode(new PongMessage(42))));
        assertEquals("0105000000000000002a" + target.toHex(),
                HEX.formatHex(DhtCodec.encode(new FindValueMessage(42, target))));
        assertEquals("0106000000000000002a" + "10" + "000102030405060708090a0b0c0d0e0f" + "0003" + "616263" + "00",
                HEX.formatHex(DhtCodec.encode(new ValueMessage(42, token, "abc".getBytes(), List.of()))));
        Contact v6 = contact(0, "2001:db8::1", 53);
        assertEquals("0104000000000000002a" + "00" + "01"
                + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" + "06"
                + "20010db8000000000000000000000001" + "0035",
                HEX.formatHex(DhtCodec.encode(new NodesMessage(42, new byte[0], List.of(v6)))));
        assertEquals("0109000000000000002a0304" + "62757379",
                HEX.formatHex(DhtCodec.encode(new ErrorMessage(42, ErrorMessage.Code.OVERLOADED, "busy"))));
    }

    static WireException.Error fails(String hex) {
        return assertThrows(WireException.class, () -> DhtCodec.decode(HEX.parseHex(hex))).error();
    }

    @Test
    void malformedInputsFailWithTheirCode() {
        assertEquals(WireException.Error.TRUNCATED, fails(""));
        assertEquals(WireException.Error.TRUNCATED, fails("0101"));
        assertEquals(WireException.Error.BAD_VERSION, fails("02010102030405060708"));
        assertEquals(WireException.Error.UNKNOWN_TYPE, fails("01ff0102030405060708"));
        assertEquals(WireException.Error.UNKNOWN_TYPE, fails("01000102030405060708"));
        assertEquals(WireException.Error.TRAILING_BYTES, fails("0101010203040506070800"));
        assertEquals(WireException.Error.TRUNCATED, fails("0103000000000000002a0011"));
        // token length 33
        assertEquals(WireException.Error.TOO_LARGE, fails("0104000000000000002a21"));
        // contact count 33
        assertEquals(WireException.Error.TOO_LARGE, fails("0104000000000000002a00" + "21"));
        // one contact, bad family 5
        assertEquals(WireException.Error.BAD_ADDRESS, fails("0104000000000000002a0001" + "00".repeat(32) + "05"));
        // one contact, port 0
        assertEquals(WireException.Error.BAD_ADDRESS,
                fails("0104000000000000002a0001" + "00".repeat(32) + "04c00002070000"));
        // one contact, unspecified address 0.0.0.0
        assertEquals(WireException.Error.BAD_ADDRESS,
                fails("0104000000000000002a0001" + "00".repeat(32) + "04000000000fa0"));
        // value length 1001
        assertEquals(WireException.Error.TOO_LARGE, fails("0106000000000000002a00" + "03e9"));
        // value length says 3, one byte present
        assertEquals(WireException.Error.TRUNCATED, fails("0106000000000000002a00000361"));
        // unknown store outcome
        assertEquals(WireException.Error.BAD_FIELD, fails("0108000000000000002a63"));
        // unknown error code
        assertEquals(WireException.Error.BAD_FIELD, fails("0109000000000000002a6300"));
        // invalid UTF-8 reason
        assertEquals(WireException.Error.BAD_FIELD, fails("0109000000000000002a0101ff"));
        assertEquals(WireException.Error.TOO_LARGE,
                assertThrows(WireException.class, () -> DhtCodec.decode(new byte[DhtCodec.MAX_MESSAGE + 1])).error());
    }

    @Test
    void randomBytesNeverThrowAnythingButWireException() {
        Random r = new Random(99);
        int decoded = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[r.nextInt(i % 10 == 0 ? 1200 : 120)];
            r.nextBytes(b);
            if (b.length > 1 && r.nextBoolean()) {
                b[0] = 1;
                b[1] = (byte) (1 + r.nextInt(9));
            }
            try {
                DhtCodec.decode(b);
                decoded++;
            } catch (WireException e) {
                // expected
            }
        }
        assertTrue(decoded < 50_000);
    }

    @Test
    void mutatedValidMessagesNeverThrowAnythingButWireException() throws Exception {
        Random r = new Random(5);
        byte[] good = DhtCodec.encode(new NodesMessage(1, new byte[16],
                List.of(contact(1, "192.0.2.1", 1), contact(2, "2001:db8::2", 2))));
        for (int i = 0; i < 30_000; i++) {
            byte[] b = good.clone();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            byte[] cut = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
            try {
                DhtCodec.decode(r.nextBoolean() ? b : cut);
            } catch (WireException e) {
                // expected
            }
        }
    }

    @Test
    void messagesRefuseOversizedFields() {
        assertThrows(IllegalArgumentException.class,
                () -> new StoreMessage(1, NodeId.hashOf("k"), new byte[16], new byte[ValuePolicy.MAX_VALUE_BYTES + 1]));
        assertThrows(IllegalArgumentException.class, () -> new NodesMessage(1, new byte[33], List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new ErrorMessage(1, ErrorMessage.Code.MALFORMED, "x".repeat(201)));
    }
}
