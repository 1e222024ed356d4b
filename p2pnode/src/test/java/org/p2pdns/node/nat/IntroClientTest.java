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
        return client(IntroClientConfig.of(servers));
    }

    private IntroClient client(IntroClientConfig config) {
        MemNet.Endpoint e1 = net.endpoint(s1.getHostString(), s1.getPort());
        MemNet.Endpoint e2 = net.endpoint(s2.getHostString(), s2.getPort());
        e1.setReceiver((f, p) -> toS1.add(decode(p)));
        e2.setReceiver((f, p) -> toS2.add(decode(p)));
        byte[] seed = new byte[32];
        new Random(4).nextBytes(seed);
        IntroClient c = new IntroClient(config, new Ed25519PrivateKeyParameters(seed),
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

    private IntroMessage.Register registered(InetSocketAddress server, List<IntroMessage> inbox, long cookie) {
        IntroMessage.Register r = null;
        for (IntroMessage m : inbox) {
            if (m instanceof IntroMessage.Register x) {
                r = x;
            }
        }
        reply(server, new IntroMessage.Registered(r.requestId(), node.address, 90, cookie, List.of()));
        return r;
    }

    @Test
    void guestRegistrationsReachAnotherServerWhileInUse() throws Exception {
        client = client(List.of(s1));
        client.start();
        net.clock.runFor(Duration.ofMillis(20));
        registered(s1, toS1, 7);
        assertTrue(client.ensureRegistered(s1).isDone(), "the current server needs no guest registration");
        assertTrue(toS2.isEmpty());

        var ready = client.ensureRegistered(s2);
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Register g = (IntroMessage.Register) toS2.get(0);
        assertTrue(IntroCodec.verify(g));
        assertEquals(0, g.wantPeers(), "a guest asks for no peers");
        assertEquals(0, g.cookie());
        // pushes from s2 are refused until the guest registration is in place
        NodeId from = NodeId.random(new Random(1));
        reply(s2, new IntroMessage.Relayed(from, new byte[]{0x53}));
        assertTrue(relayed.isEmpty());
        registered(s2, toS2, 99);
        assertTrue(ready.isDone() && !ready.isCompletedExceptionally());
        assertTrue(client.isRegisteredAt(s2));
        assertEquals(1, client.guests());
        reply(s2, new IntroMessage.Relayed(from, new byte[]{0x53, 1}));
        reply(s2, new IntroMessage.PunchNow(0, 5, false, peer(6)));
        assertEquals(1, relayed.size());
        assertEquals(1, punches.size());
        // rendezvous and relay through s2
        NodeId target = NodeId.random(new Random(2));
        var pn = client.rendezvous(s2, target);
        net.clock.runFor(Duration.ofMillis(20));
        IntroMessage.Rendezvous rv = (IntroMessage.Rendezvous) toS2.get(toS2.size() - 1);
        assertEquals(target, rv.targetId());
        reply(s2, new IntroMessage.PunchNow(rv.requestId(), 8, true, peer(7)));
        assertEquals(8, pn.get().token());
        assertTrue(client.relay(s2, target, new byte[]{0x53, 2}));
        net.clock.runFor(Duration.ofMillis(20));
        assertInstanceOf(IntroMessage.Relay.class, toS2.get(toS2.size() - 1));

        // in use: refreshed every 20 s, echoing s2's cookie
        java.util.Set<Long> answered = new java.util.HashSet<>(List.of(g.requestId()));
        int refreshes = 0;
        for (int i = 1; i <= 120; i++) { // the server answers within a second
            net.clock.runFor(Duration.ofSeconds(1));
            for (IntroMessage m : List.copyOf(toS2)) {
                if (m instanceof IntroMessage.Register r && answered.add(r.requestId())) {
                    assertEquals(99, r.cookie(), "a refresh proves the address with the server's cookie");
                    assertTrue(r.timestampMillis() > g.timestampMillis());
                    reply(s2, new IntroMessage.Registered(r.requestId(), node.address, 90, 99, List.of()));
                    refreshes++;
                }
            }
            if (i % 10 == 0) {
                assertTrue(client.relay(s2, target, new byte[]{0x53, 3}), "still registered at s2");
            }
        }
        assertTrue(refreshes >= 5, "refreshes: " + refreshes);
        assertEquals(1, client.guests());

        // idle for guestIdle (2 min): dropped at the next refresh, and s2's pushes are refused again
        for (int i = 1; i <= 180; i++) {
            net.clock.runFor(Duration.ofSeconds(1));
            for (IntroMessage m : List.copyOf(toS2)) {
                if (m instanceof IntroMessage.Register r && answered.add(r.requestId())) {
                    reply(s2, new IntroMessage.Registered(r.requestId(), node.address, 90, 99, List.of()));
                }
            }
        }
        assertEquals(0, client.guests());
        assertEquals(1, client.guestsDropped());
        int before = relayed.size();
        reply(s2, new IntroMessage.Relayed(from, new byte[]{0x53, 4}));
        assertEquals(before, relayed.size());
        assertTrue(!client.isRegisteredAt(s2));
    }

    @Test
    void guestRegistrationsAreBounded() {
        InetSocketAddress s3 = new InetSocketAddress("198.51.100.3", 7460);
        net.endpoint(s3.getHostString(), s3.getPort());
        client = client(IntroClientConfig.of(List.of(s1)).withGuests(1, Duration.ofMinutes(2)));
        client.start();
        net.clock.runFor(Duration.ofMillis(20));
        registered(s1, toS1, 7);
        var first = client.ensureRegistered(s2);
        net.clock.runFor(Duration.ofMillis(20));
        registered(s2, toS2, 1);
        assertTrue(first.isDone() && !first.isCompletedExceptionally());
        var second = client.ensureRegistered(s3);
        assertTrue(second.isCompletedExceptionally(), "one guest registration at most here");
        assertEquals(1, client.guestRefusals());
        assertEquals(List.of(s2), client.guestServers());
        // once the first is idle, its slot is reused
        net.clock.runFor(Duration.ofSeconds(130));
        var third = client.ensureRegistered(s3);
        assertTrue(!third.isCompletedExceptionally());
        assertEquals(1, client.guestRefusals());
    }

    @Test
    void aGuestServerThatForgotUsIsRegisteredAgain() {
        client = client(List.of(s1));
        client.start();
        net.clock.runFor(Duration.ofMillis(20));
        registered(s1, toS1, 7);
        client.ensureRegistered(s2);
        net.clock.runFor(Duration.ofMillis(20));
        registered(s2, toS2, 3);
        long registers = toS2.stream().filter(m -> m instanceof IntroMessage.Register).count();
        reply(s2, new IntroMessage.Error(0, IntroError.NOT_REGISTERED)); // a RELAY refused: no request id
        net.clock.runFor(Duration.ofMillis(20));
        assertEquals(registers + 1, toS2.stream().filter(m -> m instanceof IntroMessage.Register).count());
        // no guest: a refused relay through an unknown server starts one
        toS1.clear();
        assertTrue(!client.relay(new InetSocketAddress("198.51.100.9", 7460), NodeId.random(new Random(4)),
                new byte[]{0x53}));
        assertEquals(2, client.guestRegistrations());
    }
}
