package org.p2pdns.node.intro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the introduction-protocol decoder (the node reads the server's replies with it, the server the nodes'
 * requests): any bytes either decode or raise {@link IntroDecodeException}; a decoded message re-encodes within the
 * message limit and a second round trip is byte-identical. Regression inputs: IntroCodecFuzzTestInputs/decode/.
 */
class IntroCodecFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void decode(byte[] input) {
        IntroMessage m;
        try {
            m = IntroCodec.decode(input);
        } catch (IntroDecodeException expected) {
            return;
        }
        assertTrue(IntroCodec.isIntro(input), "decoded a packet isIntro refuses");
        byte[] once = IntroCodec.encode(m, IntroCodec.MAX_MESSAGE);
        assertTrue(once.length <= IntroCodec.MAX_MESSAGE, "re-encoded over the limit: " + once.length);
        IntroMessage again;
        try {
            again = IntroCodec.decode(once);
        } catch (IntroDecodeException e) {
            throw new AssertionError("our own encoding does not decode: " + e.getMessage(), e);
        }
        assertArrayEquals(once, IntroCodec.encode(again, IntroCodec.MAX_MESSAGE), "second round trip differs");
    }
}
