package org.p2pdns.node.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeIdTest {

    @Test
    void xorDistanceOrderingMatchesBigIntegerArithmetic() {
        Random r = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            NodeId t = NodeId.random(r);
            NodeId a = NodeId.random(r);
            NodeId b = NodeId.random(r);
            int expected = Integer.signum(t.xor(a).toBigInteger().compareTo(t.xor(b).toBigInteger()));
            assertEquals(expected, Integer.signum(t.compareDistance(a, b)));
        }
    }

    @Test
    void commonPrefixAndLeadingZeros() {
        byte[] zero = new byte[32];
        byte[] one = new byte[32];
        one[2] = 0x10; // bit 19 set
        assertEquals(256, NodeId.of(zero).leadingZeroBits());
        assertEquals(19, NodeId.of(one).leadingZeroBits());
        assertEquals(19, NodeId.of(zero).commonPrefixLength(NodeId.of(one)));
        assertEquals(256, NodeId.of(one).commonPrefixLength(NodeId.of(one)));
    }

    @Test
    void hexRoundTripAndPublicKeyHash() {
        NodeId id = NodeId.ofPublicKey(new byte[32]);
        // SHA-256 of 32 zero bytes
        assertEquals("66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925", id.toHex());
        assertEquals(id, NodeId.fromHex(id.toHex()));
        assertTrue(id.compareTo(NodeId.of(new byte[32])) > 0);
    }

    @Test
    void rejectsWrongLengths() {
        assertThrows(IllegalArgumentException.class, () -> NodeId.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> NodeId.of(new byte[40], 10));
        assertThrows(IllegalArgumentException.class, () -> NodeId.fromHex("abc"));
    }
}
