package org.p2pdns.intro;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.nat.ConnectTarget;
import org.p2pdns.node.nat.NatMapping;
import org.p2pdns.node.nat.PathKind;
import org.p2pdns.node.nat.PeerPath;
import org.p2pdns.node.reach.ReachRecord;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.SignedRecord;

/**
 * Real sockets on 127.0.0.1: two introduction servers, node A registered only at S1, node B only at S2, and a plain
 * DHT node P both join through. A publishes its reachability record; B reaches A by id alone (rendezvous at S1 through
 * a guest registration), through S1's relay when the direct path is cut, and by itself when its DHT learns A from P
 * and A does not answer the handshake directly.
 */
@Timeout(90)
class ReachLoopbackTest {

    private IntroServer s1;
    private IntroServer s2;
    private final List<AutoCloseable> open = new ArrayList<>();
    private ReachStack p;
    private ReachStack a;
    private ReachStack b;

    @BeforeEach
    void setUp() throws Exception {
        IntroServerConfig cfg = IntroServerConfig.defaults().withBind(new InetSocketAddress("127.0.0.1", 0), -1)
                .withIdDifficulty(0);
        s1 = IntroServer.start(cfg, Clock.systemUTC(), new Random(11));
        s2 = IntroServer.start(cfg, Clock.systemUTC(), new Random(12));
        p = node(new ReachStack(3, null)).start(List.of());
        a = node(new ReachStack(1, s1.address())).start(List.of(p.address()));
        b = node(new ReachStack(2, s2.address()));
        assertTrue(a.await(() -> a.publisher.published() != null, Duration.ofSeconds(20)), "A published");
    }

    /** Starts B (after the test cut what it wanted cut: B then never talked to A directly). */
    private void startB() throws Exception {
        b.start(List.of(p.address()));
        assertTrue(b.await(() -> b.dht.isReady(), Duration.ofSeconds(20)), "B joined");
    }

    private void cut() {
        a.socket.cut.add(b.address());
        b.socket.cut.add(a.address());
    }

    private ReachStack node(ReachStack s) {
        open.add(s);
        return s;
    }

    @AfterEach
    void tearDown() {
        open.add(s1);
        open.add(s2);
        for (AutoCloseable c : open) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    void publishedRecordNamesTheServerItIsRegisteredAt() throws Exception {
        startB();
        ReachRecord r = a.onLoop(a.publisher::published);
        assertEquals(a.id(), r.nodeId());
        assertEquals(List.of(s1.address()), r.info().introServers());
        assertEquals(a.address(), r.info().reflexive());
        assertEquals(NatMapping.NO_NAT, r.info().mapping()); // loopback: the server saw our own address
        // P holds it, validated by the reachability policy
        assertTrue(p.await(() -> p.dht.routingTable().size() > 0, Duration.ofSeconds(5)));
        GetResult g = b.dht.get(r.dhtKey(), v -> { }).get(10, SECONDS);
        assertEquals(GetResult.Status.FOUND, g.status());
        assertEquals(r, ReachRecord.decode(g.value()));
    }

    @Test
    void reachesAByIdAloneThroughAGuestRegistrationAtItsServer() throws Exception {
        startB();
        PeerPath path = b.nat.connect(new ConnectTarget(a.id(), List.of())).get(30, SECONDS);
        assertEquals(PathKind.PUNCHED, path.kind());
        assertEquals(a.address(), path.address());
        assertEquals(List.of(s1.address()), b.onLoop(() -> b.nat.introClient().guestServers()));
        assertEquals(1, s2.counters().get(ServerCounter.REJECT_UNKNOWN_TARGET), "A is not at B's server");
        assertEquals(1, s1.counters().get(ServerCounter.RENDEZVOUS), "B was introduced at A's server");
        assertEquals(1, b.onLoop(b.nat::reachLookups));
    }

    @Test
    void relaysThroughAsServerWhenTheDirectPathIsCut() throws Exception {
        cut();
        startB();
        PeerPath path = b.nat.connect(new ConnectTarget(a.id(), List.of(a.address()))).get(30, SECONDS);
        assertEquals(PathKind.RELAYED, path.kind());
        assertEquals(s1.address(), path.via());
        exchangeDhtMessagesAndResolve("relayed-ab.p2p");
        assertTrue(s1.counters().get(ServerCounter.RELAYED_PACKETS) > 0, s1.counters().toString());
        assertEquals(0, s2.counters().get(ServerCounter.RELAYED_PACKETS));
    }

    /**
     * B's DHT learns A (id and address) from P's NODES reply; with the direct path cut, B's handshake to A goes
     * unanswered, and the NAT layer finds A's server in A's reachability record and routes A's address through it.
     */
    @Test
    void aDhtContactBehindAnotherServerBecomesReachableByItself() throws Exception {
        cut();
        startB();
        long t0 = System.nanoTime();
        // lookups of A's id: P answers with A's contact, and B then asks A itself
        assertTrue(lookUpUntilKnown(b, a, Duration.ofSeconds(40)), "A entered B's routing table");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        PeerPath path = b.onLoop(() -> b.nat.path(a.id()));
        assertNotNull(path);
        assertEquals(PathKind.RELAYED, path.kind());
        assertTrue(b.onLoop(b.nat::unansweredHandshakes) >= 1);
        assertTrue(ms < 30_000, "took " + ms + " ms");
        exchangeDhtMessagesAndResolve("contact-ab.p2p");
    }

    /**
     * Runs lookups of {@code target}'s id at {@code from}, every 300 ms (all test nodes share one IP, and the
     * introduction servers rate-limit per IP), until {@code target} is in {@code from}'s routing table (it was heard
     * from directly) or {@code timeout} passes.
     */
    private static boolean lookUpUntilKnown(ReachStack from, ReachStack target, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (from.onLoop(() -> from.dht.routingTable().contains(target.id()))) {
                return true;
            }
            from.dht.findClosest(target.id());
            Thread.sleep(300);
        }
        return false;
    }

    /** A and B know each other; a name A publishes is stored at B (a STORE over the path found) and resolves there. */
    private void exchangeDhtMessagesAndResolve(String name) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        byte[] seed = new byte[32];
        new Random(77).nextBytes(seed);
        SignedRecord rec = SignedRecord.sign(name, OwnerKey.fromSeed(seed), 1, now, now + 3600, 300, 0,
                List.of(new org.xbill.DNS.ARecord(org.xbill.DNS.Name.fromString(name + "."), org.xbill.DNS.DClass.IN,
                        300, InetAddress.getByName("192.0.2.10"))));
        // A must know B too (it heard B's requests through the path)
        assertTrue(lookUpUntilKnown(a, b, Duration.ofSeconds(20)), "B entered A's routing table");
        PutResult put = a.dht.put(rec.dhtKey(), rec.encoded()).get(20, SECONDS);
        assertTrue(put.storedAt().stream().anyMatch(c -> c.id().equals(b.id())), "B stored A's record: " + put + ", S1 " + s1.counters());
        GetResult g = b.dht.get(OverlayName.dhtKey(name), v -> { }).get(20, SECONDS);
        assertEquals(GetResult.Status.FOUND, g.status());
        assertEquals(name, RecordCodec.decode(g.value()).name());
    }
}
