package org.p2pdns.node.resolve;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.SecureTransport;
import org.p2pdns.node.transport.TransportConfig;
import org.p2pdns.node.transport.TransportStats;
import org.p2pdns.node.transport.UdpTransport;
import org.xbill.DNS.Record;

/**
 * Benchmark of the record layer on real UDP: N nodes in one JVM on 127.0.0.1 (ephemeral ports, Noise sessions, one
 * event thread per node, a shared 2-thread Netty group), NetworkParams.TEST (no proof of work). Publishes NAMES
 * names, resolves RESOLVES times from random nodes with cold resolver caches, kills 30% of the nodes and resolves
 * again. Prints publish p50, resolve p50/p95/p99, time to first valid record, and the share of names resolved.
 * Run with scripts/bench-records.sh [NODES] [NAMES] [RESOLVES]. {@link #startNetwork} and {@link #publishNames} also
 * build the network of the DNS bridge's cold-resolution benchmark ({@code dns-bridge}'s {@code ColdResolveBench}).
 */
public final class RecordsBench {

    /** One node of the loopback network: its event thread, socket, secure transport, DHT, store and record layer. */
    public record Node(int index, EventLoopScheduler scheduler, UdpTransport udp, SecureTransport transport,
                       DhtNode dht, NodeStore store, RecordResolver resolver, RecordPublisher publisher) {

        /** Stops the DHT and closes the socket, as a node that dies would (nothing else is released). */
        public void kill() {
            dht.stop();
            udp.close();
        }

        /** Stops the node and releases everything it holds. */
        public void close() {
            kill();
            publisher.close();
            scheduler.close();
            store.close();
        }
    }

    /** The command line of a benchmark on this network: [NODES 10..1000] [NAMES 1..5000] [RESOLVES 1..100000]. */
    public record Args(int nodes, int names, int resolves) {

        /** Parses {@code args}; NODES defaults to 200, NAMES to 100. */
        public static Args parse(String[] args, int defaultResolves, String program) {
            int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
            int names = args.length > 1 ? Integer.parseInt(args[1]) : 100;
            int resolves = args.length > 2 ? Integer.parseInt(args[2]) : defaultResolves;
            if (nodes < 10 || nodes > 1000 || names < 1 || names > 5000 || resolves < 1 || resolves > 100_000) {
                throw new IllegalArgumentException("usage: " + program + " [NODES 10..1000] [NAMES] [RESOLVES]");
            }
            return new Args(nodes, names, resolves);
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, 1000, "RecordsBench");
        int nodes = args.nodes();
        int names = args.names();
        int resolves = args.resolves();
        NetworkParams params = NetworkParams.TEST;
        System.out.printf("records bench: %d nodes on 127.0.0.1 (real UDP, Noise), test network (no proof of work),"
                + " %d names, %d resolutions%n", nodes, names, resolves);
        Random random = new Random(1);
        EventLoopGroup io = newIoGroup();
        List<Node> all = new ArrayList<>();
        try {
            startNetwork(nodes, params, io, random, all);
            List<String> published = new ArrayList<>(publishNames(all, names, random).keySet());

            phase("before kill", all, published, resolves, random);

            List<Node> victims = new ArrayList<>(all);
            Collections.shuffle(victims, random);
            victims = victims.subList(0, nodes * 3 / 10);
            victims.forEach(Node::kill);
            List<Node> live = new ArrayList<>(all);
            live.removeAll(victims);
            System.out.printf("killed %d of %d nodes (30%%), no republish%n", victims.size(), nodes);
            phase("after kill", live, published, resolves, random);
        } finally {
            all.forEach(Node::close);
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** The Netty I/O threads the nodes share: 2, as many as this machine has cores. */
    public static EventLoopGroup newIoGroup() {
        return new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    /**
     * Starts {@code nodes} nodes on 127.0.0.1, adding each to {@code all} as it starts (so that the caller closes them
     * even if a later one fails), and waits until they have joined (see {@link #waitReady}). Prints the join time.
     */
    public static void startNetwork(int nodes, NetworkParams params, EventLoopGroup io, Random random, List<Node> all)
            throws Exception {
        RecordPolicy policy = new RecordPolicy(params);
        long t0 = System.nanoTime();
        for (int i = 0; i < nodes; i++) {
            all.add(startNode(i, params, policy, io, random, all));
        }
        waitReady(all);
        System.out.printf("joined: %d nodes ready in %.1f s%n", nodes, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Publishes {@code names} names ({@code bench-0.p2p}, ..., each one A record in 192.0.2.0/24) from random joined
     * nodes, one after another, and prints the publish latency and replica counts. Returns the names at least one
     * replica stored, in publish order, with the records published for each.
     */
    public static Map<String, List<Record>> publishNames(List<Node> all, int names, Random random)
            throws Exception {
        Map<String, List<Record>> published = new LinkedHashMap<>();
        List<Double> publishMs = new ArrayList<>();
        List<Double> acks = new ArrayList<>();
        Map<org.p2pdns.node.dht.StoreOutcome, Integer> refused = new TreeMap<>();
        // a user publishes from a node that has joined
        List<Node> joined = all.stream().filter(n -> n.dht().isReady()).toList();
        for (int i = 0; i < names; i++) {
            String name = "bench-" + i + ".p2p";
            Node at = joined.get(random.nextInt(joined.size()));
            OwnerKey key = OwnerKey.fromSeed(seed(i));
            List<Record> records = TestRecords.aRecord(name, i % 250);
            long s = System.nanoTime();
            PublishResult r = at.publisher().publish(name, records, Duration.ofMinutes(5), key)
                    .get(30, TimeUnit.SECONDS);
            publishMs.add((System.nanoTime() - s) / 1e6);
            acks.add((double) r.acks());
            r.refused().forEach((o, c) -> refused.merge(o, c, Integer::sum));
            if (r.acks() > 0) {
                published.put(name, records);
            }
        }
        System.out.printf(Locale.ROOT, "publish: %d of %d stored; latency p50 %.1f ms, p95 %.1f ms; replicas"
                + " acknowledging min %.0f, p50 %.0f; refusals %s%n", published.size(), names, pct(publishMs, 50),
                pct(publishMs, 95), pct(acks, 0), pct(acks, 50), refused);
        return published;
    }

    private static Node startNode(int i, NetworkParams params, RecordPolicy policy, EventLoopGroup io, Random random,
                                  List<Node> earlier) throws Exception {
        EventLoopScheduler scheduler = new EventLoopScheduler("node-" + i);
        TransportStats stats = new TransportStats();
        UdpTransport udp = UdpTransport.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), scheduler,
                stats, io);
        // every node shares 127.0.0.1: lift the per-IP handshake rate limit meant for the internet
        TransportConfig tc = TransportConfig.forNetwork(params).withHandshakeRate(1_000_000, 1_000_000);
        SecureTransport transport = new SecureTransport(NodeIdentity.generate(new Random(random.nextLong())), udp,
                scheduler, new Random(random.nextLong()), tc, stats);
        udp.setReceiver(transport);
        NodeStore store = NodeStore.inMemory();
        DhtNode dht = new DhtNode(DhtConfig.defaults(params), transport.self(), transport, scheduler,
                new Random(random.nextLong()), policy, store.values());
        RecordDht rd = RecordDht.of(dht);
        RecordResolver resolver = new RecordResolver(rd, policy, store, scheduler);
        RecordPublisher publisher = new RecordPublisher(rd, store, params, scheduler, Runnable::run,
                Duration.ofDays(1), k -> Optional.empty());
        List<InetSocketAddress> boot = new ArrayList<>();
        if (!earlier.isEmpty()) {
            boot.add(earlier.get(0).udp().localAddress());
            for (int b = 0; b < 2; b++) {
                boot.add(earlier.get(random.nextInt(earlier.size())).udp().localAddress());
            }
        }
        dht.start(boot);
        return new Node(i, scheduler, udp, transport, dht, store, resolver, publisher);
    }

    /** Waits until every node finished its join, or 180 s; goes on if at least 95% did. */
    private static void waitReady(List<Node> all) throws InterruptedException {
        CompletableFuture<?>[] joins = all.stream().map(n -> n.dht().whenReady()).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(joins).get(180, TimeUnit.SECONDS);
            return;
        } catch (TimeoutException | ExecutionException e) {
            // counted below
        }
        long ready = all.stream().filter(n -> n.dht().isReady()).count();
        System.out.printf("warning: %d of %d nodes finished joining after 180 s%n", ready, all.size());
        if (ready < all.size() * 95 / 100) {
            throw new IllegalStateException(ready + " of " + all.size() + " nodes ready after 180 s");
        }
    }

    private static void phase(String label, List<Node> live, List<String> names, int resolves, Random random)
            throws Exception {
        List<Double> ms = new ArrayList<>();
        List<Double> firstValue = new ArrayList<>();
        int found = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < resolves; i++) {
            Node at = live.get(random.nextInt(live.size()));
            String name = names.get(i % names.size());
            at.resolver().clearCache();
            long s = System.nanoTime();
            Resolution r = at.resolver().resolve(name).get(30, TimeUnit.SECONDS);
            ms.add((System.nanoTime() - s) / 1e6);
            if (r.status() == ResolveStatus.FOUND) {
                found++;
            } else if (failures.size() < 5) {
                failures.add(name + " at node " + at.index() + ": " + r.status() + " " + r.detail());
            }
        }
        // the DHT's own time to the first valid value, on 200 plain lookups (not waiting for them to end)
        for (int i = 0; i < Math.min(200, resolves); i++) {
            Node at = live.get(random.nextInt(live.size()));
            String name = names.get(random.nextInt(names.size()));
            CompletableFuture<Double> first = new CompletableFuture<>();
            long s = System.nanoTime();
            at.dht().get(org.p2pdns.node.record.OverlayName.dhtKey(name),
                    v -> first.complete((System.nanoTime() - s) / 1e6))
                    .whenComplete((g, e) -> first.complete(Double.NaN));
            double t = first.get(30, TimeUnit.SECONDS);
            if (!Double.isNaN(t)) {
                firstValue.add(t);
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d/%d resolved (%.1f%%); resolve p50 %.2f ms, p95 %.2f ms, p99 %.2f ms,"
                        + " max %.1f ms; DHT time to first valid value p50 %.2f ms, p95 %.2f ms%n",
                label, found, resolves, 100.0 * found / resolves, pct(ms, 50), pct(ms, 95), pct(ms, 99),
                pct(ms, 100), pct(firstValue, 50), pct(firstValue, 95));
        failures.forEach(f -> System.out.println("  not resolved: " + f));
    }

    /** The {@code p}th percentile (nearest rank) of {@code values}, NaN if there are none. */
    public static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    private static byte[] seed(int i) {
        byte[] s = new byte[32];
        s[0] = (byte) (i >>> 8);
        s[1] = (byte) i;
        s[31] = 99;
        return s;
    }
}
