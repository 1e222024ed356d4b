package org.p2pdns.node.transport;

import java.net.InetSocketAddress;

/** Receives raw datagrams from a {@link DatagramTransport}, on the node's event thread. */
@FunctionalInterface
public interface DatagramReceiver {
    void onDatagram(InetSocketAddress from, byte[] packet);
}
