package org.p2pdns.node.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.DhtStats;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.sim.SimValuePolicy;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.TransportStats.Counter;
import org.p2pdns.node.wire.MessageType;

/**
 * Real-UDP loopback benchmark of the DHT over the secure transport (run by scripts/bench-transport.sh dht; not a unit
 * test): N nodes in one JVM, each with its own UDP socket and Noise sessions, a few event threads shared by the nodes
 * (each node's state stays on one thread). Every node is built first (identity, socket, transport); then all are
 * started in the same instant, node 0 as the founder of a new network and every other node bootstrapping from it
 * (as {@code SimBehaviourTest} does in virtual time). Prints the time until every node holds at least 20 contacts,
 * with the CPU time, handshakes (by the message that started them), retransmissions and DHT figures of that join;
 * then waits until every node has also run the bucket refreshes that follow its join, stores 50 values and prints get
 * latency percentiles, first contact (handshakes included) and warm (sessions established). Proof of work off
 * (difficulty 0). Bounded in count and time.
 */
public final class SecureDhtLoopbackBench {

    private static final int CONTACTS = 20;

    private SecureDhtLoopbackBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int threads = 2;
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        List<EventLoopScheduler> loops = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            loops.add(new EventLoopScheduler("nodes-" + i));
        }
        DhtConfig dhtConfig = DhtConfig.defaults(NetworkParams.TEST);
        // every node is on 127.0.0.1: the per-IP handshake limit would throttle the whole cluster
        TransportConfig tc = TransportConfig.forNetwork(NetworkParams.TEST).withHandshakeRate(1e6, 1_000_000);
        List<DhtNode> nodes = new ArrayList<>();
        List<SecureTransport> transports = new ArrayList<>();
        List<UdpTransport> sockets = new ArrayList<>();
        Causes causes = new Causes();
        Random seeds = new Random(7);
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        for (int i = 0; i < n; i++) {
            EventLoopScheduler loop = loops.get(i % threads);
            TransportStats stats = new TransportStats();
            UdpTransport udp = UdpTransport.bind(loopback, loop, stats, io);
            SecureTransport t = new SecureTransport(NodeIdentity.generate(new SecureRandom()), udp, loop,
                    new Random(seeds.nextLong()), tc, stats);
            udp.setReceiver(t);
            DhtNode d = new DhtNode(dhtConfig, t.self(), new CountingTransport(t, causes), loop,
                    new Random(seeds.nextLong()), SimValuePolicy.INSTANCE, new InMemoryValueStore());
            nodes.add(d);
            transports.add(t);
            sockets.add(udp);
        }
        System.gc();

        // every node starts now; the founder has nobody to join, the others know only its address
        InetSocketAddress seed = sockets.get(0).localAddress();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            nodes.get(i).start(i == 0 ? List.of() : List.of(seed));
        }
        // how long a task waits on the event threads (queued behind handshakes): a probe every 100 ms on each
        List<Long> lags = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ScheduledExecutorService prober = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        prober.scheduleAtFixedRate(() -> {
            for (EventLoopScheduler l : loops) {
                long sent = System.nanoTime();
                l.execute(() -> lags.add(System.nanoTime() - sent));
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        // wait (bounded) until every node holds at least 20 contacts, noting when each got there
        long[] reached = new long[n];
        Arrays.fill(reached, -1);
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        int ready = 0;
        while (ready < n && System.nanoTime() < deadline) {
            long now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (reached[i] < 0 && nodes.get(i).routingTable().size() >= CONTACTS) {
                    reached[i] = now - t0;
                    ready++;
                }
            }
            Thread.sleep(20); // a benchmark polling a wall-clock condition, not a test
        }
        long joinWall = System.nanoTime() - t0;
        long joinCpu = processCpuNanos() - cpu0;
        prober.shutdownNow();
        long[] lag;
        synchronized (lags) {
            lag = lags.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        Map<Counter, Long> atJoin = sum(transports);
        Map<String, Long> causesAtJoin = causes.snapshot();
        Map<DhtStats.Counter, Long> dhtAtJoin = dhtSum(nodes);
        long[] sorted = Arrays.stream(reached).filter(x -> x >= 0).sorted().toArray();
        System.out.printf("%d nodes started at once; %d hold >= %d contacts after %.2f s (per node: p50 %.2f s, p90 %.2f"
                        + " s, max %.2f s); CPU %.1f s in that time (%.2f cores)%n", n, ready, CONTACTS, joinWall / 1e9,
                pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 1.0), joinCpu / 1e9, (double) joinCpu / joinWall);
        System.out.printf("join: handshakes initiated %d (retransmits %d), accepted %d, completed %d, timed out %d;"
                        + " responses resent from cache %d; per node %.1f initiated%n",
                atJoin.get(Counter.HANDSHAKES_INITIATED), atJoin.get(Counter.HANDSHAKE_RETRANSMITS),
                atJoin.get(Counter.HANDSHAKES_ACCEPTED), atJoin.get(Counter.HANDSHAKES_COMPLETED),
                atJoin.get(Counter.HANDSHAKE_TIMEOUTS), atJoin.get(Counter.HANDSHAKE_RESPONSES_RESENT),
                atJoin.get(Counter.HANDSHAKES_INITIATED) / (double) n);
        System.out.println("join: handshakes by the message that started them: " + causesAtJoin);
        long peers = transports.stream().mapToLong(SecureTransport::peerCount).sum();
        System.out.printf("join: X25519 agreements %d (%.1f per handshake); peers with a session: %.1f per node"
                        + " (%d pairs of nodes for %d handshakes)%n", atJoin.get(Counter.KEY_AGREEMENTS),
                atJoin.get(Counter.KEY_AGREEMENTS) / (double) Math.max(1, atJoin.get(Counter.HANDSHAKES_INITIATED)),
                peers / (double) n, peers / 2, atJoin.get(Counter.HANDSHAKES_INITIATED));
        int[] byAttempts = new int[4];
        double slowAttempts = 0;
        int slow = 0;
        long slowFrom = sorted.length == 0 ? 0 : (long) (pct(sorted, 0.9) * 1e9);
        for (int i = 0; i < n; i++) {
            long a = nodes.get(i).stats().get(DhtStats.Counter.JOIN_ATTEMPTS);
            byAttempts[(int) Math.min(3, a)]++;
            if (reached[i] < 0 || reached[i] >= slowFrom) {
                slowAttempts += a;
                slow++;
            }
        }
        System.out.printf("join: nodes by join attempts: 0 (founder) %d, 1: %d, 2: %d, 3 or more: %d; the slowest 10%% made"
                + " %.1f on average%n", byAttempts[0], byAttempts[1], byAttempts[2], byAttempts[3],
                slowAttempts / Math.max(1, slow));
        System.out.printf("join: wait of a task on the event threads p50 %.0f ms, p90 %.0f ms, max %.0f ms%n",
                pct(lag, 0.5) * 1e3, pct(lag, 0.9) * 1e3, pct(lag, 1.0) * 1e3);
        System.out.printf("join: lookups %d, join attempts %d, requests %d, timeouts %d (late replies %d), retries"
                        + " %d%n", dhtAtJoin.get(DhtStats.Counter.LOOKUPS_STARTED),
                dhtAtJoin.get(DhtStats.Counter.JOIN_ATTEMPTS), dhtAtJoin.get(DhtStats.Counter.RPC_SENT),
                dhtAtJoin.get(DhtStats.Counter.RPC_TIMEOUT), dhtAtJoin.get(DhtStats.Counter.REPLY_LATE),
                dhtAtJoin.get(DhtStats.Counter.RPC_RETRY));

        // lookups are measured on a formed network: wait (bounded) until every node has also run the bucket refreshes
        // that follow its join (spread over 30 s after it), so they do not compete with the lookups measured
        long settleStart = System.nanoTime();
        long settleDeadline = settleStart + TimeUnit.SECONDS.toNanos(90);
        int settled = 0;
        while (System.nanoTime() < settleDeadline) {
            settled = 0;
            for (int i = 0; i < n; i++) {
                if (settled(nodes.get(i), loops.get(i % threads))) {
                    settled++;
                }
            }
            if (settled == n) {
                break;
            }
            Thread.sleep(200); // a benchmark polling a wall-clock condition, not a test
        }
        Map<Counter, Long> atSettle = sum(transports);
        System.out.printf("%d of %d nodes settled (their join's bucket refreshes done) %.1f s after the start; %d more"
                        + " handshakes initiated since all held 20 contacts; CPU %.1f s since the start%n", settled, n,
                (System.nanoTime() - t0) / 1e9, atSettle.get(Counter.HANDSHAKES_INITIATED)
                        - atJoin.get(Counter.HANDSHAKES_INITIATED), (processCpuNanos() - cpu0) / 1e9);

        Random r = new Random(3);
        List<NodeId> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            NodeId key = NodeId.random(r);
            keys.add(key);
            long expires = System.currentTimeMillis() + 3_600_000;
            nodes.get(r.nextInt(n)).put(key, SimValuePolicy.value(1, expires, "v" + i)).get(30, TimeUnit.SECONDS);
        }
        for (String phase : new String[] {"first", "warm"}) {
            long[] lat = new long[lookups];
            int found = 0;
            Random pick = new Random(phase.equals("first") ? 5 : 6);
            for (int i = 0; i < lookups; i++) {
                DhtNode d = nodes.get(pick.nextInt(n));
                NodeId key = keys.get(pick.nextInt(keys.size()));
                CompletableFuture<Long> firstValue = new CompletableFuture<>();
                long s = System.nanoTime();
                CompletableFuture<GetResult> g = d.get(key, v -> firstValue.complete(System.nanoTime()));
                GetResult res = g.get(30, TimeUnit.SECONDS);
                if (res.status() == GetResult.Status.FOUND) {
                    found++;
                }
                lat[i] = (firstValue.getNow(System.nanoTime()) - s);
            }
            Arrays.sort(lat);
            System.out.printf("%s lookups (%s): %d/%d found; time to first valid value p50 %.2f ms, p95 %.2f ms,"
                    + " p99 %.2f ms%n", phase, phase.equals("first") ? "sessions opened as needed" : "again",
                    found, lookups, lat[lookups / 2] / 1e6, lat[(int) (lookups * 0.95)] / 1e6,
                    lat[(int) (lookups * 0.99)] / 1e6);
        }
        Map<Counter, Long> total = sum(transports);
        long drops = total.get(Counter.UNKNOWN_SESSION) + total.get(Counter.BAD_MAC)
                + total.get(Counter.INTERNAL_ERRORS);
        System.out.printf("whole run: handshakes completed %d (retransmits %d); unknown-session + bad-MAC + internal"
                + " errors: %d; CPU %.1f s, wall %.1f s since the start%n", total.get(Counter.HANDSHAKES_COMPLETED),
                total.get(Counter.HANDSHAKE_RETRANSMITS), drops, (processCpuNanos() - cpu0) / 1e9,
                (System.nanoTime() - t0) / 1e9);
        total.values().removeIf(v -> v == 0);
        System.out.println("all transport counters, summed over the nodes: " + total);
        for (DhtNode d : nodes) {
            d.stop();
        }
        for (UdpTransport u : sockets) {
            u.close();
        }
        for (EventLoopScheduler l : loops) {
            l.close();
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** {@link DhtNode#isSettled()}, asked on the node's event thread. */
    private static boolean settled(DhtNode d, EventLoopScheduler loop) throws Exception {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(d.isSettled()));
        return f.get(10, TimeUnit.SECONDS);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e9;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Map<Counter, Long> sum(List<SecureTransport> transports) {
        Map<Counter, Long> total = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            total.put(c, 0L);
        }
        for (SecureTransport t : transports) {
            t.stats().snapshot().forEach((c, v) -> total.merge(c, v, Long::sum));
        }
        return total;
    }

    private static Map<DhtStats.Counter, Long> dhtSum(List<DhtNode> nodes) {
        Map<DhtStats.Counter, Long> total = new EnumMap<>(DhtStats.Counter.class);
        for (DhtStats.Counter c : DhtStats.Counter.values()) {
            long s = 0;
            for (DhtNode d : nodes) {
                s += d.stats().get(c);
            }
            total.put(c, s);
        }
        return total;
    }

    /** Handshakes started, by the kind of DHT message whose send started them. */
    private static final class Causes {
        private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

        void count(String cause) {
            counts.computeIfAbsent(cause, c -> new LongAdder()).increment();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> m = new TreeMap<>();
            counts.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }
    }

    /**
     * Passes every message to the secure transport and, when a send started a handshake (on the event thread the
     * send is synchronous), counts it under the message's kind: a FIND_NODE for the sender's own id is the join's
     * self lookup, a FIND_NODE for another id a bucket refresh, a PING a liveness check, a reply an answer to a peer
     * whose session is gone or not usable.
     */
    private static final class CountingTransport implements MessageTransport {
        private final SecureTransport inner;
        private final Causes causes;

        CountingTransport(SecureTransport inner, Causes causes) {
            this.inner = inner;
            this.causes = causes;
        }

        @Override
        public Contact self() {
            return inner.self();
        }

        @Override
        public void send(Contact to, byte[] message) {
            long before = inner.stats().get(Counter.HANDSHAKES_INITIATED);
            inner.send(to, message);
            if (inner.stats().get(Counter.HANDSHAKES_INITIATED) != before) {
                causes.count(kind(message));
            }
        }

        @Override
        public void sendToAddress(InetSocketAddress to, byte[] message) {
            long before = inner.stats().get(Counter.HANDSHAKES_INITIATED);
            inner.sendToAddress(to, message);
            if (inner.stats().get(Counter.HANDSHAKES_INITIATED) != before) {
                causes.count("bootstrap " + kind(message));
            }
        }

        @Override
        public void setHandler(MessageHandler handler) {
            inner.setHandler(handler);
        }

        private String kind(byte[] m) {
            MessageType type = m.length > 1 ? MessageType.fromCode(m[1] & 0xff) : null;
            if (type == MessageType.FIND_NODE && m.length >= 42) {
                byte[] target = Arrays.copyOfRange(m, 10, 42);
                return Arrays.equals(target, inner.self().id().toBytes()) ? "FIND_NODE(self)" : "FIND_NODE(other)";
            }
            return type == null ? "?" : type.isRequest() ? type.name() : "reply " + type.name();
        }
    }
}
