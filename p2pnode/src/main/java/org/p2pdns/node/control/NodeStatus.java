package org.p2pdns.node.control;

import java.util.List;

/**
 * What {@code p2p --status} shows about a running node.
 *
 * @param version          software version
 * @param nodeId           the node id (hex)
 * @param localAddress     the bound UDP address
 * @param publicAddress    the public address as STUN or the introduction server saw it, empty if unknown
 * @param natType          the NAT type found by the connectivity checks, or {@code unknown}
 * @param peers            peers with an open secure session
 * @param routingTableSize contacts in the routing table
 * @param recordsHeld      records this node stores for the network
 * @param ownedNames       names this node publishes and republishes
 * @param bridgeAddress    the DNS bridge's address, empty when it does not run
 * @param introServers     configured introduction servers
 * @param uptimeSeconds    seconds since the node started
 * @param network          a short description of the network parameters (TLD, proof-of-work difficulties)
 */
public record NodeStatus(String version, String nodeId, String localAddress, String publicAddress, String natType,
                         int peers, int routingTableSize, int recordsHeld, List<String> ownedNames,
                         String bridgeAddress, List<String> introServers, long uptimeSeconds, String network) {

    public NodeStatus {
        ownedNames = List.copyOf(ownedNames);
        introServers = List.copyOf(introServers);
    }
}
