package org.p2pdns.intro;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.nat.IntroClientConfig;
import org.p2pdns.node.nat.NatConfig;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.PeerHints;
import org.p2pdns.node.reach.ReachDirectory;
import org.p2pdns.node.reach.ReachPolicy;
import org.p2pdns.node.reach.ReachPublisher;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.resolve.RecordDht;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;
import org.p2pdns.node.transport.PacketDemux;
import org.p2pdns.node.transport.SecureTransport;
import org.p2pdns.node.transport.TransportConfig;
import org.p2pdns.node.transport.TransportStats;
import org.p2pdns.node.transport.UdpTransport;

/**
 * A node's stack on 127.0.0.1 as P2PNode wires it (UDP socket, NAT traversal with reachability lookups, secure
 * transport, DHT with both value policies, reachability publisher), on the test network (no proof of work), with a
 * switch that cuts the direct path to chosen addresses (what a pair of NATs that cannot be punched does).
 * Without an introduction server it is a plain public DHT node.
 */
public final class ReachStack implements AutoCloseable {

    /** The node's socket with a list of destinations whose datagrams are dropped. */
    public static final class Cuttable implements DatagramTransport {
        final DatagramTransport inner;
        public final Set<InetSocketAddress> cut = ConcurrentHashMap.newKeySet();

        Cuttable(DatagramTransport inner) {
            this.inner = inner;
        }

        @Override
        public InetSocketAddress localAddress() {
            return inner.localAddress();
        }

        @Override
        public void send(InetSocketAddress to, byte[] packet) {
            if (!cut.contains(to)) {
                inner.send(to, packet);
            }
        }

        @Override
        public void setReceiver(DatagramReceiver receiver) {
            inner.setReceiver(receiver);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    static final NetworkParams PARAMS = NetworkParams.TEST;

    public final NodeIdentity identity;
    public final EventLoopScheduler scheduler;
    public final UdpTransport udp;
    public final Cuttable socket;
    public final NatTraversal nat;
    public final SecureTransport secure;
    public final DhtNode dht;
    public final ReachDirectory directory;
    public final ReachPublisher publisher;

    /**
     * On 127.0.0.1, no STUN, with timings for a loaded machine; {@code intro} null: a public node with no NAT layer.
     * Loopback loses nothing, so longer timeouts cost time only where a test cuts a path on purpose, while the
     * defaults fail when answers are merely slow: a request retransmitted after 300 ms is counted twice by the server
     * (tests count rendezvous and rejections), and a punch given 2 s falls through to the relay.
     */
    ReachStack(int seed, InetSocketAddress intro) throws Exception {
        this(seed, new InetSocketAddress("127.0.0.1", 0), intro, List.of(), ReachStack::loadedMachineTimings);
    }

    /** Bound to {@code bind}, classifying its NAT with {@code stun}; {@code intro} null: no NAT layer. */
    public ReachStack(int seed, InetSocketAddress bind, InetSocketAddress intro, List<InetSocketAddress> stun)
            throws Exception {
        this(seed, bind, intro, stun, c -> c);
    }

    static NatConfig loadedMachineTimings(NatConfig c) {
        IntroClientConfig i = c.intro();
        IntroClientConfig intro = new IntroClientConfig(i.servers(), i.refreshInterval(), Duration.ofSeconds(5),
                i.attempts(), i.wantPeers(), i.maxGuests(), i.guestIdle());
        return new NatConfig(intro, c.stunServers(), c.directTimeout(), Duration.ofSeconds(5), c.punchInterval(),
                c.keepalive(), c.upgradeInterval(), Duration.ofSeconds(5), c.upnp(), c.upnpLease());
    }

    private ReachStack(int seed, InetSocketAddress bind, InetSocketAddress intro, List<InetSocketAddress> stun,
                       UnaryOperator<NatConfig> timings) throws Exception {
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        identity = NodeIdentity.fromSeed(s);
        Random random = new Random(seed * 17L);
        scheduler = new EventLoopScheduler("reach-" + seed);
        TransportStats stats = new TransportStats();
        udp = UdpTransport.bind(bind, scheduler, stats);
        socket = new Cuttable(udp);
        ReachDirectory[] dir = new ReachDirectory[1];
        if (intro != null) {
            NatConfig cfg = timings.apply(NatConfig.of(List.of(intro)).withStunServers(stun));
            nat = new NatTraversal(cfg, new Ed25519PrivateKeyParameters(s), scheduler, socket, random,
                    peer -> dir[0].lookup(peer));
            secure = new SecureTransport(identity, nat.transport(), scheduler, random,
                    TransportConfig.forNetwork(PARAMS), stats);
            nat.transport().setReceiver(secure);
        } else {
            nat = null;
            secure = new SecureTransport(identity, socket, scheduler, random, TransportConfig.forNetwork(PARAMS),
                    stats);
            PacketDemux.attach(socket, stats).onSession(secure);
        }
        dht = new DhtNode(DhtConfig.defaults(PARAMS), secure.self(), nat == null ? secure
                : new PeerHints(secure, nat.transport()), scheduler, random,
                ReachPolicy.alongside(new RecordPolicy(PARAMS)), new InMemoryValueStore());
        RecordDht records = RecordDht.of(dht);
        directory = new ReachDirectory(records, scheduler);
        dir[0] = directory;
        publisher = nat == null ? null : new ReachPublisher(s, nat::publishableReachability, records, scheduler,
                ReachPublisher.LIFETIME);
    }

    /** Registers (with a NAT layer), then joins through {@code bootstrap} and starts publishing reachability. */
    public ReachStack start(List<InetSocketAddress> bootstrap) throws Exception {
        if (nat != null) {
            nat.onRegistration(reg -> {
                secure.setPublicAddress(reg.observed());
                publisher.poke();
            });
            nat.start();
            nat.introClient().firstRegistration().get(10, TimeUnit.SECONDS);
        }
        dht.start(bootstrap);
        if (publisher != null) {
            dht.whenReady().thenRun(publisher::start);
        }
        return this;
    }

    public NodeId id() {
        return identity.id();
    }

    public InetSocketAddress address() {
        return udp.localAddress();
    }

    public <T> T onLoop(Supplier<T> s) throws Exception {
        return CompletableFuture.supplyAsync(s, scheduler).get(10, TimeUnit.SECONDS);
    }

    /** Polls {@code condition} on the event thread until it holds or {@code timeout} passes. */
    public boolean await(Supplier<Boolean> condition, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (onLoop(condition)) {
                return true;
            }
            Thread.sleep(20);
        }
        return onLoop(condition);
    }

    @Override
    public void close() {
        dht.stop();
        if (publisher != null) {
            publisher.close();
        }
        if (nat != null) {
            nat.close();
        }
        secure.close();
        udp.close();
        scheduler.close();
    }
}
