package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.util.List;
import org.p2pdns.node.identity.NodeId;

/**
 * A peer to reach: its id and any addresses known for it (from the DHT, or its published reachability).
 *
 * @param probeDirect whether the direct strategy probes the candidates (false when they are known not to answer as
 *                    they are, e.g. a handshake there went unanswered: they are still punched towards)
 */
public record ConnectTarget(NodeId id, List<InetSocketAddress> candidates, boolean probeDirect) {
    public ConnectTarget {
        candidates = List.copyOf(candidates);
    }

    public ConnectTarget(NodeId id, List<InetSocketAddress> candidates) {
        this(id, candidates, true);
    }
}
