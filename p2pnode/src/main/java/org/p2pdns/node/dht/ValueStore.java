package org.p2pdns.node.dht;

import java.util.List;
import org.p2pdns.node.identity.NodeId;

/**
 * The values a node holds for the network, by key: an in-memory implementation for the simulator and an embedded,
 * persistent one (H2 MVStore) for real nodes. Called only on the node's event thread. A {@link #put} that returns
 * normally is durable for a persistent store (it survives kill -9).
 */
public interface ValueStore extends AutoCloseable {

    /** One held value. {@code storedAtMillis} is when this node last accepted it; {@code fromPeer} who sent it. */
    record Entry(NodeId key, byte[] value, long expiresAtMillis, long storedAtMillis, NodeId fromPeer) {
    }

    /** The held value for {@code key}, or {@code null}. */
    Entry get(NodeId key);

    /** Stores or replaces the value for {@code key}; throws {@link java.io.UncheckedIOException} if it cannot persist. */
    void put(Entry entry);

    /** Removes the value for {@code key}, if any. */
    void remove(NodeId key);

    /** Every held entry (a snapshot). */
    List<Entry> entries();

    /** Number of held entries. */
    int size();

    /** Removes every entry expired at {@code nowMillis}; returns how many. */
    default int removeExpired(long nowMillis) {
        int n = 0;
        for (Entry e : entries()) {
            if (e.expiresAtMillis() <= nowMillis) {
                remove(e.key());
                n++;
            }
        }
        return n;
    }

    @Override
    default void close() {
    }
}
