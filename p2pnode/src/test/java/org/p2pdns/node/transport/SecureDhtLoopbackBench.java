package org.p2pdns.node.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.sim.SimValuePolicy;
import org.p2pdns.node.time.EventLoopScheduler;

/**
 * Real-UDP loopback benchmark of the DHT over the secure transport (run by scripts/bench-transport.sh dht; not a unit
 * test): N nodes in one JVM, each with its own UDP socket and Noise sessions, a few event threads shared by the nodes
 * (each node's state stays on one thread); prints join time and get latency percentiles, first contact (handshakes
 * included) and warm (sessions established). Proof of work off (difficulty 0). Bounded in count and time.
 */
public final class SecureDhtLoopbackBench {

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
        Random seeds = new Random(7);
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        long t0 = System.nanoTime();
        InetSocketAddress first = null;
        for (int i = 0; i < n; i++) {
            EventLoopScheduler loop = loops.get(i % threads);
            TransportStats stats = new TransportStats();
            UdpTransport udp = UdpTransport.bind(loopback, loop, stats, io);
            SecureTransport t = new SecureTransport(NodeIdentity.generate(new SecureRandom()), udp, loop,
                    new Random(seeds.nextLong()), tc, stats);
            udp.setReceiver(t);
            DhtNode d = new DhtNode(dhtConfig, t.self(), t, loop, new Random(seeds.nextLong()),
                    SimValuePolicy.INSTANCE, new InMemoryValueStore());
            d.start(first == null ? List.of() : List.of(first));
            if (first == null) {
                first = udp.localAddress();
            }
            nodes.add(d);
            transports.add(t);
            sockets.add(udp);
        }
        // wait (bounded) until every node holds at least 20 contacts
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int ready = 0;
        while (System.nanoTime() < deadline) {
            ready = (int) nodes.stream().filter(d -> d.routingTable().size() >= 20).count();
            if (ready == n) {
                break;
            }
            Thread.sleep(100); // a benchmark polling a wall-clock condition, not a test
        }
        System.out.printf("%d nodes started; %d hold >= 20 contacts after %.1f s%n", n, ready,
                (System.nanoTime() - t0) / 1e9);

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
        long hs = transports.stream().mapToLong(t -> t.stats().get(TransportStats.Counter.HANDSHAKES_COMPLETED)).sum();
        long drops = transports.stream().mapToLong(t -> t.stats().get(TransportStats.Counter.UNKNOWN_SESSION)
                + t.stats().get(TransportStats.Counter.BAD_MAC) + t.stats().get(TransportStats.Counter.INTERNAL_ERRORS))
                .sum();
        System.out.printf("handshakes completed: %d; unknown-session + bad-MAC + internal errors: %d%n", hs, drops);
        java.util.EnumMap<TransportStats.Counter, Long> total = new java.util.EnumMap<>(TransportStats.Counter.class);
        for (SecureTransport t : transports) {
            t.stats().snapshot().forEach((c, v) -> total.merge(c, v, Long::sum));
        }
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
}
