package org.p2pdns.node.dht;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.p2pdns.node.dht.DhtStats.Counter;
import org.p2pdns.node.dht.routing.RoutingTable;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.FindValueMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.ValueMessage;

/**
 * The timers of a {@link DhtNode}: joining (with backoff until the table is healthy), the periodic tick that drops
 * expired values, refreshes stale buckets and re-replicates held values, and the hand-off of held values to a new
 * contact that is now among their k closest. Runs on the node's event thread.
 */
final class Maintenance {

    /** First join retry delay; doubles per attempt up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /**
     * After the join, the lookups that fill the farther buckets start at random moments within this long, each only
     * if its bucket is still empty then: a node's table is usable once its self lookup is done, and nodes that start
     * together (a restart, a test cluster) would otherwise all refresh at once, with their self lookups.
     */
    static final Duration JOIN_REFRESH_SPREAD = Duration.ofSeconds(30);
    /** Most bucket-refresh lookups started per tick. */
    static final int REFRESH_PER_TICK = 3;
    /** Stores above this size skip the per-new-contact hand-off scan (periodic replication covers them). */
    static final int HANDOFF_SCAN_LIMIT = 2000;

    private final DhtNode node;
    private final Map<NodeId, Long> lastReplicated = new HashMap<>();
    /** The join's bucket refreshes still to come (cancelled on stop). */
    private final List<Cancellable> joinRefreshes = new ArrayList<>();
    /** The join's bucket refreshes not finished yet (waiting for their moment, or their lookup running). */
    private int joinRefreshesLeft;
    private Cancellable tick;
    private Cancellable joinTimer;
    private boolean joining;
    private boolean retryPending;
    private int joinAttempt;

    Maintenance(DhtNode node) {
        this.node = node;
    }

    private DhtConfig config() {
        return node.config();
    }

    /** The tick period: a quarter of the shortest maintenance interval, between 1 s and 60 s. */
    Duration tickPeriod() {
        long shortest = Math.min(config().bucketRefresh().toMillis(), config().replicateInterval().toMillis());
        return Duration.ofMillis(Math.max(1000, Math.min(60_000, shortest / 4)));
    }

    void start() {
        Duration p = tickPeriod();
        // jitter the phase so that nodes started together do not tick together
        Duration first = p.plusMillis(node.random().nextInt((int) Math.min(Integer.MAX_VALUE, p.toMillis())));
        tick = node.scheduler().scheduleAtFixedRate(first, p, this::onTick);
    }

    void stop() {
        if (tick != null) {
            tick.cancel();
        }
        if (joinTimer != null) {
            joinTimer.cancel();
        }
        for (Cancellable c : joinRefreshes) {
            c.cancel();
        }
        joinRefreshes.clear();
        joinRefreshesLeft = 0;
    }

    // ------------------------------------------------------------------ join

    /** One join attempt: FIND_NODE(self) to every bootstrap address, then a self lookup; retried until healthy. */
    void join(int attempt) {
        if (node.stopped() || joining) {
            return;
        }
        joinAttempt = attempt;
        List<InetSocketAddress> boot = new ArrayList<>(node.bootstrapAddresses());
        boot.removeIf(a -> a.equals(node.self().address()));
        if (boot.isEmpty() && node.routingTable().size() == 0) {
            // nobody to ask: this node starts a network of its own
            node.setReady();
            return;
        }
        joining = true;
        node.stats().inc(Counter.JOIN_ATTEMPTS);
        List<Contact> heard = new ArrayList<>();
        int[] left = {boot.size()};
        if (left[0] == 0) {
            selfLookup(heard);
            return;
        }
        NodeId selfId = node.self().id();
        for (InetSocketAddress a : boot) {
            node.rpc().requestToAddress(a, id -> new FindNodeMessage(id, selfId), config().requestTimeout(),
                    config().retries(), (from, reply) -> {
                        if (reply instanceof NodesMessage n) {
                            heard.addAll(node.screen(n.contacts()));
                        }
                        if (--left[0] == 0) {
                            selfLookup(heard);
                        }
                    });
        }
    }

    private void selfLookup(List<Contact> heard) {
        node.lookup(node.self().id(), heard, q -> {
            joining = false;
            RoutingTable t = node.routingTable();
            boolean full = t.size() >= config().k();
            boolean healthy = full || (t.size() > 0 && q.exhausted());
            if (healthy) {
                boolean first = !node.isReady();
                node.setReady();
                if (first) {
                    refreshFartherBuckets();
                }
            }
            // a lookup that ran out of peers with fewer than k contacts found a small network, unless some of its
            // requests failed: then peers may just have been slow (overloaded), and the node, ready or not, tries again
            if (full || healthy && q.failed == 0) {
                joinAttempt = 0;
            } else {
                long backoff = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(joinAttempt, 16));
                long jitter = node.random().nextInt((int) (backoff / 4) + 1);
                int next = joinAttempt + 1;
                retryPending = true;
                joinTimer = node.scheduler().schedule(Duration.ofMillis(backoff + jitter), () -> {
                    retryPending = false;
                    join(next);
                });
            }
        });
    }

    /**
     * After joining, look up an id in each empty bucket farther than our closest neighbour (Kademlia's join), each at
     * a random moment within {@link #JOIN_REFRESH_SPREAD}, if the bucket is still empty by then (peers that contacted
     * this node meanwhile may have filled it).
     */
    private void refreshFartherBuckets() {
        RoutingTable t = node.routingTable();
        List<Contact> nearest = t.closest(node.self().id(), 1);
        if (nearest.isEmpty()) {
            return;
        }
        int deepest = t.bucketIndex(nearest.get(0).id());
        int spread = (int) JOIN_REFRESH_SPREAD.toMillis();
        for (int i = 0; i < deepest; i++) {
            // only empty ones: a lookup per bucket costs ~50 messages, and a bucket with a contact already routes;
            // the periodic refresh fills the rest (measured: 208 instead of 660 messages per joining node at 2,000
            // nodes, same lookup accuracy; see docs/benchmarks.md)
            if (t.bucketContacts(i).isEmpty()) {
                int bucket = i;
                joinRefreshesLeft++;
                Cancellable c = node.scheduler().schedule(Duration.ofMillis(node.random().nextInt(spread)), () -> {
                    if (!node.stopped() && t.bucketContacts(bucket).isEmpty()) {
                        node.stats().inc(Counter.JOIN_REFRESHES);
                        refresh(bucket, node.now(), q -> joinRefreshDone());
                    } else {
                        joinRefreshDone();
                    }
                });
                joinRefreshes.add(c);
            }
        }
    }

    private void refresh(int bucket, long now, Consumer<Query> onDone) {
        RoutingTable t = node.routingTable();
        t.touchBucket(bucket, now);
        node.lookup(t.randomIdInBucket(bucket, node.random()), List.of(), onDone);
    }

    private void joinRefreshDone() {
        // stop() forgets the ones left, and lookups failed by stop() end afterwards
        joinRefreshesLeft = Math.max(0, joinRefreshesLeft - 1);
    }

    /** Whether the bucket refreshes that follow the join have all run (or there were none). */
    boolean joinRefreshesDone() {
        return joinRefreshesLeft == 0;
    }

    // ------------------------------------------------------------------ periodic tick

    private void onTick() {
        if (node.stopped()) {
            return;
        }
        long now = node.now();
        expire(now);
        RoutingTable t = node.routingTable();
        if (t.size() == 0 || !node.isReady()) {
            if (!joining && !retryPending) {
                join(joinAttempt);
            }
            return;
        }
        int started = 0;
        for (int b : t.staleBuckets(now, config().bucketRefresh().toMillis())) {
            if (started++ >= REFRESH_PER_TICK) {
                break;
            }
            refresh(b, now, q -> { });
        }
        replicate(now);
    }

    private void expire(long now) {
        ValueStore store = node.store();
        for (ValueStore.Entry e : store.entries()) {
            if (e.expiresAtMillis() <= now) {
                store.remove(e.key());
                node.guard().released(e.key());
                lastReplicated.remove(e.key());
                node.stats().inc(Counter.VALUE_EXPIRED);
            }
        }
    }

    private void replicate(long now) {
        long interval = config().replicateInterval().toMillis();
        int budget = config().replicateBatch();
        for (ValueStore.Entry e : node.store().entries()) {
            if (budget == 0) {
                break;
            }
            Long last = lastReplicated.get(e.key());
            if (last == null) {
                // first sight: spread the first replication over one interval
                lastReplicated.put(e.key(), now - interval + node.random().nextInt((int) Math.min(interval, 1 << 30)));
                continue;
            }
            if (now - last >= interval) {
                lastReplicated.put(e.key(), now);
                node.replicate(e.key());
                budget--;
            }
        }
        if (lastReplicated.size() > node.store().size() * 2 + 16) {
            Iterator<NodeId> it = lastReplicated.keySet().iterator();
            while (it.hasNext()) {
                if (node.store().get(it.next()) == null) {
                    it.remove();
                }
            }
        }
    }

    // ------------------------------------------------------------------ hand-off to new contacts

    /**
     * A new contact joined the table. For each held value it is now among the k closest to, and for which this node
     * is the closest holder it knows of, offer it the value: FIND_VALUE first (for its token and its copy), then STORE
     * if it has none or an older one.
     */
    void onNewContact(Contact c) {
        if (!node.isReady() || node.stopped()) {
            return;
        }
        ValueStore store = node.store();
        int n = store.size();
        if (n == 0 || n > HANDOFF_SCAN_LIMIT) {
            return;
        }
        RoutingTable t = node.routingTable();
        int budget = config().replicateBatch();
        long now = node.now();
        for (ValueStore.Entry e : store.entries()) {
            if (budget == 0) {
                break;
            }
            if (e.expiresAtMillis() <= now) {
                continue;
            }
            NodeId key = e.key();
            // cheap test first: the nearest other contact must be farther from the key than we are
            List<Contact> nearestOther = t.closest(key, 1, c.id());
            if (!nearestOther.isEmpty() && key.compareDistance(nearestOther.get(0).id(), node.self().id()) < 0) {
                continue;
            }
            List<Contact> closest = t.closest(key, config().k());
            if (!closest.contains(c)) {
                continue;
            }
            budget--;
            byte[] value = e.value();
            node.rpc().request(c, id -> new FindValueMessage(id, key), config().requestTimeout(), 0,
                    (from, reply) -> {
                        byte[] token;
                        byte[] theirs = null;
                        if (reply instanceof ValueMessage v) {
                            token = v.token();
                            theirs = v.value();
                        } else if (reply instanceof NodesMessage nm) {
                            token = nm.token();
                        } else {
                            return;
                        }
                        boolean push = theirs == null;
                        if (!push) {
                            try {
                                push = node.policy().validate(key, theirs, null, node.now()) != StoreOutcome.STORED
                                        || node.policy().compareNewer(value, theirs) > 0;
                            } catch (RuntimeException ex) {
                                push = true;
                            }
                        }
                        if (push) {
                            node.pushValue(c, key, value, token);
                        }
                    });
        }
    }
}
