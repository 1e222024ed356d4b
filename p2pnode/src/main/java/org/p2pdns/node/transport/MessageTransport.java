package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import org.p2pdns.node.dht.Contact;

/**
 * Authenticated, encrypted messages between nodes: what the DHT talks through.
 *
 * <p>The real implementation runs secure sessions (Noise) over a {@link DatagramTransport}; the simulator delivers
 * messages directly in virtual time. Messages are opaque bytes here (the DHT's wire encoding); an implementation must
 * reject a message larger than {@link #MAX_MESSAGE}. Sends never block and never throw for network reasons: a message
 * that cannot be delivered is dropped and counted, and the DHT's request timeout handles it.
 */
public interface MessageTransport {

    /**
     * Largest message payload: sealed in a session (29 bytes of header and tag) it fits a
     * {@link DatagramTransport#MAX_SESSION_DATAGRAM}, so every message can also reach a peer that only a relay reaches.
     */
    int MAX_MESSAGE = DatagramTransport.MAX_SESSION_DATAGRAM - 30;

    /** This node as peers see it (its key and its bound or best-known public address). */
    Contact self();

    /** Sends to a peer whose key is known (one round trip: the message can ride on the first handshake message). */
    void send(Contact to, byte[] message);

    /**
     * Sends to an address whose key is not known yet (bootstrap): the transport learns and authenticates the peer's
     * key during the handshake and the handler sees it as the sender of the reply.
     */
    void sendToAddress(InetSocketAddress to, byte[] message);

    /** Sets who receives messages; called once, before traffic flows. */
    void setHandler(MessageHandler handler);
}
