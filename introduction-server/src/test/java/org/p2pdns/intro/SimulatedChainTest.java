package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.p2pdns.node.nat.NatDatagramTransport;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.PathKind;
import org.p2pdns.node.nat.PeerPath;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;

/**
 * The whole chain in virtual time: server core and two nodes on an in-memory network where the path between the
 * nodes can be cut. Cut: the chain falls through direct and punch to the relay; restored: the relayed path upgrades
 * itself to direct at the next upgrade round. Deterministic (seeded, no real time).
 */
class SimulatedChainTest {

    private final VirtualScheduler clock = new VirtualScheduler();
    private final Map<InetSocketAddress, DatagramReceiver> hosts = new HashMap<>();
    private final List<Object[]> wire = new ArrayList<>();
    private boolean cut;
    private final InetSocketAddress serverAddr = new InetSocketAddress("198.51.100.20", 7460);
    private final InetSocketAddress aAddr = new InetSocketAddress("203.0.113.1", 40000);
    private final InetSocketAddress bAddr = new InetSocketAddress("203.0.113.2", 50000);

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
            wire.add(new Object[]{address, to, packet.length});
            boolean betweenNodes = !address.equals(serverAddr) && !to.equals(serverAddr);
            if (cut && betweenNodes) {
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

    private NatTraversal node(InetSocketAddress addr, int seed, List<Object[]> inbox) {
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        NatConfig cfg = NatConfig.of(List.of(serverAddr)).withStunServers(List.of());
        NatTraversal nat = new NatTraversal(cfg, new Ed25519PrivateKeyParameters(s), clock, new Host(addr),
                new Random(seed));
        nat.transport().setReceiver((from, p) -> inbox.add(new Object[]{from, p}));
        nat.start();
        return nat;
    }

    @Test
    void fallsBackToRelayThenUpgradesToDirect() throws Exception {
        Host server = new Host(serverAddr);
        IntroServerConfig cfg = IntroServerConfig.defaults().withBind(serverAddr, -1).withIdDifficulty(0);
        IntroServerCore core = new IntroServerCore(cfg, clock,
                server, new Random(9), new Counters());
        server.setReceiver(core);
        core.start();
        List<Object[]> inboxA = new ArrayList<>();
        List<Object[]> inboxB = new ArrayList<>();
        NatTraversal a = node(aAddr, 1, inboxA);
        NatTraversal b = node(bAddr, 2, inboxB);
        clock.runFor(Duration.ofSeconds(1));
        NodeId idB = b.introClient().nodeId();

        cut = true;
        CompletableFuture<PeerPath> f = a.connect(new ConnectTarget(idB, List.of(bAddr)));
        clock.runFor(Duration.ofSeconds(10));
        PeerPath p = f.get();
        assertEquals(PathKind.RELAYED, p.kind());
        // direct attempt + punch budget + relay probe round trip (4 hops of 20 ms) and the event hops between steps
        NatConfig d = NatConfig.of(List.of(serverAddr));
        assertEquals(d.directTimeout().toMillis() + d.punchTimeout().toMillis() + 80, p.setupTime().toMillis(), 100);
        assertTrue(NatDatagramTransport.isAlias(p.address()));
        a.transport().send(p.address(), new byte[]{0x53, 1});
        clock.runFor(Duration.ofMillis(100));
        // relayed datagrams appear to come from the sender's public address when the introduction server told us it
        assertEquals(aAddr, inboxB.get(0)[0], "arrived relayed, from a's known public address");
        assertEquals(1, core.relaySessions());

        cut = false;
        clock.runFor(Duration.ofSeconds(31)); // the next upgrade round punches through
        assertEquals(1, a.upgrades());
        assertEquals(PathKind.PUNCHED, a.path(idB).kind());
        int before = wire.size();
        a.transport().send(p.address(), new byte[]{0x53, 2}); // same alias, now direct
        clock.runFor(Duration.ofMillis(100));
        Object[] sent = wire.get(before);
        assertEquals(bAddr, sent[1], "the alias now routes straight to b");
        assertEquals(aAddr, inboxB.get(inboxB.size() - 1)[0]);
        a.close();
        b.close();
    }

    /**
     * The layers above only know the peer's public address (a DHT contact from the introduction server's sample):
     * sending to it starts the chain in the background and routes that address along the path found.
     */
    @Test
    void sendingToAKnownPeersPublicAddressFindsAPathByItself() throws Exception {
        Host server = new Host(serverAddr);
        IntroServerConfig cfg = IntroServerConfig.defaults().withBind(serverAddr, -1).withIdDifficulty(0);
        IntroServerCore core = new IntroServerCore(cfg, clock, server, new Random(9), new Counters());
        server.setReceiver(core);
        core.start();
        List<Object[]> inboxA = new ArrayList<>();
        List<Object[]> inboxB = new ArrayList<>();
        NatTraversal b = node(bAddr, 2, inboxB);
        clock.runFor(Duration.ofSeconds(1));
        NatTraversal a = node(aAddr, 1, inboxA); // registers after b: its sample holds b
        clock.runFor(Duration.ofSeconds(1));
        NodeId idA = a.introClient().nodeId();
        NodeId idB = b.introClient().nodeId();
        assertEquals(idB, a.transport().peerAt(bAddr));

        cut = true;
        a.transport().send(bAddr, new byte[]{0x53, 1}); // lost, but starts the chain
        clock.runFor(Duration.ofSeconds(3));
        assertEquals(1, a.autoConnects());
        assertEquals(PathKind.RELAYED, a.path(idB).kind());
        a.transport().send(bAddr, new byte[]{0x53, 2});
        clock.runFor(Duration.ofMillis(100));
        Object[] got = inboxB.get(inboxB.size() - 1);
        assertEquals(aAddr, got[0]);
        assertEquals(2, ((byte[]) got[1])[1]);
        b.transport().send(aAddr, new byte[]{0x53, 3}); // the answer goes back the way it came
        clock.runFor(Duration.ofMillis(100));
        assertEquals(bAddr, inboxA.get(inboxA.size() - 1)[0]);
        assertEquals(3, ((byte[]) inboxA.get(inboxA.size() - 1)[1])[1]);

        cut = false;
        clock.runFor(Duration.ofSeconds(10)); // the first upgrade retry, 5 s after the relay was adopted
        assertEquals(PathKind.PUNCHED, a.path(idB).kind());
        int before = wire.size();
        a.transport().send(bAddr, new byte[]{0x53, 4});
        clock.runFor(Duration.ofMillis(100));
        assertEquals(bAddr, wire.get(before)[1], "straight to b now");
        assertEquals(aAddr, inboxB.get(inboxB.size() - 1)[0]);
        assertTrue(idA != null);
        a.close();
        b.close();
    }

    @Test
    void sameSeedSameTrace() throws Exception {
        int first = runOnce();
        SimulatedChainTest again = new SimulatedChainTest();
        assertEquals(first, again.runOnce());
    }

    private int runOnce() throws Exception {
        Host server = new Host(serverAddr);
        IntroServerConfig cfg = IntroServerConfig.defaults().withBind(serverAddr, -1).withIdDifficulty(0);
        IntroServerCore core = new IntroServerCore(cfg, clock,
                server, new Random(9), new Counters());
        server.setReceiver(core);
        core.start();
        NatTraversal a = node(aAddr, 1, new ArrayList<>());
        NatTraversal b = node(bAddr, 2, new ArrayList<>());
        clock.runFor(Duration.ofSeconds(1));
        a.connect(new ConnectTarget(b.introClient().nodeId(), List.of()));
        clock.runFor(Duration.ofSeconds(5));
        return wire.size() * 31 + (int) clock.executedTasks();
    }
}
