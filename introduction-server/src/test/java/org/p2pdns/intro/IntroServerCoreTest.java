package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.IntroError;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.intro.PeerInfo;
import org.p2pdns.node.time.VirtualScheduler;

class IntroServerCoreTest {

    private final Random random = new Random(1);
    private VirtualScheduler clock;
    private CapturingTransport out;
    private Counters counters;
    private IntroServerCore core;
    private IntroServerConfig config;

    @BeforeEach
    void setUp() {
        config = IntroServerConfig.defaults().withBind(new InetSocketAddress("127.0.0.1", 0), -1).withIdDifficulty(0)
                .withRegistrations(Duration.ofSeconds(60), 50, 10);
        start(config);
    }

    private void start(IntroServerConfig c) {
        clock = new VirtualScheduler();
        out = new CapturingTransport();
        counters = new Counters();
        core = new IntroServerCore(c, clock, out, new Random(2), counters);
        core.start();
    }

    private Ed25519PrivateKeyParameters key() {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return new Ed25519PrivateKeyParameters(seed);
    }

    private static InetSocketAddress addr(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    private IntroMessage register(Ed25519PrivateKeyParameters k, InetSocketAddress from, long cookie) {
        IntroMessage.Register r = IntroCodec.signRegister(k, random.nextLong(), clock.nowMillis(), 16, cookie,
                List.of(addr("192.0.2.10", 4000)));
        core.onDatagram(from, IntroCodec.encode(r));
        IntroMessage reply = out.lastMessage();
        if (reply instanceof IntroMessage.Registered g) {
            assertEquals(r.requestId(), g.requestId());
        }
        return reply;
    }

    private static NodeId id(Ed25519PrivateKeyParameters k) {
        return NodeId.ofPublicKey(k.generatePublicKey().getEncoded());
    }

    @Test
    void registerReportsObservedAddressAndSamplesOthers() {
        Ed25519PrivateKeyParameters[] keys = new Ed25519PrivateKeyParameters[5];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key();
            clock.runFor(Duration.ofMillis(1));
            register(keys[i], addr("203.0.113." + (i + 1), 40000 + i), 0);
        }
        IntroMessage.Registered g = (IntroMessage.Registered) register(key(), addr("203.0.113.99", 5555), 0);
        assertEquals(addr("203.0.113.99", 5555), g.observed());
        assertEquals(60, g.ttlSeconds());
        assertNotEquals(0, g.cookie());
        Set<InetSocketAddress> refl = new HashSet<>();
        for (PeerInfo p : g.peers()) {
            refl.add(p.reflexive());
            assertEquals(List.of(addr("192.0.2.10", 4000)), p.locals());
        }
        assertEquals(5, refl.size(), "all five others, not itself");
        assertEquals(6, counters.get(ServerCounter.REGISTERED_NEW));
    }

    @Test
    void entriesExpireUnlessRefreshed() {
        Ed25519PrivateKeyParameters a = key();
        Ed25519PrivateKeyParameters b = key();
        register(a, addr("203.0.113.1", 1000), 0);
        register(b, addr("203.0.113.2", 1000), 0);
        for (int i = 0; i < 5; i++) {
            clock.runFor(Duration.ofSeconds(30));
            register(a, addr("203.0.113.1", 1000), 0); // a refreshes, b does not
        }
        assertEquals(1, core.registrations());
        assertEquals(1, counters.get(ServerCounter.REGISTRATIONS_EXPIRED));
        assertEquals(5, counters.get(ServerCounter.REGISTRATIONS_REFRESHED));
    }

    @Test
    void registryIsBoundedInTotalAndPerIp() {
        for (int i = 0; i < 12; i++) {
            clock.runFor(Duration.ofMillis(1));
            IntroMessage m = register(key(), addr("203.0.113.1", 1000 + i), 0);
            if (i < 10) {
                assertInstanceOf(IntroMessage.Registered.class, m);
            } else {
                assertEquals(IntroError.RATE_LIMITED, ((IntroMessage.Error) m).error());
            }
        }
        assertEquals(2, counters.get(ServerCounter.REJECT_IP_QUOTA));
        for (int i = 0; i < 45; i++) {
            clock.runFor(Duration.ofMillis(1));
            register(key(), addr("198.51.100." + (i + 1), 1000), 0);
        }
        assertEquals(50, core.registrations());
        assertEquals(5, counters.get(ServerCounter.REJECT_REGISTRY_FULL));
        clock.runFor(Duration.ofSeconds(61)); // all expire: room again
        assertInstanceOf(IntroMessage.Registered.class, register(key(), addr("198.51.100.200", 1), 0));
        assertEquals(1, core.registrations());
    }

    @Test
    void forgedStaleAndReplayedRegistrationsAreRefused() {
        Ed25519PrivateKeyParameters k = key();
        IntroMessage.Register r = IntroCodec.signRegister(k, 1, clock.nowMillis(), 4, 0, List.of());
        byte[] wire = IntroCodec.encode(r);
        core.onDatagram(addr("203.0.113.1", 1), wire);
        assertInstanceOf(IntroMessage.Registered.class, out.lastMessage());
        core.onDatagram(addr("203.0.113.66", 6), wire); // replay from elsewhere must not move the entry
        assertEquals(IntroError.STALE_TIMESTAMP, ((IntroMessage.Error) out.lastMessage()).error());
        byte[] forged = IntroCodec.encode(IntroCodec.signRegister(k, 2, clock.nowMillis() + 1, 4, 0, List.of()));
        forged[forged.length - 1] ^= 1;
        core.onDatagram(addr("203.0.113.66", 6), forged);
        assertEquals(IntroError.BAD_SIGNATURE, ((IntroMessage.Error) out.lastMessage()).error());
        IntroMessage.Register old = IntroCodec.signRegister(key(), 3, clock.nowMillis() - 3_600_000, 4, 0, List.of());
        core.onDatagram(addr("203.0.113.2", 2), IntroCodec.encode(old));
        assertEquals(IntroError.STALE_TIMESTAMP, ((IntroMessage.Error) out.lastMessage()).error());
        core.onDatagram(addr("203.0.113.2", 2), new byte[]{0x60, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1});
        IntroMessage.Error e = (IntroMessage.Error) out.lastMessage();
        assertEquals(IntroError.MALFORMED, e.error());
        assertEquals(9, e.requestId(), "error echoes the request id it could read");
        core.onDatagram(addr("203.0.113.2", 2), new byte[]{0x60, 9});
        assertEquals(IntroError.UNSUPPORTED_VERSION, ((IntroMessage.Error) out.lastMessage()).error());
        int before = out.sent.size();
        core.onDatagram(addr("203.0.113.2", 2), new byte[]{0x53, 1, 2});      // not ours
        core.onDatagram(addr("203.0.113.2", 2), IntroCodec.encode(
                new IntroMessage.Error(1, IntroError.MALFORMED)));             // server-to-node type
        assertEquals(before, out.sent.size(), "no reply to unexpected packets");
        assertEquals(1, counters.get(ServerCounter.REJECT_BAD_SIGNATURE));
        assertEquals(2, counters.get(ServerCounter.REJECT_STALE_TIMESTAMP));
        assertEquals(1, counters.get(ServerCounter.REJECT_MALFORMED));
        assertEquals(1, counters.get(ServerCounter.REJECT_VERSION));
        assertEquals(2, counters.get(ServerCounter.REJECT_UNEXPECTED));
        assertEquals(1, core.registrations());
    }

    @Test
    void repliesToUnprovenAddressesAreCappedUntilTheCookieComesBack() {
        for (int i = 0; i < 30; i++) {
            clock.runFor(Duration.ofMillis(1));
            register(key(), addr("198.51.100." + (i + 1), 1000), 0);
        }
        Ed25519PrivateKeyParameters k = key();
        IntroMessage.Registered first = (IntroMessage.Registered) register(k, addr("203.0.113.5", 5), 0);
        int firstBytes = out.last().packet().length;
        clock.runFor(Duration.ofMillis(1));
        IntroMessage.Registered second = (IntroMessage.Registered) register(k, addr("203.0.113.5", 5), first.cookie());
        int requestBytes = IntroCodec.encode(IntroCodec.signRegister(k, 1, 1, 16, 1,
                List.of(addr("192.0.2.10", 4000)))).length;
        assertTrue(firstBytes <= 3 * requestBytes, firstBytes + " > 3 x " + requestBytes);
        assertTrue(second.peers().size() > first.peers().size());
        assertEquals(16, second.peers().size());
        core.onDatagram(addr("203.0.113.5", 5), IntroCodec.encode(new IntroMessage.PeersRequest(77, id(k), 16,
                second.cookie())));
        IntroMessage.Peers p = (IntroMessage.Peers) out.lastMessage();
        assertEquals(77, p.requestId());
        assertEquals(16, p.peers().size());
        // same id from another address: not registered there
        core.onDatagram(addr("203.0.113.6", 5), IntroCodec.encode(new IntroMessage.PeersRequest(78, id(k), 16, 0)));
        assertEquals(IntroError.NOT_REGISTERED, ((IntroMessage.Error) out.lastMessage()).error());
    }

    @Test
    void rendezvousSendsBothSidesEachOthersEndpointsAtOnce() {
        Ed25519PrivateKeyParameters a = key();
        Ed25519PrivateKeyParameters b = key();
        InetSocketAddress aAddr = addr("203.0.113.1", 31000);
        InetSocketAddress bAddr = addr("203.0.113.2", 32000);
        register(a, aAddr, 0);
        register(b, bAddr, 0);
        int before = out.sent.size();
        core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Rendezvous(5, id(a), id(b))));
        assertEquals(before + 2, out.sent.size());
        CapturingTransport.Sent toB = out.sent.get(before);
        CapturingTransport.Sent toA = out.sent.get(before + 1);
        assertEquals(bAddr, toB.to());
        assertEquals(aAddr, toA.to());
        IntroMessage.PunchNow pb = (IntroMessage.PunchNow) toB.decoded();
        IntroMessage.PunchNow pa = (IntroMessage.PunchNow) toA.decoded();
        assertEquals(pa.token(), pb.token());
        assertTrue(pa.initiator());
        assertEquals(5, pa.requestId());
        assertEquals(bAddr, pa.peer().reflexive());
        assertEquals(aAddr, pb.peer().reflexive());
        assertArrayEquals(a.generatePublicKey().getEncoded(), pb.peer().publicKey());
        core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Rendezvous(6, id(a), NodeId.random(random))));
        assertEquals(IntroError.UNKNOWN_TARGET, ((IntroMessage.Error) out.lastMessage()).error());
        core.onDatagram(addr("203.0.113.9", 1), IntroCodec.encode(new IntroMessage.Rendezvous(7, id(a), id(b))));
        assertEquals(IntroError.NOT_REGISTERED, ((IntroMessage.Error) out.lastMessage()).error());
        assertEquals(1, counters.get(ServerCounter.RENDEZVOUS));
    }

    @Test
    void relayForwardsBetweenRegisteredNodesWithinCaps() {
        start(config.withRelay(true, 3000, Duration.ofSeconds(60), 1_000_000, 100));
        Ed25519PrivateKeyParameters a = key();
        Ed25519PrivateKeyParameters b = key();
        InetSocketAddress aAddr = addr("203.0.113.1", 31000);
        InetSocketAddress bAddr = addr("203.0.113.2", 32000);
        register(a, aAddr, 0);
        register(b, bAddr, 0);
        byte[] inner = new byte[1000];
        random.nextBytes(inner);
        for (int i = 0; i < 3; i++) {
            core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Relay(id(a), id(b), inner)));
            assertEquals(bAddr, out.last().to());
            IntroMessage.Relayed r = (IntroMessage.Relayed) out.lastMessage();
            assertEquals(id(a), r.fromId());
            assertArrayEquals(inner, r.payload());
        }
        core.onDatagram(bAddr, IntroCodec.encode(new IntroMessage.Relay(id(b), id(a), new byte[1])));
        assertEquals(IntroError.RELAY_LIMIT, ((IntroMessage.Error) out.lastMessage()).error(),
                "the session (both directions) is capped at 3000 bytes");
        // spoofed sender id from another address
        core.onDatagram(addr("203.0.113.3", 1), IntroCodec.encode(new IntroMessage.Relay(id(a), id(b), inner)));
        assertEquals(IntroError.NOT_REGISTERED, ((IntroMessage.Error) out.lastMessage()).error());
        assertEquals(3, counters.get(ServerCounter.RELAYED_PACKETS));
        assertEquals(3000, counters.get(ServerCounter.RELAYED_BYTES));
        assertEquals(1, counters.get(ServerCounter.REJECT_RELAY_LIMIT));
    }

    @Test
    void relaySessionTimeAndPerIpBytesAreCapped() {
        start(config.withRelay(true, 1_000_000, Duration.ofSeconds(10), 2500, 100));
        Ed25519PrivateKeyParameters a = key();
        Ed25519PrivateKeyParameters b = key();
        Ed25519PrivateKeyParameters c = key();
        InetSocketAddress aAddr = addr("203.0.113.1", 1);
        register(a, aAddr, 0);
        register(b, addr("203.0.113.2", 2), 0);
        register(c, addr("203.0.113.3", 3), 0);
        core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Relay(id(a), id(b), new byte[1200])));
        core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Relay(id(a), id(c), new byte[1200])));
        core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Relay(id(a), id(c), new byte[200])));
        assertEquals(IntroError.RELAY_LIMIT, ((IntroMessage.Error) out.lastMessage()).error(), "per-IP minute cap");
        clock.runFor(Duration.ofSeconds(11)); // past the session time, new minute window
        register(a, aAddr, 0);
        register(b, addr("203.0.113.2", 2), 0);
        core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Relay(id(a), id(b), new byte[10])));
        assertEquals(IntroError.RELAY_LIMIT, ((IntroMessage.Error) out.lastMessage()).error(), "session time cap");
        clock.runFor(Duration.ofSeconds(10)); // cooled down
        register(a, aAddr, 0);
        register(b, addr("203.0.113.2", 2), 0);
        core.onDatagram(aAddr, IntroCodec.encode(new IntroMessage.Relay(id(a), id(b), new byte[10])));
        assertInstanceOf(IntroMessage.Relayed.class, out.lastMessage());
    }

    @Test
    void idsWithoutTheNetworksProofOfWorkAreRefused() {
        start(config.withIdDifficulty(8));
        Ed25519PrivateKeyParameters weak = null;
        Ed25519PrivateKeyParameters strong = null;
        while (weak == null || strong == null) {
            Ed25519PrivateKeyParameters k = key();
            boolean ok = org.p2pdns.node.identity.IdProofOfWork.satisfies(id(k), 8);
            if (ok && strong == null) {
                strong = k;
            } else if (!ok && weak == null) {
                weak = k;
            }
        }
        assertEquals(IntroError.BAD_PROOF_OF_WORK, ((IntroMessage.Error) register(weak, addr("203.0.113.1", 1), 0))
                .error());
        assertInstanceOf(IntroMessage.Registered.class, register(strong, addr("203.0.113.2", 1), 0));
        assertEquals(1, counters.get(ServerCounter.REJECT_PROOF_OF_WORK));
    }

    @Test
    void relayCanBeDisabled() {
        start(config.withRelay(false, 1, Duration.ofSeconds(1), 1, 1));
        Ed25519PrivateKeyParameters a = key();
        register(a, addr("203.0.113.1", 1), 0);
        core.onDatagram(addr("203.0.113.1", 1), IntroCodec.encode(
                new IntroMessage.Relay(id(a), NodeId.random(random), new byte[3])));
        assertEquals(IntroError.RELAY_DISABLED, ((IntroMessage.Error) out.lastMessage()).error());
    }

    @Test
    void floodsFromOneIpAreRateLimitedAndCounted() {
        start(config.withRateLimit(10, 20, 1000));
        InetSocketAddress from = addr("203.0.113.50", 9);
        byte[] junk = {0x62, 1, 0};
        for (int i = 0; i < 100; i++) {
            core.onDatagram(from, junk);
        }
        assertEquals(20, counters.get(ServerCounter.REJECT_MALFORMED));
        assertEquals(80, counters.get(ServerCounter.REJECT_RATE_LIMITED));
        clock.runFor(Duration.ofSeconds(1)); // 10 tokens back
        for (int i = 0; i < 20; i++) {
            core.onDatagram(from, junk);
        }
        assertEquals(30, counters.get(ServerCounter.REJECT_MALFORMED));
        // another IP is not affected
        core.onDatagram(addr("203.0.113.51", 9), junk);
        assertEquals(31, counters.get(ServerCounter.REJECT_MALFORMED));
    }

    @Test
    void rateLimitStateIsBounded() {
        start(config.withRateLimit(1, 1, 3));
        for (int i = 0; i < 10; i++) {
            core.onDatagram(addr("203.0.113." + (i + 1), 9), new byte[]{0x62, 1});
        }
        assertTrue(core.trackedIps() <= 3);
        clock.runFor(Duration.ofSeconds(20)); // buckets refill and get swept
        assertEquals(0, core.trackedIps());
    }
}
