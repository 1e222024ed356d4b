package org.p2pdns.node.resolve;

import java.util.List;
import java.util.Map;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.record.SignedRecord;

/**
 * How a publish ended: the signed record, how many of the closest nodes acknowledged it, and the outcomes of those
 * that refused it (e.g. WRONG_OWNER when the name is held by another key).
 *
 * @param record   the record that was signed, persisted as owned and sent
 * @param acks     nodes that stored it
 * @param refused  refusal outcomes and how many nodes answered each (empty when none refused)
 * @param storedAt the nodes that stored it
 */
public record PublishResult(SignedRecord record, int acks, Map<StoreOutcome, Integer> refused,
                            List<Contact> storedAt) {

    public PublishResult {
        refused = Map.copyOf(refused);
        storedAt = List.copyOf(storedAt);
    }

    /** True when at least one node stored the record and none refused it. */
    public boolean ok() {
        return acks > 0 && refused.isEmpty();
    }

    @Override
    public String toString() {
        return record.name() + " seq " + record.sequence() + ": stored at " + acks + " nodes"
                + (refused.isEmpty() ? "" : ", refused " + refused);
    }
}
