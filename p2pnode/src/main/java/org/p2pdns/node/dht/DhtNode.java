package org.p2pdns.node.dht;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pdns.node.dht.DhtStats.Counter;
import org.p2pdns.node.dht.routing.ContactRules;
import org.p2pdns.node.dht.routing.RoutingTable;
import org.p2pdns.node.dht.rpc.RpcClient;
import org.p2pdns.node.dht.rpc.TokenManager;
import org.p2pdns.node.dht.store.StoreGuard;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.MessageTransport;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.ErrorMessage;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.FindValueMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.PingMessage;
import org.p2pdns.node.wire.PongMessage;
import org.p2pdns.node.wire.StoreMessage;
import org.p2pdns.node.wire.StoreResultMessage;
import org.p2pdns.node.wire.ValueMessage;
import org.p2pdns.node.wire.WireException;

/**
 * A Kademlia DHT node: joins through bootstrap addresses, keeps its routing table alive, serves PING / FIND_NODE /
 * FIND_VALUE / STORE, and runs iterative lookups for {@link #put} and {@link #get}. Values are opaque; a
 * {@link ValuePolicy} judges them. Every method may be called from any thread: work is posted to the node's
 * {@link Scheduler}, which owns all state; futures complete on it.
 */
public final class DhtNode {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DhtNode.class);

    private final DhtConfig config;
    private final Contact self;
    private final MessageTransport transport;
    private final Scheduler scheduler;
    private final Random random;
    private final ValuePolicy policy;
    private final ValueStore store;
    private final DhtStats stats = new DhtStats();
    private final RoutingTable table;
    private final RpcClient rpc;
    private final TokenManager tokens;
    private final StoreGuard guard;
    private final Maintenance maintenance;

    private volatile boolean ready;
    private final CompletableFuture<Void> readyFuture = new CompletableFuture<>();
    private volatile boolean stopped;
    private boolean started;
    private List<InetSocketAddress> bootstrap = List.of();
    /** Started with nothing to join: the first node of a network of its own (see {@link #isFounder()}). */
    private boolean founder;

    public DhtNode(DhtConfig config, Contact self, MessageTransport transport, Scheduler scheduler, Random random,
                   ValuePolicy policy, ValueStore store) {
        this.config = Objects.requireNonNull(config, "config");
        this.self = Objects.requireNonNull(self, "self");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = Objects.requireNonNull(random, "random");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.store = Objects.requireNonNull(store, "store");
        this.table = new RoutingTable(self.id(), config.k(), config.maxPerPrefixPerBucket(),
                config.maxPerPrefixPerTable(), config.prefixLimitsOnLoopback(), config.idDifficultyBits(),
                scheduler.nowMillis());
        this.rpc = new RpcClient(transport, scheduler, random, stats, config.maxPendingRequests());
        this.tokens = new TokenManager(random, config.tokenRotation().toMillis(), scheduler.nowMillis());
        this.guard = new StoreGuard(config.maxValuesPerPeer(), config.maxValuesPerPrefix(), config.storesPerSecond(),
                config.maxStoredValues());
        this.maintenance = new Maintenance(this);
    }

    // ------------------------------------------------------------------ public API

    /** Joins the network through {@code bootstrap} addresses (none: start a network of our own). */
    public void start(List<InetSocketAddress> bootstrap) {
        start(bootstrap, List.of());
    }

    /** Joins through {@code bootstrap} addresses and the contacts of a persisted routing table. */
    public void start(List<InetSocketAddress> bootstrap, List<Contact> persisted) {
        List<InetSocketAddress> boot = List.copyOf(bootstrap);
        List<Contact> known = List.copyOf(persisted);
        scheduler.execute(() -> {
            if (started || stopped) {
                return;
            }
            started = true;
            this.bootstrap = boot;
            this.founder = boot.isEmpty() && known.isEmpty();
            transport.setHandler(this::onMessage);
            guard.rebuild(store);
            long now = now();
            for (Contact c : known) {
                offer(c, now);
            }
            maintenance.start();
            maintenance.join(0);
        });
    }

    /**
     * True when this node was started with no address to join and no saved contact: it began a network of its own.
     * While such a node has no peers it is the whole network, so a key it does not hold does not exist (NOT_FOUND),
     * where a node that has peers to reach but cannot reach them must say NO_PEERS.
     */
    public boolean isFounder() {
        return founder;
    }

    /** Finds the k nodes closest to {@code key} and asks them to STORE {@code value} (with their write tokens). */
    public CompletableFuture<PutResult> put(NodeId key, byte[] value) {
        CompletableFuture<PutResult> f = new CompletableFuture<>();
        if (value == null || value.length > ValuePolicy.MAX_VALUE_BYTES) {
            f.completeExceptionally(new IllegalArgumentException("value must be 1.." + ValuePolicy.MAX_VALUE_BYTES
                    + " bytes"));
            return f;
        }
        byte[] v = value.clone();
        scheduler.execute(() -> {
            if (stopped) {
                f.complete(new PutResult(0, Map.of(), List.of()));
                return;
            }
            new Query(this, key, false, null, q -> storeAt(key, v, q, f)).start();
        });
        return f;
    }

    /**
     * Looks {@code key} up; calls {@code onValidValue} (on the event thread) with each valid value newer than all seen
     * before, as soon as it arrives; runs the lookup to its end, then pushes the newest value to the closest nodes
     * that returned an older one or none.
     */
    public CompletableFuture<GetResult> get(NodeId key, Consumer<byte[]> onValidValue) {
        CompletableFuture<GetResult> f = new CompletableFuture<>();
        Consumer<byte[]> cb = onValidValue == null ? v -> { } : onValidValue;
        scheduler.execute(() -> {
            if (stopped) {
                f.complete(new GetResult(GetResult.Status.NO_PEERS, null, 0, -1));
                return;
            }
            ValueSearch search = new ValueSearch(this, key, cb, now());
            new Query(this, key, true, search, q -> search.finish(q, f)).start();
        });
        return f;
    }

    /** An iterative FIND_NODE lookup: the (up to) k closest nodes to {@code target} that answered, closest first. */
    public CompletableFuture<List<Contact>> findClosest(NodeId target) {
        return lookup(target).thenApply(LookupResult::closest);
    }

    /** An iterative FIND_NODE lookup with its figures (hops, peers contacted, timed out or not). */
    public CompletableFuture<LookupResult> lookup(NodeId target) {
        CompletableFuture<LookupResult> f = new CompletableFuture<>();
        scheduler.execute(() -> {
            if (stopped) {
                f.complete(new LookupResult(List.of(), 0, 0, false));
                return;
            }
            new Query(this, target, false, null, q -> f.complete(new LookupResult(q.closest(config.k()), q.hops(),
                    q.contacted, q.timedOut))).start();
        });
        return f;
    }

    /** Completes (on the event thread) when the initial join has finished; see {@link #isReady()}. */
    public CompletableFuture<Void> whenReady() {
        return readyFuture.thenApply(v -> v);
    }

    /**
     * Offers contacts learned outside the DHT (the peers an introduction server lists at each registration) to the
     * routing table, with the same checks as any other contact (id, proof of work, prefix limits). Ignored before
     * {@link #start} and after {@link #stop}.
     */
    public void addContacts(List<Contact> contacts) {
        List<Contact> copy = List.copyOf(contacts);
        scheduler.execute(() -> {
            if (!started || stopped) {
                return;
            }
            long now = now();
            for (Contact c : copy) {
                if (!c.id().equals(self.id())) {
                    offer(c, now);
                }
            }
        });
    }

    /** A copy of the routing table's contacts taken on the event thread: what to persist with RoutingTableFile. */
    public CompletableFuture<List<Contact>> contactsSnapshot() {
        CompletableFuture<List<Contact>> f = new CompletableFuture<>();
        scheduler.execute(() -> f.complete(List.copyOf(table.contacts())));
        return f;
    }

    /**
     * The routing table. Not thread-safe: read it on the node's event thread (or use {@link #contactsSnapshot()}).
     */
    public RoutingTable routingTable() {
        return table;
    }

    public DhtStats stats() {
        return stats;
    }

    /** True once the initial join finished (the table is healthy, or this node started a network of its own). */
    public boolean isReady() {
        return ready;
    }

    /**
     * True once the node is ready and the bucket refreshes that follow its join (spread over the first seconds, see
     * docs/protocol-dht.md) have all run. Call on the event thread (tests and the simulator).
     */
    public boolean isSettled() {
        return ready && maintenance.joinRefreshesDone();
    }

    public Contact self() {
        return self;
    }

    public DhtConfig config() {
        return config;
    }

    /** Stops timers and fails pending requests; the node then ignores messages. */
    public void stop() {
        scheduler.execute(() -> {
            stopped = true;
            maintenance.stop();
            rpc.close();
        });
    }

    /** Requests waiting for replies (diagnostics and tests). */
    public int pendingRequests() {
        return rpc.pendingCount();
    }

    // ------------------------------------------------------------------ package helpers for Maintenance

    long now() {
        return scheduler.nowMillis();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    Random random() {
        return random;
    }

    ValueStore store() {
        return store;
    }

    ValuePolicy policy() {
        return policy;
    }

    StoreGuard guard() {
        return guard;
    }

    RpcClient rpc() {
        return rpc;
    }

    boolean stopped() {
        return stopped;
    }

    List<InetSocketAddress> bootstrapAddresses() {
        return bootstrap;
    }

    void setReady() {
        ready = true;
        readyFuture.complete(null);
    }

    /** A contact was heard from directly: offer it to the table; ping a bucket's oldest when asked to. */
    void offer(Contact c, long now) {
        RoutingTable.Offer o = table.offer(c, now);
        switch (o.result()) {
            case ADDED -> maintenance.onNewContact(c);
            case PING_OLDEST -> {
                stats.inc(Counter.CONTACT_REPLACEMENT);
                Contact old = o.toPing();
                rpc.request(old, PingMessage::new, config.requestTimeout(), config.retries(), (from, reply) -> {
                    if (reply instanceof PongMessage) {
                        table.onAlive(old.id(), now());
                    } else {
                        stats.inc(Counter.CONTACT_EVICTED);
                        Contact promoted = table.onPingFailed(old.id(), now());
                        if (promoted != null) {
                            maintenance.onNewContact(promoted);
                        }
                    }
                });
            }
            case CACHED -> stats.inc(Counter.CONTACT_REPLACEMENT);
            case PREFIX_LIMIT -> stats.inc(Counter.CONTACT_PREFIX_LIMIT);
            case BAD_ID -> stats.inc(Counter.CONTACT_BAD_ID);
            case BAD_POW -> stats.inc(Counter.CONTACT_BAD_POW);
            default -> { }
        }
    }

    void requestFailed(Contact c) {
        if (c != null && table.onFailure(c.id(), now()) != null) {
            stats.inc(Counter.CONTACT_EVICTED);
        }
    }

    /** Keeps only contacts that pass the id and proof-of-work checks (counting the others). */
    List<Contact> screen(List<Contact> contacts) {
        List<Contact> out = new ArrayList<>(contacts.size());
        for (Contact c : contacts) {
            // ids of decoded contacts are derived from their keys; only the proof of work can fail here
            if (config.idDifficultyBits() > 0 && !ContactRules.meetsDifficulty(c.id(), config.idDifficultyBits())) {
                stats.inc(Counter.CONTACT_BAD_POW);
                continue;
            }
            out.add(c);
        }
        return out;
    }

    // ------------------------------------------------------------------ incoming messages

    private void onMessage(Contact from, byte[] bytes) {
        if (stopped) {
            stats.inc(Counter.DROP_STOPPED);
            return;
        }
        DhtMessage m;
        try {
            m = DhtCodec.decode(bytes);
        } catch (WireException e) {
            stats.inc(Counter.DROP_MALFORMED);
            LOG.debug("malformed message from {}: {}", from, e.getMessage());
            replyMalformed(from, bytes, e);
            return;
        } catch (RuntimeException e) {
            // a decoder bug must not take the node down; count it like any malformed input
            stats.inc(Counter.DROP_MALFORMED);
            LOG.warn("decoder failed on a message from {}", from, e);
            return;
        }
        long now = now();
        if (m.type().isRequest()) {
            stats.inc(Counter.RPC_RECEIVED);
            offer(from, now);
            serve(from, m, now);
        } else if (rpc.onReply(from, m)) {
            offer(from, now);
        }
    }

    private void replyMalformed(Contact from, byte[] bytes, WireException e) {
        if (bytes == null || bytes.length < DhtCodec.HEADER_BYTES) {
            return;
        }
        var type = org.p2pdns.node.wire.MessageType.fromCode(bytes[1] & 0xff);
        if (type == null || !type.isRequest()) {
            return;
        }
        try {
            long id = DhtCodec.peekRequestId(bytes);
            ErrorMessage.Code code = e.error() == WireException.Error.BAD_VERSION
                    ? ErrorMessage.Code.UNSUPPORTED_VERSION : ErrorMessage.Code.MALFORMED;
            transport.send(from, DhtCodec.encode(new ErrorMessage(id, code, e.error().name())));
        } catch (WireException ignored) {
            // shorter than a header: nothing to answer
        }
    }

    private void serve(Contact from, DhtMessage m, long now) {
        DhtMessage reply;
        if (m instanceof PingMessage p) {
            reply = new PongMessage(p.requestId());
        } else if (m instanceof FindNodeMessage f) {
            reply = new NodesMessage(f.requestId(), tokens.tokenFor(from.id(), from.address().getAddress(), now),
                    closestFor(f.target(), from));
        } else if (m instanceof FindValueMessage f) {
            byte[] token = tokens.tokenFor(from.id(), from.address().getAddress(), now);
            ValueStore.Entry e = store.get(f.key());
            if (e != null && e.expiresAtMillis() > now) {
                reply = new ValueMessage(f.requestId(), token, e.value(), closestFor(f.key(), from));
            } else {
                reply = new NodesMessage(f.requestId(), token, closestFor(f.key(), from));
            }
        } else if (m instanceof StoreMessage s) {
            StoreOutcome o = acceptStore(from, s, now);
            stats.storeReceived(o);
            reply = new StoreResultMessage(s.requestId(), o);
        } else {
            return;
        }
        transport.send(from, DhtCodec.encode(reply));
    }

    private List<Contact> closestFor(NodeId target, Contact requester) {
        return table.closest(target, config.k(), requester.id());
    }

    private StoreOutcome acceptStore(Contact from, StoreMessage s, long now) {
        var ip = from.address().getAddress();
        if (!tokens.isValid(s.token(), from.id(), ip, now)) {
            return StoreOutcome.BAD_TOKEN;
        }
        if (!guard.allowRate(from.id(), now)) {
            return StoreOutcome.RATE_LIMITED;
        }
        return judgeAndStore(s.key(), s.value(), from.id(), ip, now);
    }

    /** Validates {@code value} against what is held, checks quotas and stores it. */
    StoreOutcome judgeAndStore(NodeId key, byte[] value, NodeId sender, java.net.InetAddress ip, long now) {
        if (value.length > ValuePolicy.MAX_VALUE_BYTES) {
            return StoreOutcome.TOO_LARGE;
        }
        ValueStore.Entry held = store.get(key);
        if (held != null && held.expiresAtMillis() <= now) {
            store.remove(key);
            guard.released(key);
            held = null;
        }
        if (ip != null) {
            StoreOutcome q = guard.checkQuota(key, sender, ip, store.size());
            if (q != null) {
                return q;
            }
        }
        StoreOutcome o;
        try {
            o = policy.validate(key, value, held == null ? null : held.value(), now);
        } catch (RuntimeException e) {
            LOG.warn("value policy threw on a value for {}", key, e);
            o = StoreOutcome.MALFORMED;
        }
        if (o != StoreOutcome.STORED) {
            return o;
        }
        if (held != null && java.util.Arrays.equals(held.value(), value)) {
            return StoreOutcome.STORED;
        }
        try {
            store.put(new ValueStore.Entry(key, value, policy.expiresAtMillis(value), now, sender));
        } catch (RuntimeException e) {
            LOG.warn("store failed for {}", key, e);
            return StoreOutcome.STORE_FAILED;
        }
        if (ip != null) {
            guard.accepted(key, sender, ip);
        } else {
            guard.released(key);
        }
        return StoreOutcome.STORED;
    }

    // ------------------------------------------------------------------ put

    private void storeAt(NodeId key, byte[] value, Query q, CompletableFuture<PutResult> f) {
        List<Contact> targets = q.closest(config.k());
        Map<StoreOutcome, Integer> outcomes = new EnumMap<>(StoreOutcome.class);
        List<Contact> storedAt = new ArrayList<>();
        boolean selfAmongClosest = targets.size() < config.k()
                || key.compareDistance(self.id(), targets.get(targets.size() - 1).id()) < 0;
        if (selfAmongClosest) {
            StoreOutcome o = judgeAndStore(key, value, self.id(), null, now());
            outcomes.merge(o, 1, Integer::sum);
            if (o == StoreOutcome.STORED) {
                storedAt.add(self);
            }
        }
        int[] left = {0};
        for (Contact c : targets) {
            if (q.tokens.containsKey(c.id())) {
                left[0]++;
            }
        }
        if (left[0] == 0) {
            f.complete(new PutResult(storedAt.size(), outcomes, storedAt));
            return;
        }
        for (Contact c : targets) {
            byte[] token = q.tokens.get(c.id());
            if (token == null) {
                continue;
            }
            rpc.request(c, id -> new StoreMessage(id, key, token, value), config.requestTimeout(), config.retries(),
                    (from, reply) -> {
                        if (reply instanceof StoreResultMessage r) {
                            stats.storeSent(r.outcome());
                            outcomes.merge(r.outcome(), 1, Integer::sum);
                            if (r.outcome() == StoreOutcome.STORED) {
                                storedAt.add(c);
                            }
                        } else if (reply == null) {
                            requestFailed(c);
                        }
                        if (--left[0] == 0) {
                            f.complete(new PutResult(storedAt.size(), outcomes, storedAt));
                        }
                    });
        }
    }

    /** Sends {@code value} to {@code c} with {@code token}, without waiting (replication and repair). */
    void pushValue(Contact c, NodeId key, byte[] value, byte[] token) {
        stats.inc(Counter.REPLICATE_SENT);
        rpc.request(c, id -> new StoreMessage(id, key, token, value), config.requestTimeout(), config.retries(),
                (from, reply) -> {
                    if (reply instanceof StoreResultMessage r) {
                        stats.storeSent(r.outcome());
                    } else if (reply == null) {
                        requestFailed(c);
                    }
                });
    }

    /** Starts a FIND_NODE lookup for {@code target} (used by maintenance: join and bucket refresh). */
    void lookup(NodeId target, List<Contact> seeds, Consumer<Query> onDone) {
        new Query(this, target, false, null, onDone).seeded(seeds).start();
    }

    /** Starts a FIND_VALUE lookup whose only purpose is to repair replicas of a held value. */
    void replicate(NodeId key) {
        ValueSearch search = new ValueSearch(this, key, v -> { }, now());
        new Query(this, key, true, search, q -> search.finish(q, new CompletableFuture<>())).start();
    }
}
