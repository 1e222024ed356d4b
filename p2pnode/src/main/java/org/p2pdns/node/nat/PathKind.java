package org.p2pdns.node.nat;

/** How a node reaches a peer, in the order the connectivity chain tries them. */
public enum PathKind {
    /** The peer's advertised address answered as is. */
    DIRECT,
    /** A hole punched through both NATs after a rendezvous. */
    PUNCHED,
    /** A punch that succeeded through this node's UPnP port mapping. */
    UPNP,
    /** Datagrams relayed by the introduction server. */
    RELAYED
}
