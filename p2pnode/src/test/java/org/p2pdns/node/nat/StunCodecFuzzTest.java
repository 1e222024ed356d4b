package org.p2pdns.node.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.p2pdns.node.intro.IntroDecodeException;

/**
 * Fuzzes the node's STUN response decoder (what comes back from a STUN server, or from anyone spoofing one): any
 * bytes either decode to a binding response with a 12-byte transaction id and, on success, a mapped address, or
 * raise {@link IntroDecodeException}. Regression inputs: StunCodecFuzzTestInputs/decodeResponse/.
 */
class StunCodecFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void decodeResponse(byte[] input) {
        StunCodec.BindingResponse r;
        try {
            r = StunCodec.decodeResponse(input);
        } catch (IntroDecodeException expected) {
            return;
        }
        assertEquals(StunCodec.TRANSACTION_ID_BYTES, r.transactionId().length, "transaction id length");
        if (!r.error()) {
            assertNotNull(r.mapped(), "success without a mapped address");
            assertNotNull(r.mapped().getAddress(), "unresolved mapped address");
        }
    }
}
