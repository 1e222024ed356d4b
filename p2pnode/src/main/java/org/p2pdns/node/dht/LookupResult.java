package org.p2pdns.node.dht;

import java.util.List;

/**
 * The end of an iterative FIND_NODE lookup.
 *
 * @param closest   up to k nodes that answered, closest to the target first
 * @param hops      rounds from the first contacts to the closest node found (see {@code Lookup.hops()})
 * @param contacted requests sent
 * @param timedOut  whether the lookup's deadline cut it short
 */
public record LookupResult(List<Contact> closest, int hops, int contacted, boolean timedOut) {
    public LookupResult {
        closest = List.copyOf(closest);
    }
}
