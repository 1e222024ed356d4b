package org.p2pdns.node.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.dht.routing.ContactRules;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.MessageTransport;

/**
 * A deterministic simulated network of {@link DhtNode}s: one {@link VirtualScheduler}, one seeded {@link Random},
 * messages delivered as bytes (no crypto) with the sender's real {@link Contact}, per-link latency fixed by the seed,
 * random loss, partitions and churn. The same seed and the same calls give the same trace.
 *
 * <p>Node {@code i} lives at (10+i/65536).(i/256%256).(i%256).1:4000, a /24 of its own, so the routing table's per-prefix limits stay on.
 * Single-threaded: drive it from the thread that runs the scheduler.
 */
public final class SimNetwork {

    private final long seed;
    private final SimConfig config;
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final Random random;
    private final List<SimNode> nodes = new ArrayList<>();
    // keyed by a well-spread long (IP and port), not InetSocketAddress whose hash clusters for 10.x.y.1 addresses
    private final Map<Long, SimNode> byAddress = new HashMap<>();
    private final List<Set<Integer>[]> partitions = new ArrayList<>();
    private long delivered;
    private long dropped;

    public SimNetwork(long seed, SimConfig cfg) {
        this.seed = seed;
        this.config = cfg;
        this.random = new Random(seed);
    }

    public VirtualScheduler scheduler() {
        return scheduler;
    }

    public Random random() {
        return random;
    }

    public SimConfig config() {
        return config;
    }

    /** Adds a node (not started) running the network's DHT configuration. */
    public SimNode addNode(ValuePolicy policy, Supplier<ValueStore> stores) {
        return addNode(policy, stores, config.dht());
    }

    /** Adds a node (not started) with an in-memory store. */
    public SimNode addNode(ValuePolicy policy) {
        return addNode(policy, InMemoryValueStore::new, config.dht());
    }

    /** Adds a node (not started) running its own DHT configuration. */
    public SimNode addNode(ValuePolicy policy, Supplier<ValueStore> stores, DhtConfig dhtConfig) {
        int index = nodes.size();
        byte[] key = new byte[32];
        do {
            random.nextBytes(key);
        } while (!ContactRules.meetsDifficulty(NodeId.ofPublicKey(key), dhtConfig.idDifficultyBits()));
        Contact contact = Contact.of(key, addressOf(index));
        return register(index, contact, policy, stores, dhtConfig);
    }

    /** Adds a node (not started) with a given identity: for tests that need a chosen id or address. */
    public SimNode addNode(Contact contact, ValuePolicy policy, Supplier<ValueStore> stores, DhtConfig dhtConfig) {
        if (byAddress.containsKey(addressKey(contact.address()))) {
            throw new IllegalArgumentException("address taken: " + contact.address());
        }
        return register(nodes.size(), contact, policy, stores, dhtConfig);
    }

    private SimNode register(int index, Contact contact, ValuePolicy policy, Supplier<ValueStore> stores,
                             DhtConfig dhtConfig) {
        SimTransport t = new SimTransport(this);
        SimNode n = new SimNode(index, contact, t, policy, stores, dhtConfig);
        t.owner[0] = n;
        n.store = stores.get();
        n.dht = new DhtNode(dhtConfig, contact, t, scheduler, random, policy, n.store);
        nodes.add(n);
        byAddress.put(addressKey(contact.address()), n);
        return n;
    }

    /** The address of node {@code i}: (10 + i/65536).(i/256%256).(i%256).1 port 4000: one /24 per node. */
    public static InetSocketAddress addressOf(int i) {
        if (i < 0 || i >= 1 << 22) {
            throw new IllegalArgumentException("node index out of range: " + i);
        }
        byte[] ip = {(byte) (10 + (i >>> 16)), (byte) (i >>> 8), (byte) i, 1};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), 4000);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code n} against {@code bootstrap} addresses (and no persisted table). */
    public void start(SimNode n, List<InetSocketAddress> bootstrap) {
        n.started = true;
        n.dht.start(bootstrap);
    }

    /**
     * Starts every node not started yet: the first {@code seedNodes} of them against the first one, then the rest in
     * waves of {@code waveSize}, each joining through {@code bootstrapContacts} random nodes that already joined; runs
     * the scheduler until every live node is ready and has run the bucket refreshes that follow its join (so the
     * network has formed). Throws if that takes longer than {@code maxVirtual}.
     */
    public void bootstrapAll(Duration maxVirtual) {
        long deadline = scheduler.clock().millis() + maxVirtual.toMillis();
        List<SimNode> pending = new ArrayList<>();
        List<SimNode> joined = new ArrayList<>();
        for (SimNode n : nodes) {
            if (!n.alive) {
                continue;
            }
            if (n.started) {
                joined.add(n);
            } else {
                pending.add(n);
            }
        }
        int i = 0;
        if (joined.isEmpty() && !pending.isEmpty()) {
            SimNode first = pending.get(0);
            start(first, List.of());
            joined.add(first);
            i = 1;
            List<SimNode> seeds = new ArrayList<>();
            for (; i < Math.min(config.seedNodes(), pending.size()); i++) {
                start(pending.get(i), List.of(first.contact.address()));
                seeds.add(pending.get(i));
            }
            runUntilReady(seeds, deadline);
            joined.addAll(seeds);
        }
        while (i < pending.size()) {
            List<SimNode> wave = new ArrayList<>();
            int end = Math.min(pending.size(), i + config.waveSize());
            for (; i < end; i++) {
                SimNode n = pending.get(i);
                start(n, pickBootstrap(joined));
                wave.add(n);
            }
            runUntilReady(wave, deadline);
            joined.addAll(wave);
        }
        runUntilReady(joined, deadline);
        long now = scheduler.clock().millis();
        boolean settled = scheduler.runUntil(() -> joined.stream().allMatch(n -> !n.alive || n.dht.isSettled()),
                Duration.ofMillis(Math.max(0, deadline - now)));
        if (!settled) {
            throw new IllegalStateException("the joins' bucket refreshes did not finish by the deadline");
        }
    }

    private List<InetSocketAddress> pickBootstrap(List<SimNode> joined) {
        List<InetSocketAddress> out = new ArrayList<>();
        int want = Math.min(config.bootstrapContacts(), joined.size());
        Set<Integer> picked = new HashSet<>();
        while (out.size() < want) {
            SimNode n = joined.get(random.nextInt(joined.size()));
            if (n.alive && picked.add(n.index)) {
                out.add(n.contact.address());
            } else if (picked.size() >= joined.size()) {
                break;
            }
        }
        return out;
    }

    private void runUntilReady(List<SimNode> group, long deadline) {
        long now = scheduler.clock().millis();
        boolean ok = scheduler.runUntil(() -> {
            for (SimNode n : group) {
                if (n.alive && !n.dht.isReady()) {
                    return false;
                }
            }
            return true;
        }, Duration.ofMillis(Math.max(0, deadline - now)));
        if (!ok) {
            long notReady = group.stream().filter(n -> n.alive && !n.dht.isReady()).count();
            throw new IllegalStateException(notReady + " of " + group.size() + " nodes not ready by the deadline");
        }
    }

    /** Kills {@code n}: its DHT stops, and messages to or from it are dropped. Its store is kept. */
    public void kill(SimNode n) {
        if (!n.alive) {
            return;
        }
        n.alive = false;
        n.dht.stop();
    }

    /**
     * Restarts a killed node as a new {@link DhtNode} with the same identity and store, rejoining from the contacts
     * its routing table held (the persisted table) and a few live nodes' addresses.
     */
    public void revive(SimNode n) {
        if (n.alive) {
            return;
        }
        List<SimNode> live = new ArrayList<>();
        for (SimNode x : nodes) {
            if (x.alive && x != n && x.started) {
                live.add(x);
            }
        }
        revive(n, pickBootstrap(live));
    }

    /** Restarts a killed node with only {@code bootstrap} addresses besides its persisted table (may be empty). */
    public void revive(SimNode n, List<InetSocketAddress> bootstrap) {
        if (n.alive) {
            return;
        }
        List<Contact> persisted = n.dht.routingTable().contacts();
        n.alive = true;
        n.dht = new DhtNode(n.config, n.contact, n.transport, scheduler, random, n.policy, n.store);
        n.started = true;
        n.dht.start(bootstrap, persisted);
    }

    /** From now on, no message passes between a node of {@code a} and a node of {@code b}. */
    @SuppressWarnings("unchecked")
    public void partition(Collection<SimNode> a, Collection<SimNode> b) {
        Set<Integer> sa = new HashSet<>();
        Set<Integer> sb = new HashSet<>();
        a.forEach(n -> sa.add(n.index));
        b.forEach(n -> sb.add(n.index));
        partitions.add(new Set[] {sa, sb});
    }

    /** Removes every partition. */
    public void heal() {
        partitions.clear();
    }

    public List<SimNode> nodes() {
        return java.util.Collections.unmodifiableList(nodes);
    }

    /** The live nodes. */
    public List<SimNode> aliveNodes() {
        List<SimNode> out = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.alive) {
                out.add(n);
            }
        }
        return out;
    }

    /** Messages handed to a live receiver so far. */
    public long messagesDelivered() {
        return delivered;
    }

    /** Messages dropped so far (lost, partitioned, oversized, to dead or unknown nodes). */
    public long messagesDropped() {
        return dropped;
    }

    /** One-way latency of the link between nodes {@code a} and {@code b}: fixed per link, drawn from the seed. */
    public long latencyMillis(SimNode a, SimNode b) {
        int lo = Math.min(a.index, b.index);
        int hi = Math.max(a.index, b.index);
        long h = mix(seed ^ mix(((long) lo << 32) | hi));
        int span = config.maxLatencyMillis() - config.minLatencyMillis() + 1;
        return config.minLatencyMillis() + Math.floorMod(h, span);
    }

    private static long addressKey(InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        long h = ip.length;
        for (byte b : ip) {
            h = h * 257 + (b & 0xff);
        }
        return mix(h * 65537 + a.getPort());
    }

    private static long mix(long z) {
        // SplitMix64 finalizer
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private boolean partitioned(SimNode a, SimNode b) {
        for (Set<Integer>[] p : partitions) {
            if (p[0].contains(a.index) && p[1].contains(b.index) || p[1].contains(a.index) && p[0].contains(b.index)) {
                return true;
            }
        }
        return false;
    }

    void deliver(SimNode from, InetSocketAddress to, byte[] message) {
        SimNode dest = byAddress.get(addressKey(to));
        if (!from.alive || dest == null || !dest.alive || message.length > MessageTransport.MAX_MESSAGE
                || partitioned(from, dest)) {
            drop(from);
            return;
        }
        if (config.lossRate() > 0 && random.nextDouble() < config.lossRate()) {
            drop(from);
            return;
        }
        byte[] copy = message.clone();
        scheduler.schedule(Duration.ofMillis(latencyMillis(from, dest)), () -> {
            // the receiver may have died, or a partition started, while the message was in flight
            if (!dest.alive || dest.transport.handler == null || partitioned(from, dest)) {
                drop(from);
                return;
            }
            delivered++;
            dest.transport.handler.onMessage(from.contact, copy);
        });
    }

    private void drop(SimNode from) {
        dropped++;
        from.transport.dropped++;
    }

    /** The {@code n} live nodes closest to {@code target} by brute force: the oracle lookups are checked against. */
    public List<SimNode> trueClosest(NodeId target, int n) {
        List<SimNode> live = aliveNodes();
        live.sort((a, b) -> target.compareDistance(a.contact.id(), b.contact.id()));
        return live.size() <= n ? live : new ArrayList<>(live.subList(0, n));
    }

    /** The node at {@code address}, or null. */
    public SimNode nodeAt(InetSocketAddress address) {
        return byAddress.get(addressKey(address));
    }

    /** Convenience: a started node's DHT. */
    public DhtNode dht(int i) {
        return nodes.get(i).dht;
    }
}
