package org.p2pdns.intro;

/** What an introduction server counts: every accepted request kind and every reason to refuse one. */
public enum ServerCounter {
    PACKETS_IN,
    REGISTERED_NEW,
    REGISTRATIONS_REFRESHED,
    REGISTRATIONS_EXPIRED,
    PEERS_SERVED,
    RENDEZVOUS,
    RELAYED_PACKETS,
    RELAYED_BYTES,
    STUN_BINDINGS,
    REJECT_MALFORMED,
    REJECT_VERSION,
    REJECT_TOO_LARGE,
    REJECT_BAD_SIGNATURE,
    /** The node id lacks the network's proof of work. */
    REJECT_PROOF_OF_WORK,
    REJECT_STALE_TIMESTAMP,
    REJECT_NOT_REGISTERED,
    REJECT_UNKNOWN_TARGET,
    REJECT_RATE_LIMITED,
    REJECT_IP_QUOTA,
    REJECT_REGISTRY_FULL,
    REJECT_RELAY_LIMIT,
    REJECT_RELAY_DISABLED,
    /** REGISTERs dropped because the signature-verification queue was full. */
    REJECT_OVERLOADED,
    /** A server-to-node message (REGISTERED, PUNCH_NOW, ...) or a non-intro packet sent to the server. */
    REJECT_UNEXPECTED,
    /** STUN requests ice4j answered with an error or could not answer. */
    STUN_ERRORS
}
