package org.p2pdns.node.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the DHT wire decoder: any byte string either decodes or raises {@link WireException}; whatever decodes
 * re-encodes within the message limit, and a second round trip is byte-identical (decode is a function of the bytes).
 * Regression inputs: src/test/resources/org/p2pdns/node/wire/DhtCodecFuzzTestInputs/decode/.
 */
class DhtCodecFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void decode(byte[] input) {
        DhtMessage m;
        try {
            m = DhtCodec.decode(input);
        } catch (WireException expected) {
            return;
        }
        byte[] once = DhtCodec.encode(m);
        assertTrue(once.length <= DhtCodec.MAX_MESSAGE, "re-encoded message over the limit: " + once.length);
        DhtMessage again;
        try {
            again = DhtCodec.decode(once);
        } catch (WireException e) {
            throw new AssertionError("our own encoding does not decode: " + e.getMessage(), e);
        }
        assertTrue(again.type() == m.type() && again.requestId() == m.requestId(), "header changed in a round trip");
        assertArrayEquals(once, DhtCodec.encode(again), "second round trip differs");
    }
}
