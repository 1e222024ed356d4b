package org.p2pdns.node.transport;

import java.net.InetSocketAddress;

/**
 * Raw datagrams on the node's one UDP socket (real: {@code UdpTransport}; simulated: the simulator's endpoint).
 *
 * <p>The first byte of every datagram says what it is, see {@link PacketType}; STUN messages are recognised by their
 * own header. The receiver is called on the node's event thread.
 */
public interface DatagramTransport extends AutoCloseable {

    /** Largest datagram any part of the system sends (bytes). */
    int MAX_DATAGRAM = 1200;

    /**
     * Room the secure transport leaves in each of its datagrams so that an introduction server can relay it wrapped
     * (the RELAY header is 68 bytes: {@code IntroCodec.RELAY_OVERHEAD}).
     */
    int RELAY_HEADROOM = 70;

    /** Largest datagram the secure transport sends: once wrapped for relaying it still fits {@link #MAX_DATAGRAM}. */
    int MAX_SESSION_DATAGRAM = MAX_DATAGRAM - RELAY_HEADROOM;

    /** The bound local address. */
    InetSocketAddress localAddress();

    /** Sends one datagram; never blocks; a failure is counted and logged, never thrown. */
    void send(InetSocketAddress to, byte[] packet);

    /** Sets who receives incoming datagrams; called once, before traffic flows. */
    void setReceiver(DatagramReceiver receiver);

    @Override
    void close();
}
