package org.p2pdns.node.intro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the intro-protocol decoder: any bytes decode or raise {@link IntroDecodeException} (nothing else); a decoded
 * message re-encodes to the same bytes; verifying a decoded REGISTER never throws. Regression inputs:
 * IntroCodecFuzzTestInputs/decode/.
 */
class IntroCodecFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        IntroMessage m;
        try {
            m = IntroCodec.decode(input);
        } catch (IntroDecodeException expected) {
            return;
        }
        if (input.length <= IntroCodec.MAX_REPLY) { // longer peer lists are cut on encode by design
            assertArrayEquals(input, IntroCodec.encode(m), "decode is not the inverse of encode");
        }
        if (m instanceof IntroMessage.Register r) {
            IntroCodec.verify(r);
        }
    }
}
