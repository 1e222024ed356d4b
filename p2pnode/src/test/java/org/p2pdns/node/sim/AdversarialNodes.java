package org.p2pdns.node.sim;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.MessageType;
import org.p2pdns.node.wire.WireException;

/**
 * Test hook that turns a simulated node malicious: requests it receives are answered by a {@link Behaviour} instead of
 * its DhtNode, while replies to its own requests still reach its DhtNode (so it keeps its routing table and stays a
 * plausible peer). Lives in the simulator's package to reach the node's transport.
 */
final class AdversarialNodes {

    private AdversarialNodes() {
    }

    /** How a malicious node answers one request: the bytes to send back (null: stay silent). */
    @FunctionalInterface
    interface Behaviour {
        byte[] answer(SimNode self, Contact from, DhtMessage request);
    }

    /** Installs {@code b} on started node {@code n}. */
    static void makeMalicious(SimNode n, Behaviour b) {
        MessageHandler honest = n.transport.handler;
        if (honest == null) {
            throw new IllegalStateException(n + " is not started");
        }
        n.transport.handler = (from, bytes) -> {
            DhtMessage m;
            try {
                m = DhtCodec.decode(bytes);
            } catch (WireException e) {
                return;
            }
            if (!m.type().isRequest()) {
                honest.onMessage(from, bytes);
                return;
            }
            byte[] reply = b.answer(n, from, m);
            if (reply != null) {
                n.transport.send(from, reply);
            }
        };
    }

    /**
     * A VALUE reply encoded by hand, so that it can carry a value the codec refuses to encode (oversized) with no
     * contacts: the layout of docs/protocol-dht.md (version, type, id, token, u16 length, value, contact count).
     */
    static byte[] rawValueReply(long requestId, byte[] token, byte[] value, List<Contact> contacts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(DhtCodec.VERSION);
        out.write(MessageType.VALUE.code());
        out.writeBytes(ByteBuffer.allocate(8).putLong(requestId).array());
        out.write(token.length);
        out.writeBytes(token);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
        if (!contacts.isEmpty()) {
            throw new IllegalArgumentException("raw replies carry no contacts");
        }
        out.write(0);
        return out.toByteArray();
    }
}
