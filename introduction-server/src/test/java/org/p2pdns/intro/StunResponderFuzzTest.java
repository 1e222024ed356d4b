package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;

/**
 * Fuzzes what the STUN responder does with a datagram: ice4j's decoding (the stack the responder runs on) and, for a
 * Binding request, building and encoding the response the responder sends. Decoding may only fail with
 * {@link StunException}; a Binding response is built for every Binding request and echoes its transaction id.
 * Regression inputs: StunResponderFuzzTestInputs/request/.
 */
class StunResponderFuzzTest {

    private static final TransportAddress REMOTE = new TransportAddress("192.0.2.1", 4000, Transport.UDP);

    @FuzzTest(maxDuration = "10m")
    void request(byte[] input) throws StunException {
        Message m;
        try {
            m = Message.decode(input, 0, input.length);
        } catch (StunException expected) {
            return;
        }
        if (m.getMessageType() != Message.BINDING_REQUEST || !(m instanceof Request req)) {
            return;
        }
        Response resp = MessageFactory.createBindingResponse(req, REMOTE);
        resp.putAttribute(AttributeFactory.createMappedAddressAttribute(REMOTE));
        resp.setTransactionID(req.getTransactionID());
        byte[] wire = resp.encode(null);
        Message back = Message.decode(wire, 0, wire.length);
        assertEquals(Message.BINDING_SUCCESS_RESPONSE, back.getMessageType());
    }
}
