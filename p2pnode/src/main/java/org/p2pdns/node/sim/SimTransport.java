package org.p2pdns.node.sim;

import java.net.InetSocketAddress;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.transport.MessageTransport;

/** A node's endpoint in the simulator: hands messages to the {@link SimNetwork}, which delivers them in virtual time. */
final class SimTransport implements MessageTransport {

    private final SimNetwork network;
    final SimNode[] owner = new SimNode[1];
    MessageHandler handler;
    long dropped;

    SimTransport(SimNetwork network) {
        this.network = network;
    }

    @Override
    public Contact self() {
        return owner[0].contact;
    }

    @Override
    public void send(Contact to, byte[] message) {
        network.deliver(owner[0], to.address(), message);
    }

    @Override
    public void sendToAddress(InetSocketAddress to, byte[] message) {
        network.deliver(owner[0], to, message);
    }

    @Override
    public void setHandler(MessageHandler handler) {
        // replaced on revive: the new DhtNode instance takes over the endpoint
        this.handler = handler;
    }
}
