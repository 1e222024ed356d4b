package org.p2pdns.node.reach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.nat.NatMapping;
import org.p2pdns.node.nat.ReachabilityInfo;

/** The reachability record's byte layout (the vector of docs/nat-traversal.md), round trips and malformed input. */
class ReachRecordTest {

    /** Node key: Ed25519 seed 00 01 .. 1f (the record vectors' owner key A). */
    static final byte[] SEED = HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final long T0 = 1767225600L; // 2026-01-01T00:00:00Z
    static final String NODE_ID = "56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c";
    static final String KEY = "7a222aa7fc0ad748628247e4ada5c2296d2630a31a41aee1d38362e641383876";
    static final String VECTOR = "0203a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b80000019b76daa800000000006955b9"
            + "00000000006955ba2c010204cb0071019c400204c63364141d2404c63364151d240e79489b3b71f558a2b8cdd755f344"
            + "b3bf168fd3b99678b4b5a34bcb8203f747d4a0860b57db761ef20783109f0b665713a6bd16bd841b8e4d02f6b14674ae"
            + "0f";

    static ReachabilityInfo info() {
        return new ReachabilityInfo(NatMapping.ENDPOINT_INDEPENDENT, new InetSocketAddress("203.0.113.1", 40000),
                List.of(new InetSocketAddress("198.51.100.20", 7460), new InetSocketAddress("198.51.100.21", 7460)));
    }

    static ReachRecord vector() {
        return ReachRecord.sign(SEED, 1767225600000L, T0, T0 + 300, info());
    }

    @Test
    void vectorOfTheSpec() throws Exception {
        ReachRecord r = vector();
        String hex = HexFormat.of().formatHex(r.encoded());
        assertEquals(NODE_ID, r.nodeId().toHex());
        assertEquals(KEY, r.dhtKey().toHex());
        assertEquals(VECTOR, hex);
        ReachRecord back = ReachRecord.decode(HexFormat.of().parseHex(VECTOR));
        assertEquals(r, back);
        assertEquals(info(), back.info());
        assertTrue(back.verifySignature());
        assertEquals(1767225600000L, back.sequence());
        assertEquals((T0 + 300) * 1000, back.expiresAtMillis());
    }

    @Test
    void roundTripsIpv6AndNoReflexive() throws Exception {
        ReachabilityInfo six = new ReachabilityInfo(NatMapping.ENDPOINT_DEPENDENT,
                new InetSocketAddress("2001:db8::7", 5000), List.of(new InetSocketAddress("2001:db8::1", 7460),
                new InetSocketAddress("2001:db8::2", 7460), new InetSocketAddress("2001:db8::3", 7460),
                new InetSocketAddress("2001:db8::4", 7460)));
        ReachRecord big = ReachRecord.sign(SEED, 9, T0, T0 + 60, six);
        assertEquals(219, big.encoded().length, "the largest record");
        assertTrue(big.encoded().length <= ReachRecord.MAX_BYTES);
        assertEquals(big, ReachRecord.decode(big.encoded()));
        ReachRecord none = ReachRecord.sign(SEED, 9, T0, T0 + 60, new ReachabilityInfo(NatMapping.UNKNOWN, null,
                List.of()));
        assertEquals(none.info(), ReachRecord.decode(none.encoded()).info());
    }

    @Test
    void malformedInputIsOneTypedException() {
        byte[] v = vector().encoded();
        for (int n = 0; n < v.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(v, n);
            assertThrows(ReachFormatException.class, () -> ReachRecord.decode(cut), "length " + n);
        }
        byte[] longer = java.util.Arrays.copyOf(v, v.length + 1);
        assertThrows(ReachFormatException.class, () -> ReachRecord.decode(longer));
        assertThrows(ReachFormatException.class, () -> ReachRecord.decode(null));
        assertThrows(ReachFormatException.class, () -> ReachRecord.decode(new byte[ReachRecord.MAX_BYTES + 1]));
        byte[] record = v.clone();
        record[0] = 0x01;
        assertThrows(ReachFormatException.class, () -> ReachRecord.decode(record));
        Random random = new Random(3);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(260)];
            random.nextBytes(junk);
            if (junk.length > 0) {
                junk[0] = ReachRecord.TYPE;
            }
            try {
                ReachRecord.decode(junk);
            } catch (ReachFormatException expected) {
                // refused
            }
        }
    }

    @Test
    void keyIsDomainSeparatedFromNames() {
        NodeId id = vector().nodeId();
        assertArrayEquals(ReachRecord.dhtKey(id).toBytes(), vector().dhtKey().toBytes());
        assertTrue(!ReachRecord.dhtKey(id).equals(id));
    }
}
