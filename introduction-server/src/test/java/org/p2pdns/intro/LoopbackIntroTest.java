package org.p2pdns.intro;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.NettyUdpEndpoint;
import org.p2pdns.node.intro.PeerInfo;
import org.p2pdns.node.nat.ConnectTarget;
import org.p2pdns.node.nat.IntroClient;
import org.p2pdns.node.nat.IntroClientConfig;
import org.p2pdns.node.nat.NatConfig;
import org.p2pdns.node.nat.NatDatagramTransport;
import org.p2pdns.node.nat.NatMapping;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.PathKind;
import org.p2pdns.node.nat.PeerPath;

/** A real introduction server and real node sockets on 127.0.0.1: register, peers, rendezvous, punch, relay. */
class LoopbackIntroTest {

    private record Node(NettyUdpEndpoint socket, NatTraversal nat, NodeId id,
                        LinkedBlockingQueue<Object[]> inbox) implements AutoCloseable {
        @Override
        public void close() {
            nat.close();
            socket.close();
        }

        <T> T onLoop(Supplier<T> s) throws Exception {
            return CompletableFuture.supplyAsync(s, socket.scheduler()).get(10, SECONDS);
        }
    }

    private IntroServer server;
    private Node a;
    private Node b;

    @BeforeEach
    void setUp() throws Exception {
        IntroServerConfig cfg = IntroServerConfig.defaults().withBind(new InetSocketAddress("127.0.0.1", 0), 0)
                .withIdDifficulty(0); // a test network: seeded keys carry no proof of work
        server = IntroServer.start(cfg, Clock.systemUTC(), new Random(11));
        a = node(1);
        b = node(2);
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[]{a, b, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private Node node(int seed) throws Exception {
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(s);
        NettyUdpEndpoint socket = NettyUdpEndpoint.bind(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(),
                1300);
        // Generous timings, as a loaded machine needs them. Nothing is lost on loopback, so they only matter when
        // an answer is slow: a request retransmitted after 300 ms (the default) is counted twice by the server, a
        // direct probe given 300 ms falls through to a punch, and a relay probe sent every 50 ms leaves extra
        // copies in flight that the server counts after the test read its counter.
        IntroClientConfig intro = IntroClientConfig.of(List.of(server.address()));
        NatConfig defaults = NatConfig.of(List.of(server.address())).withStunServers(List.of(server.stunAddress()))
                .withIntro(new IntroClientConfig(intro.servers(), intro.refreshInterval(), Duration.ofSeconds(5),
                        intro.attempts(), intro.wantPeers(), intro.maxGuests(), intro.guestIdle()));
        NatConfig cfg = new NatConfig(defaults.intro(), defaults.stunServers(), Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(2), defaults.keepalive(), Duration.ofSeconds(30),
                Duration.ofSeconds(10), false, defaults.upnpLease());
        NatTraversal nat = new NatTraversal(cfg, key, socket.scheduler(), socket, new Random(seed));
        LinkedBlockingQueue<Object[]> inbox = new LinkedBlockingQueue<>();
        nat.transport().setReceiver((from, p) -> inbox.add(new Object[]{from, p}));
        socket.scheduler().execute(nat::start);
        return new Node(socket, nat, NodeId.ofPublicKey(key.generatePublicKey().getEncoded()), inbox);
    }

    @Test
    void registerPeersRendezvousAndRelay() throws Exception {
        IntroClient.Registration ra = a.nat().introClient().firstRegistration().get(10, SECONDS);
        assertEquals(a.socket().localAddress(), ra.observed());
        b.nat().introClient().firstRegistration().get(10, SECONDS);
        // peers: each sees the other
        List<PeerInfo> peers = a.onLoop(() -> a.nat().introClient().peers(8)).get(10, SECONDS);
        assertEquals(1, peers.size());
        assertEquals(b.id(), peers.get(0).id());
        assertEquals(b.socket().localAddress(), peers.get(0).reflexive());
        assertEquals(b.id(), peers.get(0).toContact().id());
        assertTrue(server.describe().contains(":" + server.address().getPort()), server.describe());

        // STUN from the node socket agrees with the intro port: no NAT on loopback
        assertEquals(NatMapping.NO_NAT, a.nat().classified().get(10, SECONDS));
        assertEquals(NatMapping.NO_NAT, a.nat().mapping());

        // the chain: no direct candidates given, so it takes the rendezvous and punches
        long before = System.nanoTime();
        PeerPath p = a.nat().connect(new ConnectTarget(b.id(), List.of())).get(30, SECONDS);
        long waited = System.nanoTime() - before;
        assertEquals(PathKind.PUNCHED, p.kind());
        assertEquals(b.socket().localAddress(), p.address());
        // the setup time is measured, and within what the test waited (a bound in ms would fail a loaded machine);
        // it is read off a millisecond clock, so two readings can be 1 ms further apart than the time between them
        assertTrue(!p.setupTime().isNegative() && p.setupTime().toMillis() <= waited / 1_000_000 + 1,
                "setup " + p.setupTime() + ", waited " + waited / 1_000_000 + " ms");
        assertEquals(1, server.counters().get(ServerCounter.RENDEZVOUS));

        // relay: the last strategy, on its own
        PeerPath relayed = a.onLoop(() -> a.nat().chain().strategies().get(3)
                .attempt(new ConnectTarget(b.id(), List.of()))).get(30, SECONDS);
        assertEquals(PathKind.RELAYED, relayed.kind());
        assertTrue(NatDatagramTransport.isAlias(relayed.address()));
        byte[] hello = {0x53, 'h', 'i'};
        a.socket().scheduler().execute(() -> a.nat().transport().send(relayed.address(), hello));
        Object[] got = b.inbox().poll(10, SECONDS);
        assertArrayEquals(hello, (byte[]) got[1]);
        // b learned a's public address from the PUNCH_NOW: relayed datagrams appear to come from it
        assertEquals(a.socket().localAddress(), got[0], "relayed from a");
        long relayedBefore = server.counters().get(ServerCounter.RELAYED_PACKETS);
        assertTrue(relayedBefore >= 2, server.counters().toString());
        // b knows a direct path from the earlier punch: its answer goes straight to a
        b.socket().scheduler().execute(() -> b.nat().transport().send((InetSocketAddress) got[0], new byte[]{0x53}));
        assertEquals(b.socket().localAddress(), a.inbox().poll(10, SECONDS)[0]);
        assertEquals(relayedBefore, server.counters().get(ServerCounter.RELAYED_PACKETS));
        // routed through the relay instead, the answer still appears to come from b's public address
        CompletableFuture<Void> sent = new CompletableFuture<>();
        b.socket().scheduler().execute(() -> {
            b.nat().transport().routeRelay(a.id());
            b.nat().transport().send((InetSocketAddress) got[0], new byte[]{0x53});
            sent.complete(null);
        });
        sent.get(10, SECONDS);
        assertEquals(b.socket().localAddress(), a.inbox().poll(10, SECONDS)[0]);
        assertEquals(relayedBefore + 1, server.counters().get(ServerCounter.RELAYED_PACKETS));
    }

    @Test
    void directStrategyWinsWhenTheAddressAnswers() throws Exception {
        a.nat().introClient().firstRegistration().get(10, SECONDS);
        b.nat().introClient().firstRegistration().get(10, SECONDS);
        PeerPath p = a.nat().connect(new ConnectTarget(b.id(), List.of(b.socket().localAddress()))).get(30, SECONDS);
        assertEquals(PathKind.DIRECT, p.kind());
        assertEquals(0, server.counters().get(ServerCounter.RENDEZVOUS));
    }
}
