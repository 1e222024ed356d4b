package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.transport.MessageTransport;

/**
 * The DHT's view of the secure transport, telling the NAT layer which peer (id) the DHT expects at each address it
 * sends to: a contact learned from a FIND_NODE reply that does not answer the handshake can then be reached through
 * its introduction servers (see {@link NatDatagramTransport#expect}). Adds nothing else.
 */
public final class PeerHints implements MessageTransport {

    private final MessageTransport inner;
    private final NatDatagramTransport nat;

    public PeerHints(MessageTransport inner, NatDatagramTransport nat) {
        this.inner = inner;
        this.nat = nat;
    }

    @Override
    public Contact self() {
        return inner.self();
    }

    @Override
    public void send(Contact to, byte[] message) {
        nat.expect(to.id(), to.address());
        inner.send(to, message);
    }

    @Override
    public void sendToAddress(InetSocketAddress to, byte[] message) {
        inner.sendToAddress(to, message);
    }

    @Override
    public void setHandler(MessageHandler handler) {
        inner.setHandler(handler);
    }
}
