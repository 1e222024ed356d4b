package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.nat.ConnectTarget;
import org.p2pdns.node.nat.NatConfig;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.PathKind;
import org.p2pdns.node.nat.PeerPath;
import org.p2pdns.node.nat.ReachabilityInfo;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;
import org.p2pdns.node.transport.PacketType;

/**
 * Two introduction servers in virtual time: node A registered only at S1, node B only at S2. B finds A's server in A's
 * published reachability (a map standing in for the DHT here) and reaches A through a guest registration at S1:
 * punched when the path between the nodes works, relayed through S1 when it is cut; a DHT contact whose handshake
 * goes unanswered gets the same treatment by itself. Deterministic (seeded, no real time).
 */
class CrossServerChainTest {

    private final VirtualScheduler clock = new VirtualScheduler();
    private final Map<InetSocketAddress, DatagramReceiver> hosts = new HashMap<>();
    private final List<Object[]> wire = new ArrayList<>();
    private final Map<NodeId, ReachabilityInfo> published = new HashMap<>();
    private boolean cut;
    private final InetSocketAddress s1Addr = new InetSocketAddress("198.51.100.20", 7460);
    private final InetSocketAddress s2Addr = new InetSocketAddress("198.51.100.21", 7460);
    private final InetSocketAddress aAddr = new InetSocketAddress("203.0.113.1", 40000);
    private final InetSocketAddress bAddr = new InetSocketAddress("203.0.113.2", 50000);
    private IntroServerCore s1;
    private IntroServerCore s2;
    private final Map<IntroServerCore, Counters> counters = new HashMap<>();

    private final class Host implements DatagramTransport {
        final InetSocketAddress address;

        Host(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }

        @Override
        public void send(InetSocketAddress to, byte[] packet) {
            wire.add(new Object[]{address, to, packet});
            boolean server = address.equals(s1Addr) || address.equals(s2Addr) || to.equals(s1Addr)
                    || to.equals(s2Addr);
            if (cut && !server) {
                return;
            }
            clock.schedule(Duration.ofMillis(20), () -> {
                DatagramReceiver r = hosts.get(to);
                if (r != null) {
                    r.onDatagram(address, packet.clone());
                }
            });
        }

        @Override
        public void setReceiver(DatagramReceiver receiver) {
            hosts.put(address, receiver);
        }

        @Override
        public void close() {
        }
    }

    private IntroServerCore server(InetSocketAddress addr, int seed) {
        Host h = new Host(addr);
        Counters c = new Counters();
        IntroServerCore core = new IntroServerCore(IntroServerConfig.defaults().withBind(addr, -1)
                .withIdDifficulty(0), clock, h, new Random(seed), c);
        counters.put(core, c);
        h.setReceiver(core);
        core.start();
        return core;
    }

    private NatTraversal node(InetSocketAddress addr, InetSocketAddress server, int seed, List<Object[]> inbox,
                              NatTraversal.ReachLookup reach) {
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        NatConfig cfg = NatConfig.of(List.of(server)).withStunServers(List.of());
        NatTraversal nat = new NatTraversal(cfg, new Ed25519PrivateKeyParameters(s), clock, new Host(addr),
                new Random(seed), reach);
        nat.transport().setReceiver((from, p) -> inbox.add(new Object[]{from, p}));
        nat.start();
        return nat;
    }

    private NatTraversal.ReachLookup fromMap() {
        return peer -> CompletableFuture.completedFuture(published.get(peer));
    }

    private long counter(IntroServerCore core, ServerCounter c) {
        return counters.get(core).get(c);
    }

    private void servers() {
        s1 = server(s1Addr, 9);
        s2 = server(s2Addr, 10);
    }

    @Test
    void reachesAPeerRegisteredAtAnotherServerByIdAlone() throws Exception {
        servers();
        List<Object[]> inboxA = new ArrayList<>();
        List<Object[]> inboxB = new ArrayList<>();
        NatTraversal a = node(aAddr, s1Addr, 1, inboxA, fromMap());
        NatTraversal b = node(bAddr, s2Addr, 2, inboxB, fromMap());
        clock.runFor(Duration.ofSeconds(1));
        NodeId idA = a.introClient().nodeId();
        published.put(idA, a.publishableReachability());
        assertEquals(List.of(s1Addr), published.get(idA).introServers());

        CompletableFuture<PeerPath> f = b.connect(new ConnectTarget(idA, List.of()));
        clock.runFor(Duration.ofSeconds(5));
        PeerPath p = f.get();
        assertEquals(PathKind.PUNCHED, p.kind());
        assertEquals(aAddr, p.address());
        assertEquals(1, counter(s2, ServerCounter.REJECT_UNKNOWN_TARGET), "A is not at B's own server");
        assertEquals(1, counter(s1, ServerCounter.RENDEZVOUS), "introduced at A's server");
        assertEquals(List.of(s1Addr), b.introClient().guestServers());
        assertEquals(1, b.reachLookups());
        assertEquals(s1Addr, b.serverOf(idA));
        assertEquals(s1Addr, a.serverOf(b.introClient().nodeId()), "A learned where B can be introduced");

        // the punched path needs no server: the guest registration is dropped once idle (2 min)
        clock.runFor(Duration.ofMinutes(3));
        assertEquals(0, b.introClient().guests());
        assertEquals(1, b.introClient().guestsDropped());
        a.close();
        b.close();
    }

    @Test
    void relaysThroughThePeersServerWhenPunchingFails() throws Exception {
        servers();
        List<Object[]> inboxA = new ArrayList<>();
        List<Object[]> inboxB = new ArrayList<>();
        NatTraversal a = node(aAddr, s1Addr, 1, inboxA, fromMap());
        NatTraversal b = node(bAddr, s2Addr, 2, inboxB, fromMap());
        clock.runFor(Duration.ofSeconds(1));
        NodeId idA = a.introClient().nodeId();
        published.put(idA, a.publishableReachability());

        cut = true;
        CompletableFuture<PeerPath> f = b.connect(new ConnectTarget(idA, List.of(aAddr)));
        clock.runFor(Duration.ofSeconds(10));
        PeerPath p = f.get();
        assertEquals(PathKind.RELAYED, p.kind());
        assertEquals(s1Addr, p.via(), "relayed by A's server, where B is a guest");
        assertEquals(1, b.reachLookups(), "the relay goes where the rendezvous found A");
        b.transport().send(p.address(), new byte[]{0x53, 1});
        clock.runFor(Duration.ofMillis(100));
        Object[] got = inboxA.get(inboxA.size() - 1);
        assertEquals(1, ((byte[]) got[1])[1]);
        // A answers to the address B came from; it goes back through S1 (B is registered there as a guest)
        a.transport().send((InetSocketAddress) got[0], new byte[]{0x53, 2});
        clock.runFor(Duration.ofMillis(100));
        assertEquals(2, ((byte[]) inboxB.get(inboxB.size() - 1)[1])[1]);
        assertEquals(0, counter(s2, ServerCounter.RELAYED_PACKETS));
        assertTrue(counter(s1, ServerCounter.RELAYED_PACKETS) >= 4, counters.get(s1).toString());
        // while the relayed path is in use (data, upgrade rounds) the guest registration stays
        for (int i = 0; i < 30; i++) {
            b.transport().send(p.address(), new byte[]{0x53, 3});
            clock.runFor(Duration.ofSeconds(10));
        }
        assertEquals(List.of(s1Addr), b.introClient().guestServers());

        cut = false; // the next upgrade round punches through S1
        clock.runFor(Duration.ofSeconds(31));
        assertEquals(PathKind.PUNCHED, b.path(idA).kind());
        assertEquals(1, b.upgrades());
        a.close();
        b.close();
    }

    @Test
    void withoutPublishedReachabilityTheOtherServersPeerIsOutOfReach() throws Exception {
        servers();
        NatTraversal a = node(aAddr, s1Addr, 1, new ArrayList<>(), NatTraversal.ReachLookup.NONE);
        NatTraversal b = node(bAddr, s2Addr, 2, new ArrayList<>(), NatTraversal.ReachLookup.NONE);
        clock.runFor(Duration.ofSeconds(1));
        cut = true;
        CompletableFuture<PeerPath> f = b.connect(new ConnectTarget(a.introClient().nodeId(), List.of(aAddr)));
        clock.runFor(Duration.ofSeconds(10));
        assertTrue(f.isCompletedExceptionally(), "the limit this change removes");
        assertEquals(1, counter(s1, ServerCounter.REGISTERED_NEW), "B never went to S1");
        a.close();
        b.close();
    }

    /**
     * The DHT knows A only as a contact (id and address) learned from another node: B's handshakes there go
     * unanswered (the path is cut), so the NAT layer finds A's server in its reachability and routes the address
     * through the relay at S1; the next handshake retransmission gets through.
     */
    @Test
    void anUnansweredDhtContactIsReachedThroughItsServer() throws Exception {
        servers();
        List<Object[]> inboxA = new ArrayList<>();
        List<Object[]> inboxB = new ArrayList<>();
        NatTraversal a = node(aAddr, s1Addr, 1, inboxA, fromMap());
        NatTraversal b = node(bAddr, s2Addr, 2, inboxB, fromMap());
        clock.runFor(Duration.ofSeconds(1));
        NodeId idA = a.introClient().nodeId();
        published.put(idA, a.publishableReachability());
        cut = true;
        byte[] init = {(byte) PacketType.HANDSHAKE_INIT, 1, 2};
        b.transport().expect(idA, aAddr); // the DHT is about to send to contact (A, aAddr)
        b.transport().send(aAddr, init);
        clock.runFor(Duration.ofSeconds(1));
        assertEquals(0, b.unansweredHandshakes());
        b.transport().send(aAddr, init); // the retransmission: nothing came back in between
        clock.runFor(Duration.ofSeconds(6));
        assertEquals(1, b.unansweredHandshakes());
        assertEquals(1, b.reachLookups());
        assertNotNull(b.path(idA));
        assertEquals(PathKind.RELAYED, b.path(idA).kind());
        b.transport().send(aAddr, init); // the next retransmission: through S1
        clock.runFor(Duration.ofMillis(100));
        Object[] got = inboxA.get(inboxA.size() - 1);
        assertEquals(PacketType.HANDSHAKE_INIT, ((byte[]) got[1])[0] & 0xff);
        a.transport().send((InetSocketAddress) got[0], new byte[]{(byte) PacketType.HANDSHAKE_RESPONSE});
        clock.runFor(Duration.ofMillis(100));
        Object[] back = inboxB.get(inboxB.size() - 1);
        assertEquals(aAddr, back[0], "the answer shows as coming from the address the DHT knows");
        a.close();
        b.close();
    }

    /**
     * A dead DHT contact (registered nowhere, no reachability record) costs one rendezvous and a record lookup, and no
     * relay probes: the server said it does not know the peer.
     */
    @Test
    void aDeadDhtContactCostsNoRelayProbes() throws Exception {
        servers();
        NatTraversal b = node(bAddr, s2Addr, 2, new ArrayList<>(), fromMap());
        clock.runFor(Duration.ofSeconds(1));
        NodeId ghost = NodeId.random(new Random(77));
        InetSocketAddress ghostAddr = new InetSocketAddress("203.0.113.77", 4000);
        byte[] init = {(byte) PacketType.HANDSHAKE_INIT, 1};
        b.transport().expect(ghost, ghostAddr);
        b.transport().send(ghostAddr, init);
        b.transport().send(ghostAddr, init);
        long packetsBefore = counter(s2, ServerCounter.PACKETS_IN);
        clock.runFor(Duration.ofSeconds(10));
        assertEquals(1, b.unansweredHandshakes());
        assertEquals(null, b.path(ghost));
        assertEquals(1, counter(s2, ServerCounter.REJECT_UNKNOWN_TARGET), "one rendezvous");
        assertEquals(2, b.reachLookups(), "asked by the rendezvous and the relay (ReachDirectory asks the DHT once)");
        assertTrue(counter(s2, ServerCounter.PACKETS_IN) - packetsBefore <= 2, "no relay probes: "
                + counters.get(s2));
        b.close();
    }

    @Test
    void sameSeedSameTrace() throws Exception {
        int first = runOnce();
        assertEquals(first, new CrossServerChainTest().runOnce());
    }

    private int runOnce() throws Exception {
        servers();
        NatTraversal a = node(aAddr, s1Addr, 1, new ArrayList<>(), fromMap());
        NatTraversal b = node(bAddr, s2Addr, 2, new ArrayList<>(), fromMap());
        clock.runFor(Duration.ofSeconds(1));
        published.put(a.introClient().nodeId(), a.publishableReachability());
        cut = true;
        b.connect(new ConnectTarget(a.introClient().nodeId(), List.of()));
        clock.runFor(Duration.ofSeconds(10));
        return wire.size() * 31 + (int) clock.executedTasks();
    }
}
