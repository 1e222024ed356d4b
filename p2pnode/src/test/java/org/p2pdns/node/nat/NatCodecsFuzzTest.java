package org.p2pdns.node.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.p2pdns.node.intro.IntroDecodeException;

/**
 * Fuzzes the node's NAT decoders (STUN Binding responses, PUNCH datagrams, reachability info): any bytes decode or
 * raise {@link IntroDecodeException}; the two formats of ours round-trip. Regression inputs: NatCodecsFuzzTestInputs/.
 */
class NatCodecsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void stunResponse(byte[] input) {
        try {
            StunCodec.BindingResponse r = StunCodec.decodeResponse(input);
            assertNotNull(r.transactionId());
        } catch (IntroDecodeException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void punch(byte[] input) {
        try {
            assertArrayEquals(input, PunchPacket.decode(input).encode());
        } catch (IntroDecodeException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void reachability(byte[] input) {
        try {
            ReachabilityInfo r = ReachabilityInfo.decode(input);
            assertArrayEquals(input, r.encode());
        } catch (IntroDecodeException expected) {
            // refused
        }
    }
}
