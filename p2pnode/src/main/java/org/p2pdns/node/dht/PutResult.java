package org.p2pdns.node.dht;

import java.util.List;
import java.util.Map;

/**
 * How a {@link DhtNode#put} ended: how many of the k closest nodes stored the value, every outcome they replied with
 * (a timeout is not an outcome: it is absent), and who stored it.
 */
public record PutResult(int acks, Map<StoreOutcome, Integer> outcomes, List<Contact> storedAt) {
    public PutResult {
        outcomes = Map.copyOf(outcomes);
        storedAt = List.copyOf(storedAt);
    }
}
