package org.p2pdns.node.nat;

/** How a NAT maps a node's socket to public endpoints (RFC 4787 terms), as far as the node could tell. */
public enum NatMapping {
    /** Not measured yet, or no STUN server answered. */
    UNKNOWN,
    /** The reflexive address is one of the node's own addresses: no NAT in the way. */
    NO_NAT,
    /** Every destination sees the same public endpoint ("cone"): hole punching works against it. */
    ENDPOINT_INDEPENDENT,
    /** Destinations see different public endpoints ("symmetric"): punching only with a cooperative peer, else relay. */
    ENDPOINT_DEPENDENT;

    /**
     * Classifies from the reflexive endpoints several destinations reported for the same socket (the intro port and
     * STUN ports, as RFC 5780 section 4.3 does with two addresses), and the node's own bound endpoints.
     */
    public static NatMapping classify(java.util.List<java.net.InetSocketAddress> observed,
                                      java.util.List<java.net.InetSocketAddress> locals) {
        if (observed.isEmpty()) {
            return UNKNOWN;
        }
        if (locals.contains(observed.get(0))) {
            return NO_NAT;
        }
        if (observed.size() < 2) {
            return UNKNOWN;
        }
        for (java.net.InetSocketAddress o : observed) {
            if (!o.equals(observed.get(0))) {
                return ENDPOINT_DEPENDENT;
            }
        }
        return ENDPOINT_INDEPENDENT;
    }
}
