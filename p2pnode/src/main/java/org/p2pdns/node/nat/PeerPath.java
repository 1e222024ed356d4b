package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.p2pdns.node.identity.NodeId;

/**
 * A working way to a peer: send datagrams for {@code peer} to {@code address} through the NAT-aware transport. For a
 * RELAYED path the address is a local relay alias that the transport wraps into RELAY messages to {@code via}.
 */
public record PeerPath(NodeId peer, PathKind kind, InetSocketAddress address, InetSocketAddress via,
                       Duration setupTime) {
}
