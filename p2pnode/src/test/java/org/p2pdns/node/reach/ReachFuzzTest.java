package org.p2pdns.node.reach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.TypedValuePolicy;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.RecordPolicy;

/**
 * Fuzzes reachability-record decoding and validation (through the DHT's composite policy): any bytes decode or raise
 * {@link ReachFormatException}; a decoded record re-encodes to the same bytes; the policy never throws and accepts
 * nothing it cannot decode. The second target mutates the spec vector: no changed record is accepted.
 * Regression inputs: ReachFuzzTestInputs/decode/ and ReachFuzzTestInputs/tamper/.
 */
class ReachFuzzTest {

    private static final TypedValuePolicy POLICY = ReachPolicy.alongside(new RecordPolicy(NetworkParams.TEST));
    private static final byte[] VECTOR = ReachRecordTest.vector().encoded();
    private static final long NOW = (ReachRecordTest.T0 + 60) * 1000;

    @FuzzTest(maxDuration = "10m")
    void decode(byte[] input) {
        ReachRecord r;
        try {
            r = ReachRecord.decode(input);
        } catch (ReachFormatException expected) {
            StoreOutcome o = POLICY.validate(NodeId.ofPublicKey(new byte[32]), input, null, NOW);
            assertTrue(o != StoreOutcome.STORED, "policy accepted bytes that do not decode");
            return;
        }
        assertArrayEquals(input, r.encoded(), "decode is not the inverse of encode");
        assertArrayEquals(java.util.Arrays.copyOfRange(input, ReachRecord.HEADER_BYTES, input.length - 64),
                r.info().encode(), "one encoding per reachability info");
        assertNotNull(POLICY.validate(r.dhtKey(), input, null, NOW));
        POLICY.validate(r.dhtKey(), input, VECTOR, NOW);
        POLICY.validate(r.dhtKey(), input, input, NOW);
    }

    @FuzzTest(maxDuration = "10m")
    void tamper(FuzzedDataProvider data) {
        NodeId key = ReachRecordTest.vector().dhtKey();
        assertEquals(StoreOutcome.STORED, POLICY.validate(key, VECTOR, null, NOW), "vector invalid");
        byte[] p = VECTOR.clone();
        int changes = data.consumeInt(1, 8);
        for (int i = 0; i < changes; i++) {
            p[data.consumeInt(0, p.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        assertTrue(POLICY.validate(key, p, null, NOW) != StoreOutcome.STORED, "a tampered record was accepted");
    }
}
