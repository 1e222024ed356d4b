package org.p2pdns.node.dht;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pdns.node.dht.DhtStats.Counter;
import org.p2pdns.node.identity.NodeId;

/** The value side of a FIND_VALUE lookup: validation, callbacks, and the repair at the end. */
final class ValueSearch {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ValueSearch.class);

    final DhtNode node;
    final NodeId key;
    final Consumer<byte[]> onValid;
    final long startedAt;
    final Map<NodeId, byte[]> returned = new HashMap<>();
    byte[] best;
    long firstValueAt = -1;
    int invalid;

    ValueSearch(DhtNode node, NodeId key, Consumer<byte[]> onValid, long startedAt) {
        this.node = node;
        this.key = key;
        this.onValid = onValid;
        this.startedAt = startedAt;
        ValueStore.Entry held = node.store().get(key);
        if (held != null && held.expiresAtMillis() > startedAt) {
            // validated when it was stored
            offerValid(held.value());
        }
    }

    void onValue(Contact from, byte[] value) {
        StoreOutcome o;
        try {
            o = node.policy().validate(key, value, null, node.now());
        } catch (RuntimeException e) {
            o = StoreOutcome.MALFORMED;
        }
        if (o != StoreOutcome.STORED) {
            node.stats().inc(Counter.VALUE_INVALID);
            invalid++;
            return;
        }
        returned.put(from.id(), value);
        offerValid(value);
    }

    private void offerValid(byte[] value) {
        if (best != null && node.policy().compareNewer(value, best) <= 0) {
            return;
        }
        best = value;
        if (firstValueAt < 0) {
            firstValueAt = node.now();
        }
        try {
            onValid.accept(value.clone());
        } catch (RuntimeException e) {
            LOG.warn("onValidValue callback failed", e);
        }
    }

    void finish(Query q, CompletableFuture<GetResult> f) {
        GetResult.Status status;
        if (best != null) {
            status = GetResult.Status.FOUND;
            repair(q);
        } else if (q.noPeers && !node.isFounder()) {
            status = GetResult.Status.NO_PEERS;
        } else if (invalid > 0) {
            status = GetResult.Status.ALL_INVALID;
        } else if (q.timedOut || (q.answered == 0 && !q.noPeers)) {
            // also when every peer asked stayed silent: nobody said the key does not exist
            status = GetResult.Status.TIMEOUT;
        } else {
            status = GetResult.Status.NOT_FOUND;
        }
        f.complete(new GetResult(status, best, q.contacted,
                firstValueAt < 0 ? -1 : firstValueAt - startedAt));
    }

    private void repair(Query q) {
        List<Contact> closest = q.closest(node.config().k());
        for (Contact c : closest) {
            byte[] theirs = returned.get(c.id());
            byte[] token = q.tokens.get(c.id());
            if (token != null && (theirs == null || node.policy().compareNewer(best, theirs) > 0)) {
                node.pushValue(c, key, best, token);
            }
        }
        boolean selfAmongClosest = closest.size() < node.config().k()
                || key.compareDistance(node.self().id(), closest.get(closest.size() - 1).id()) < 0;
        // a copy this node holds (say, from the side of a healed partition) that is older than what the lookup found
        // is replaced even when this node is no longer among the closest: otherwise its own resolutions and the
        // lookups that pass through it keep answering the old record first
        ValueStore.Entry mine = node.store().get(key);
        boolean holdsOlder = mine != null && node.policy().compareNewer(best, mine.value()) > 0;
        if (selfAmongClosest || holdsOlder) {
            node.judgeAndStore(key, best, node.self().id(), null, node.now());
        }
    }
}
