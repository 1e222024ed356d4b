package org.p2pdns.node.api;

/** How a resolution of an overlay name ended. */
public enum ResolveStatus {
    /** A valid record was found. */
    FOUND,
    /** The lookup reached the closest nodes and none holds a record: the name does not exist (NXDOMAIN). */
    NOT_FOUND,
    /** The lookup ran out of time before reaching the closest nodes. */
    TIMEOUT,
    /** The node has no peers to ask. */
    NO_PEERS,
    /** Records were received but none was valid (forged, expired, rolled back). */
    INVALID,
    /** A record was found but its owner key differs from the one remembered for the name (trust on first use). */
    OWNER_CHANGED,
    /** The name is not a valid overlay name. */
    BAD_NAME
}
