package org.p2pdns.node.intro;

/**
 * Why an introduction server refused a request. Each code has a fixed wire value carried in ERROR messages; values never
 * change meaning once released.
 */
public enum IntroError {
    /** The packet could not be decoded (truncated, bad lengths, trailing bytes, unknown type). */
    MALFORMED(1),
    /** The protocol version byte is not one this server speaks. */
    UNSUPPORTED_VERSION(2),
    /** The REGISTER signature does not verify under the enclosed key. */
    BAD_SIGNATURE(3),
    /** The REGISTER timestamp is too far from the server's clock, or not newer than the last one accepted. */
    STALE_TIMESTAMP(4),
    /** The sender is not registered, or not from the address it registered from. */
    NOT_REGISTERED(5),
    /** The target node of a rendezvous or relay is not registered. */
    UNKNOWN_TARGET(6),
    /** The sender's IP address is sending too fast. */
    RATE_LIMITED(7),
    /** The registry is full and holds no expired entry to evict. */
    REGISTRY_FULL(8),
    /** A relay cap (bytes or time, per session or per IP) is used up. */
    RELAY_LIMIT(9),
    /** The packet is larger than allowed. */
    TOO_LARGE(10),
    /** The server does not relay (relay disabled in its configuration). */
    RELAY_DISABLED(11),
    /** The node id does not carry the network's proof of work. */
    BAD_PROOF_OF_WORK(12);

    private final int code;

    IntroError(int code) {
        this.code = code;
    }

    /** The wire value. */
    public int code() {
        return code;
    }

    /** The error for a wire value, or {@code null} if unknown. */
    public static IntroError fromCode(int code) {
        for (IntroError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
