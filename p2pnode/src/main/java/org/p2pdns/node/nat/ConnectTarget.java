package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.util.List;
import org.p2pdns.node.identity.NodeId;

/** A peer to reach: its id and any addresses known for it (from the DHT, or its published reachability). */
public record ConnectTarget(NodeId id, List<InetSocketAddress> candidates) {
    public ConnectTarget {
        candidates = List.copyOf(candidates);
    }
}
