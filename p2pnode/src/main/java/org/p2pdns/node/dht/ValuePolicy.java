package org.p2pdns.node.dht;

import org.p2pdns.node.identity.NodeId;

/**
 * What the DHT stores is opaque to it; this policy (implemented by the record layer) decides what is valid and which
 * of two values is newer. The DHT calls {@link #validate} on every STORE it receives and on every value a lookup
 * receives, never when serving.
 */
public interface ValuePolicy {

    /** Largest value (an encoded signed record) the DHT carries: a STORE of it still fits one datagram. */
    int MAX_VALUE_BYTES = 1000;

    /**
     * Checks {@code value} for {@code key} at {@code nowMillis}. {@code held} is the value this node already holds for
     * the key (validated earlier) or {@code null}; the policy refuses a value from another owner or with a sequence
     * that does not increase over {@code held}. Must not throw on malformed input: returns {@link StoreOutcome#MALFORMED}.
     */
    StoreOutcome validate(NodeId key, byte[] value, byte[] held, long nowMillis);

    /** Positive when {@code a} is newer than {@code b} (both already validated for the same key), 0 when the same. */
    int compareNewer(byte[] a, byte[] b);

    /** When a validated value expires (epoch millis); a store drops it then. */
    long expiresAtMillis(byte[] value);
}
