package org.p2pdns.cli.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.p2pdns.node.config.IpLiterals;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordFormatException;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.resolve.RecordDht;
import org.p2pdns.node.resolve.RecordPublisher;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.PacketDemux;
import org.p2pdns.node.transport.SecureTransport;
import org.p2pdns.node.transport.TransportConfig;
import org.p2pdns.node.transport.TransportStats;
import org.p2pdns.node.transport.UdpTransport;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * Real nodes for the bench agent: each its own UDP socket on 127.0.0.1, secure transport, DHT and record publisher,
 * with an in-memory store. Nodes share a few event threads (a node's state is still owned by exactly one) and one
 * Netty I/O group, so thousands fit in one JVM. A bench network has no proof of work ({@link NetworkParams#TEST}),
 * which the hello reply's {@code impl} says.
 */
public final class UdpBenchNodes implements BenchNodes {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UdpBenchNodes.class);
    static final NetworkParams PARAMS = NetworkParams.TEST;
    static final Duration TTL = Duration.ofSeconds(300);

    private final String version;
    private final EventLoopScheduler[] schedulers;
    private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ExecutorService pow = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bench-pow");
        t.setDaemon(true);
        return t;
    });
    private final Random random = new SecureRandom();
    private final Map<Integer, Node> nodes = new ConcurrentHashMap<>();

    /** One hosted node. */
    private record Node(int idx, EventLoopScheduler scheduler, UdpTransport udp, SecureTransport secure, DhtNode dht,
                        NodeStore store, RecordPublisher publisher, CompletableFuture<Void> joined) {
        void close() {
            joined.cancel(false);
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            scheduler.execute(() -> {
                dht.stop();
                stopped.complete(null);
            });
            try {
                stopped.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("node {} did not stop its DHT in time", idx);
            }
            publisher.close();
            secure.close();
            udp.close();
            store.close();
        }
    }

    public UdpBenchNodes(String version, int eventThreads) {
        this.version = version;
        this.schedulers = new EventLoopScheduler[Math.max(1, eventThreads)];
        for (int i = 0; i < schedulers.length; i++) {
            schedulers[i] = new EventLoopScheduler("bench-node-" + i);
        }
    }

    @Override
    public String impl() {
        return "p2pdns " + version + " (bench network: no proof of work, k " + PARAMS.k() + ")";
    }

    @Override
    public int start(int idx, int port, List<InetSocketAddress> bootstrap) throws IOException {
        if (nodes.containsKey(idx)) {
            throw new IllegalArgumentException("node " + idx + " is already running");
        }
        EventLoopScheduler scheduler = schedulers[idx % schedulers.length];
        NodeIdentity id = NodeIdentity.generate(random);
        TransportStats stats = new TransportStats();
        UdpTransport udp = UdpTransport.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), scheduler,
                stats, io);
        SecureTransport secure = new SecureTransport(id, udp, scheduler, random, TransportConfig.forNetwork(PARAMS),
                stats);
        PacketDemux.attach(udp, stats).onSession(secure);
        NodeStore store = NodeStore.inMemory();
        DhtNode dht = new DhtNode(DhtConfig.defaults(PARAMS), secure.self(), secure, scheduler, random,
                new RecordPolicy(PARAMS), store.values());
        RecordPublisher publisher = new RecordPublisher(RecordDht.of(dht), store, PARAMS, scheduler, pow);
        Node n = new Node(idx, scheduler, udp, secure, dht, store, publisher, new CompletableFuture<>());
        nodes.put(idx, n);
        dht.start(bootstrap);
        // the DHT has no readiness callback: look on the node's event thread until it reports ready
        org.p2pdns.node.time.Cancellable[] watch = new org.p2pdns.node.time.Cancellable[1];
        watch[0] = scheduler.scheduleAtFixedRate(Duration.ofMillis(5), Duration.ofMillis(20), () -> {
            if (dht.isReady()) {
                n.joined().complete(null);
            }
            if (n.joined().isDone() && watch[0] != null) {
                watch[0].cancel();
            }
        });
        return udp.localAddress().getPort();
    }

    @Override
    public List<Integer> awaitJoined(List<Integer> idx, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Integer> joining = new ArrayList<>();
        for (int i : idx) {
            Node n = nodes.get(i);
            if (n == null) {
                continue;
            }
            try {
                n.joined().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                joining.add(i);
            }
        }
        return joining;
    }

    private Node node(int idx) {
        Node n = nodes.get(idx);
        if (n == null) {
            throw new IllegalArgumentException("no live node " + idx);
        }
        return n;
    }

    /** The overlay name for a bench name: itself under the TLD when it is a valid label, else a hash label. */
    static String overlayName(String name) {
        String label = name.toLowerCase(java.util.Locale.ROOT);
        if (!label.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") || label.length() == 52) {
            // 52 characters would read as a self-certifying label
            label = "h" + HexFormat.of().formatHex(org.p2pdns.node.identity.NodeId.hashOf(name).toBytes())
                    .substring(0, 40);
        }
        return label + "." + PARAMS.tld();
    }

    static List<org.xbill.DNS.Record> recordSet(String registered, String value) throws TextParseException {
        Name owner = Name.fromString(registered + ".");
        InetAddress ip = IpLiterals.parse(value);
        if (ip instanceof java.net.Inet4Address) {
            return List.of(new ARecord(owner, DClass.IN, TTL.toSeconds(), ip));
        }
        // not an IPv4 address: carried as TXT (strings of at most 255 bytes)
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < value.length(); i += 255) {
            parts.add(value.substring(i, Math.min(value.length(), i + 255)));
        }
        return List.of(new TXTRecord(owner, DClass.IN, TTL.toSeconds(), parts));
    }

    @Override
    public CompletableFuture<PutOutcome> put(int idx, String name, String value) {
        Node n;
        List<org.xbill.DNS.Record> rrs;
        String registered = overlayName(name);
        try {
            n = node(idx);
            rrs = recordSet(registered, value);
        } catch (IllegalArgumentException | TextParseException e) {
            return CompletableFuture.failedFuture(e);
        }
        OwnerKey key = OwnerKey.generate(new SecureRandom());
        long start = System.nanoTime();
        return n.publisher().publish(registered, rrs, TTL, key).thenApply(r -> new PutOutcome(
                (System.nanoTime() - start) / 1_000_000, HexFormat.of().formatHex(key.publicKey()), r.acks()));
    }

    @Override
    public CompletableFuture<GetOutcome> get(int idx, String name, String ref) {
        Node n;
        try {
            n = node(idx);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String registered = overlayName(name);
        long start = System.nanoTime();
        return n.dht().get(OverlayName.dhtKey(registered), v -> { }).thenApply(r -> {
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (r.status() != GetResult.Status.FOUND || r.value() == null) {
                return new GetOutcome(false, null, ms, -1, -1);
            }
            try {
                SignedRecord rec = RecordCodec.decode(r.value());
                if (ref != null && !ref.isEmpty() && !HexFormat.of().formatHex(rec.ownerKey()).equals(ref)) {
                    return new GetOutcome(false, null, ms, r.firstValueMillis(), rec.sequence());
                }
                return new GetOutcome(true, valueOf(rec), ms, r.firstValueMillis(), rec.sequence());
            } catch (RecordFormatException | java.io.IOException e) {
                return new GetOutcome(false, null, ms, -1, -1);
            }
        });
    }

    private static String valueOf(SignedRecord rec) throws java.io.IOException {
        for (org.xbill.DNS.Record r : rec.records()) {
            if (r instanceof ARecord a) {
                return a.getAddress().getHostAddress();
            }
            if (r instanceof TXTRecord t) {
                return String.join("", t.getStrings());
            }
        }
        return "";
    }

    @Override
    public void kill(int idx) {
        Node n = nodes.remove(idx);
        if (n == null) {
            throw new IllegalArgumentException("no live node " + idx);
        }
        n.close();
    }

    @Override
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            CompletableFuture<Integer> size = new CompletableFuture<>();
            n.scheduler().execute(() -> size.complete(n.dht().routingTable().size()));
            int table;
            try {
                table = size.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                table = -1;
            }
            out.add(new NodeInfo(n.idx(), n.dht().isReady(), table));
        }
        out.sort((a, b) -> Integer.compare(a.idx(), b.idx()));
        return out;
    }

    @Override
    public void close() {
        for (Integer idx : List.copyOf(nodes.keySet())) {
            Node n = nodes.remove(idx);
            if (n != null) {
                n.close();
            }
        }
        for (EventLoopScheduler s : schedulers) {
            s.close();
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        pow.shutdownNow();
        LOG.debug("bench nodes closed");
    }
}
