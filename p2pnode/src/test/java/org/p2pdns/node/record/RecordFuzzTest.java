package org.p2pdns.node.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.identity.NodeId;

/**
 * Fuzzes record decoding and {@link RecordPolicy#validate}: any bytes either decode or raise
 * {@link RecordFormatException}; a decoded record re-encodes to the same bytes; the policy never throws and accepts
 * nothing it cannot decode. The second target mutates the genuine test vectors (signed under the test network's
 * parameters) and checks that every changed record is refused: no forgery passes validation.
 * Regression inputs: RecordFuzzTestInputs/decode/ and RecordFuzzTestInputs/tamper/.
 */
class RecordFuzzTest {

    private static final RecordPolicy POLICY = new RecordPolicy(NetworkParams.TEST.withDifficulty(0, 8));
    private static final byte[][] VECTORS = {TestRecords.vector1().encoded(), TestRecords.vector2().encoded()};
    private static final long NOW = (TestRecords.T0 + 60) * 1000;

    @FuzzTest(maxDuration = "10m")
    void decode(byte[] input) {
        SignedRecord r;
        try {
            r = RecordCodec.decode(input);
        } catch (RecordFormatException expected) {
            StoreOutcome o = POLICY.validate(NodeId.ofPublicKey(new byte[32]), input, null, NOW);
            assertTrue(o != StoreOutcome.STORED, "policy accepted bytes that do not decode");
            return;
        }
        assertArrayEquals(input, r.encoded(), "decode is not the inverse of encode");
        StoreOutcome o = POLICY.validate(r.dhtKey(), input, null, NOW);
        assertNotNull(o);
        POLICY.validate(r.dhtKey(), input, VECTORS[0], NOW);
        POLICY.validate(r.dhtKey(), input, input, NOW);
    }

    @FuzzTest(maxDuration = "10m")
    void tamper(FuzzedDataProvider data) {
        byte[] original = VECTORS[data.consumeInt(0, 1)];
        SignedRecord genuine;
        try {
            genuine = RecordCodec.decode(original);
        } catch (RecordFormatException e) {
            throw new AssertionError(e);
        }
        assertEquals(StoreOutcome.STORED, POLICY.validate(genuine.dhtKey(), original, null, NOW), "vector invalid");
        byte[] p = original.clone();
        int changes = data.consumeInt(1, 8);
        for (int i = 0; i < changes; i++) {
            p[data.consumeInt(0, p.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        StoreOutcome o = POLICY.validate(genuine.dhtKey(), p, null, NOW);
        assertTrue(o != StoreOutcome.STORED, "a tampered record was accepted");
    }
}
