package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import org.p2pdns.node.identity.NodeId;

/**
 * A read-only view of the session a {@link SecureTransport} currently sends on to one peer (status output, tests).
 *
 * @param localIndex        the index this node put in its handshake message; peers address SESSION_DATA with it
 * @param remoteIndex       the index the peer chose; this node addresses SESSION_DATA with it
 * @param peer              the peer's node id
 * @param address           where the peer's authenticated packets last came from (sends go there)
 * @param initiatedByUs     whether this node started the handshake
 * @param establishedMillis when the handshake completed (scheduler clock)
 * @param messagesSent      nonces used so far
 */
public record SessionInfo(int localIndex, int remoteIndex, NodeId peer, InetSocketAddress address,
                          boolean initiatedByUs, long establishedMillis, long messagesSent) {
}
