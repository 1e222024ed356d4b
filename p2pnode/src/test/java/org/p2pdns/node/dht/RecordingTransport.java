package org.p2pdns.node.dht;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.transport.MessageTransport;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.WireException;

/** A transport for single-node tests: records what the node sends and lets the test inject what it receives. */
final class RecordingTransport implements MessageTransport {

    record Sent(Contact to, InetSocketAddress address, byte[] bytes) {
        DhtMessage message() {
            try {
                return DhtCodec.decode(bytes);
            } catch (WireException e) {
                throw new AssertionError(e);
            }
        }
    }

    final Contact self;
    final List<Sent> sent = new ArrayList<>();
    MessageHandler handler;

    RecordingTransport(Contact self) {
        this.self = self;
    }

    @Override
    public Contact self() {
        return self;
    }

    @Override
    public void send(Contact to, byte[] message) {
        sent.add(new Sent(to, to.address(), message));
    }

    @Override
    public void sendToAddress(InetSocketAddress to, byte[] message) {
        sent.add(new Sent(null, to, message));
    }

    @Override
    public void setHandler(MessageHandler handler) {
        this.handler = handler;
    }

    void receive(Contact from, DhtMessage m) {
        handler.onMessage(from, DhtCodec.encode(m));
    }

    /** The last message sent, decoded. */
    DhtMessage last() {
        return sent.get(sent.size() - 1).message();
    }
}
