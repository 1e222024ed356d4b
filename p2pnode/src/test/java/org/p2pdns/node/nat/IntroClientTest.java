package org.p2pdns.node.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.IntroError;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.intro.PeerInfo;

class IntroClientTest {

    private final MemNet net = new MemNet();
    private final MemNet.Endpoint node = net.endpoint("192.0.2.10", 4000);
    private final InetSocketAddress s1 = new InetSocketAddress("198.51.100.1", 7460);
    private final InetSocketAddress s2 = new InetSocketAddress("198.51.100.2", 7460);
    private final List<IntroMessage> toS1 = new ArrayList<>();
    private final List<IntroMessage> toS2 = new ArrayList<>();
    private final List<Object[]> relayed = new ArrayList<>();
    private final List<IntroMessage.PunchNow> punches = new ArrayList<>();
    private IntroClient client;

    private IntroClient client(List<InetSocketAddress> servers) {
        MemNet.Endpoint e1 = net.endpoint(s1.getHostString(), s1.getPort());
        MemNet.Endpoint e2 = net.endpoint(s2.getHostString(), s2.getPort());
        e1.setReceiver((f, p) -> toS1.add(decode(p)));
        e2.setReceiver((f, p) -> toS2.add(decode(p)));
        byte[] seed = new byte[32];
        new Random(4).nextBytes(seed);
        IntroClient c = new IntroClient(IntroClientConfig.of(servers), new Ed25519PrivateKeyParameters(seed),
                net.clock, node, new Random(5), () -> List.of(node.address));
        node.setReceiver(c::onIntroPacket);
        c.setListener(new IntroClient.Listener() {
            @Override
            public void onPunchNow(InetSocketAddress server, IntroMessage.PunchNow punch) {
                punches.add(punch);
            }

            @Override
            public void onRelayed(InetSocketAddress server, NodeId from, byte[] payload) {
                relayed.add(new Object[]{from, payload});
            }
        });
        return c;
    }

    private static IntroMessage decode(byte[] p) {
        try {
            return IntroCodec.decode(p);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private IntroMessage.Rendezvous lastRendezvous() {
        for (int i = toS1.size() - 1; i >= 0; i--) {
            if (toS1.get(i) instanceof IntroMessage.Rendezvous r) {
                return r;
            }
        }
        throw new AssertionError("no rendezvous sent");
    }

    private void reply(InetSocketAddress from, IntroMessage m) {
        client.onIntroPacket(from, IntroCodec.encode(m));
    }

    private PeerInfo peer(int i) {
        byte[] k = new byte[32];
        k[0] = (byte) i;
        return new PeerInfo(k, new InetSocketAddress("203.0.113." + i, 1000), List.of());
    }

    @Test
    void registersVerifiablyAndTrustsOnlyTheMatchingReply() {
        client = client(List.of(s1));
        client.start();
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Register r = (IntroMessage.Register) toS1.get(0);
        assertTrue(IntroCodec.verify(r));
        assertEquals(List.of(node.address), r.locals());
        assertEquals(0, r.cookie());
        InetSocketAddress observed = new InetSocketAddress("203.0.113.1", 31000);
        // wrong source, wrong id, wrong type: all ignored
        reply(s2, new IntroMessage.Registered(r.requestId(), observed, 90, 42, List.of()));
        reply(s1, new IntroMessage.Registered(r.requestId() + 1, observed, 90, 42, List.of()));
        reply(s1, new IntroMessage.Peers(r.requestId(), List.of()));
        assertNull(client.registration());
        assertEquals(3, client.dropped());
        reply(s1, new IntroMessage.Registered(r.requestId(), observed, 90, 42, List.of(peer(1))));
        assertEquals(observed, client.registration().observed());
        assertTrue(client.firstRegistration().isDone());
        // the short first sample makes it prove its address at once, echoing the cookie
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Register again = (IntroMessage.Register) toS1.get(toS1.size() - 1);
        assertEquals(42, again.cookie());
        assertTrue(again.timestampMillis() > r.timestampMillis());
        reply(s1, new IntroMessage.Registered(again.requestId(), observed, 90, 42, List.of(peer(1), peer(2))));
        // then refreshes every 20 s (under a third of the 90 s ttl)
        int before = toS1.size();
        net.clock.runFor(Duration.ofSeconds(61));
        assertTrue(toS1.size() - before >= 3, "refreshes: " + (toS1.size() - before));
    }

    @Test
    void movesToTheNextServerWhenOneIsSilent() {
        client = client(List.of(s1, s2));
        client.start();
        net.clock.runFor(Duration.ofMillis(4600)); // sends at 0, 0.3, 0.9, 2.1 s; gives up at 4.5 s
        assertEquals(4, toS1.size());
        assertEquals(1, client.failovers(), "sent to s1 " + toS1.size() + ", s2 " + toS2.size());
        assertEquals(1, toS2.size());
        IntroMessage.Register r = (IntroMessage.Register) toS2.get(0);
        reply(s2, new IntroMessage.Registered(r.requestId(), node.address, 90, 7, List.of()));
        assertEquals(s2, client.registration().server());
    }

    @Test
    void pushesFromTheServerReachTheListenerOnlyFromTheServer() {
        client = client(List.of(s1));
        client.start();
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Register r = (IntroMessage.Register) toS1.get(0);
        reply(s1, new IntroMessage.Registered(r.requestId(), node.address, 90, 7, List.of()));
        NodeId from = NodeId.random(new Random(1));
        byte[] payload = {0x53, 9};
        reply(s2, new IntroMessage.Relayed(from, payload));
        reply(s2, new IntroMessage.PunchNow(0, 1, false, peer(3)));
        assertTrue(relayed.isEmpty() && punches.isEmpty());
        reply(s1, new IntroMessage.Relayed(from, payload));
        reply(s1, new IntroMessage.PunchNow(0, 1, false, peer(3)));
        assertEquals(from, relayed.get(0)[0]);
        assertArrayEquals(payload, (byte[]) relayed.get(0)[1]);
        assertEquals(1, punches.size());
    }

    @Test
    void rendezvousAndErrors() throws Exception {
        client = client(List.of(s1));
        client.start();
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Register r = (IntroMessage.Register) toS1.get(0);
        reply(s1, new IntroMessage.Registered(r.requestId(), node.address, 90, 7, List.of()));
        NodeId target = NodeId.random(new Random(2));
        var f = client.rendezvous(target);
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Rendezvous rv = lastRendezvous();
        assertEquals(target, rv.targetId());
        reply(s1, new IntroMessage.PunchNow(rv.requestId(), 99, true, peer(4)));
        assertEquals(99, f.get().token());
        var g = client.rendezvous(target);
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Rendezvous rv2 = lastRendezvous();
        int registersBefore = (int) toS1.stream().filter(m -> m instanceof IntroMessage.Register).count();
        reply(s1, new IntroMessage.Error(rv2.requestId(), IntroError.NOT_REGISTERED));
        assertTrue(g.isCompletedExceptionally());
        net.clock.runFor(Duration.ofMillis(20));
        int registersAfter = (int) toS1.stream().filter(m -> m instanceof IntroMessage.Register).count();
        assertEquals(registersBefore + 1, registersAfter, "NOT_REGISTERED makes it register again");
        try {
            g.get();
        } catch (java.util.concurrent.ExecutionException e) {
            assertInstanceOf(IntroException.class, e.getCause());
            assertEquals(IntroError.NOT_REGISTERED, ((IntroException) e.getCause()).error());
        }
    }
}
