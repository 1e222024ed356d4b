package org.p2pdns.node.dht;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.p2pdns.node.dht.DhtStats.Counter;
import org.p2pdns.node.dht.lookup.Lookup;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.FindValueMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.ValueMessage;

/** Runs a lookup (one path, or d disjoint paths) over the network; calls {@code onDone} once, on the event thread. */
final class Query {

    final DhtNode node;
    final NodeId target;
    final boolean findValue;
    final ValueSearch search;
    final Consumer<Query> onDone;
    final List<Lookup> paths = new ArrayList<>();
    final Map<NodeId, byte[]> tokens = new HashMap<>();
    int contacted;
    /** Peers that answered at all (NODES or VALUE): with none, "no value" means nobody was reached, not NOT_FOUND. */
    int answered;
    /** Requests of this lookup that failed (timed out, or answered with an error). */
    int failed;
    boolean done;
    boolean timedOut;
    boolean noPeers;
    Cancellable deadline;

    Query(DhtNode node, NodeId target, boolean findValue, ValueSearch search, Consumer<Query> onDone) {
        this.node = node;
        this.target = target;
        this.findValue = findValue;
        this.search = search;
        this.onDone = onDone;
    }

    /** A lookup seeded with extra contacts (bootstrap replies) besides the table's closest. */
    Query seeded(List<Contact> extra) {
        seeds = extra;
        return this;
    }

    private List<Contact> seeds = List.of();

    void start() {
        node.stats().inc(Counter.LOOKUPS_STARTED);
        List<Contact> initial = new ArrayList<>(node.routingTable().closest(target, node.config().k()));
        for (Contact c : seeds) {
            if (!initial.contains(c)) {
                initial.add(c);
            }
        }
        if (initial.isEmpty()) {
            noPeers = true;
            finish();
            return;
        }
        int d = Math.min(node.config().disjointPaths(), initial.size());
        Set<NodeId> claimed = new HashSet<>();
        List<List<Contact>> split = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            split.add(new ArrayList<>());
        }
        initial.sort((a, b) -> target.compareDistance(a.id(), b.id()));
        for (int i = 0; i < initial.size(); i++) {
            split.get(i % d).add(initial.get(i));
        }
        for (List<Contact> s : split) {
            paths.add(new Lookup(target, node.self().id(), node.config().k(), node.config().alpha(), s, claimed));
        }
        deadline = node.scheduler().schedule(node.config().lookupTimeout(), () -> {
            timedOut = true;
            node.stats().inc(Counter.LOOKUPS_TIMED_OUT);
            finish();
        });
        pump();
    }

    private void pump() {
        if (done) {
            return;
        }
        boolean allFinished = true;
        for (Lookup path : paths) {
            for (Contact c : path.next()) {
                send(path, c);
            }
            if (!path.isFinished()) {
                allFinished = false;
            }
        }
        if (allFinished) {
            finish();
        }
    }

    private void send(Lookup path, Contact c) {
        contacted++;
        // soft deadline: a peer silent for a while no longer holds up the lookup (under churn most silent peers are
        // dead); its reply, if it comes before the full timeout, still counts
        Cancellable soft = node.scheduler().schedule(stallTimeout(), () -> {
            if (!done && path.onSlow(c.id())) {
                pump();
            }
        });
        // lookups do not resend: a silent peer is passed over and the next closest asked instead
        node.rpc().request(c, id -> findValue ? new FindValueMessage(id, target) : new FindNodeMessage(id, target),
                node.config().requestTimeout(), 0, (from, reply) -> {
                    soft.cancel();
                    if (reply instanceof NodesMessage || reply instanceof ValueMessage) {
                        answered++;
                    }
                    if (reply instanceof NodesMessage n) {
                        tokens.put(c.id(), n.token());
                        path.onReply(c.id(), node.screen(n.contacts()));
                    } else if (reply instanceof ValueMessage v) {
                        tokens.put(c.id(), v.token());
                        if (search != null && !done) {
                            search.onValue(from, v.value());
                        }
                        path.onReply(c.id(), node.screen(v.contacts()));
                    } else {
                        if (reply == null) {
                            node.requestFailed(c);
                        }
                        failed++;
                        path.onFailure(c.id());
                    }
                    pump();
                });
    }

    /**
     * How long a peer may stay silent before the lookup asks the next one instead: a third of the request timeout, or
     * twice the smoothed round-trip time of this node's requests when that is longer (at most the request timeout).
     * When replies are slow because peers, or this node itself, are overloaded, asking more peers only adds load.
     */
    private Duration stallTimeout() {
        long timeout = node.config().requestTimeout().toMillis();
        long srtt = node.rpc().smoothedRttMillis();
        return Duration.ofMillis(Math.max(timeout / 3, Math.min(timeout, 2 * srtt)));
    }

    private void finish() {
        if (done) {
            return;
        }
        done = true;
        if (deadline != null) {
            deadline.cancel();
        }
        node.stats().inc(Counter.LOOKUPS_FINISHED);
        onDone.accept(this);
    }

    /** Up to {@code n} peers that answered, closest first, across all paths. */
    List<Contact> closest(int n) {
        if (paths.size() == 1) {
            return paths.get(0).closestQueried(n);
        }
        List<Contact> all = new ArrayList<>();
        for (Lookup p : paths) {
            all.addAll(p.closestQueried(n));
        }
        all.sort((a, b) -> target.compareDistance(a.id(), b.id()));
        return all.size() <= n ? all : all.subList(0, n);
    }

    int hops() {
        int h = 0;
        for (Lookup p : paths) {
            h = Math.max(h, p.hops());
        }
        return h;
    }

    /** True when every path ran out of peers before finding k that answer. */
    boolean exhausted() {
        for (Lookup p : paths) {
            if (!p.exhausted()) {
                return false;
            }
        }
        return true;
    }
}
