package org.p2pdns.node.dht;

/**
 * How a {@link DhtNode#get} ended.
 *
 * @param status           see {@link Status}
 * @param value            the newest valid value seen, or null
 * @param contacted        how many peers were asked
 * @param firstValueMillis milliseconds from the start of the lookup to the first valid value, or -1
 */
public record GetResult(Status status, byte[] value, int contacted, long firstValueMillis) {

    /** How a get ended. */
    public enum Status {
        /** At least one valid value was found. */
        FOUND,
        /** The k closest nodes answered and none holds a value. */
        NOT_FOUND,
        /** The lookup's deadline passed before the k closest answered, with no valid value. */
        TIMEOUT,
        /** The node knows no peer to ask. */
        NO_PEERS,
        /** Values were received, none was valid. */
        ALL_INVALID
    }

    @Override
    public byte[] value() {
        return value == null ? null : value.clone();
    }
}
