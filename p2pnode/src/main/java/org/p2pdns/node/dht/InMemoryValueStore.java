package org.p2pdns.node.dht;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.p2pdns.node.identity.NodeId;

/** A {@link ValueStore} in memory: for the simulator and tests (real nodes use the persistent store). */
public final class InMemoryValueStore implements ValueStore {

    // insertion-ordered so that iteration (and thus the simulator's trace) is deterministic
    private final Map<NodeId, Entry> entries = new LinkedHashMap<>();

    @Override
    public Entry get(NodeId key) {
        return entries.get(key);
    }

    @Override
    public void put(Entry entry) {
        entries.put(entry.key(), entry);
    }

    @Override
    public void remove(NodeId key) {
        entries.remove(key);
    }

    @Override
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public int removeExpired(long nowMillis) {
        int before = entries.size();
        entries.values().removeIf(e -> e.expiresAtMillis() <= nowMillis);
        return before - entries.size();
    }
}
