package org.p2pdns.node.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.sim.SimValuePolicy;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.ErrorMessage;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.FindValueMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.PingMessage;
import org.p2pdns.node.wire.PongMessage;
import org.p2pdns.node.wire.StoreMessage;
import org.p2pdns.node.wire.StoreResultMessage;
import org.p2pdns.node.wire.ValueMessage;

/** One node driven message by message: serving, write tokens, quotas, rate limits, malformed input, reply matching. */
class DhtNodeServingTest {

    final Random random = new Random(11);
    final VirtualScheduler scheduler = new VirtualScheduler();
    DhtConfig config;
    RecordingTransport transport;
    DhtNode node;
    long expiry;

    Contact contact(String ip) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        try {
            return Contact.of(key, new InetSocketAddress(InetAddress.getByName(ip), 4000));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void setUp() {
        start(DhtConfig.defaults(NetworkParams.TEST).withStoreLimits(3, 5, 100, 1000));
    }

    void start(DhtConfig cfg) {
        config = cfg;
        Contact self = contact("192.0.2.1");
        transport = new RecordingTransport(self);
        node = new DhtNode(cfg, self, transport, scheduler, random, SimValuePolicy.INSTANCE, new InMemoryValueStore());
        node.start(List.of());
        scheduler.runFor(Duration.ofMillis(1));
        expiry = scheduler.nowMillis() + 3_600_000;
    }

    DhtMessage ask(Contact from, DhtMessage m) {
        int before = transport.sent.size();
        transport.receive(from, m);
        scheduler.runFor(Duration.ofMillis(1));
        DhtMessage reply = null;
        for (RecordingTransport.Sent s : transport.sent.subList(before, transport.sent.size())) {
            // besides the reply the node may start requests of its own (e.g. handing values to a new contact)
            if (from.equals(s.to()) && !s.message().type().isRequest()) {
                assertEquals(null, reply, "one reply");
                reply = s.message();
            }
        }
        assertNotNull(reply, "a reply");
        assertEquals(m.requestId(), reply.requestId());
        return reply;
    }

    byte[] token(Contact from) {
        return ((NodesMessage) ask(from, new FindNodeMessage(1, NodeId.random(random)))).token();
    }

    StoreOutcome store(Contact from, byte[] token, NodeId key, byte[] value) {
        return ((StoreResultMessage) ask(from, new StoreMessage(random.nextLong(), key, token, value))).outcome();
    }

    @Test
    void servesPingFindNodeAndFindValue() {
        Contact a = contact("198.51.100.1");
        assertEquals(new PongMessage(7), ask(a, new PingMessage(7)));
        Contact b = contact("198.51.101.1");
        NodesMessage n = (NodesMessage) ask(b, new FindNodeMessage(8, NodeId.random(random)));
        assertEquals(8, n.requestId());
        assertEquals(List.of(a), n.contacts(), "knows a, never returns the requester itself");
        NodeId key = NodeId.random(random);
        assertInstanceOf(NodesMessage.class, ask(b, new FindValueMessage(9, key)));
        assertEquals(StoreOutcome.STORED, store(b, n.token(), key, SimValuePolicy.value(1, expiry, "x")));
        ValueMessage v = (ValueMessage) ask(a, new FindValueMessage(10, key));
        assertEquals("x", SimValuePolicy.payload(v.value()));
        assertEquals(1, node.store().size());
        assertEquals(1, node.stats().storesReceived(StoreOutcome.STORED));
    }

    @Test
    void storeNeedsAValidTokenForThisSenderAndAddress() {
        Contact a = contact("198.51.100.1");
        Contact b = contact("198.51.101.1");
        NodeId key = NodeId.random(random);
        byte[] v = SimValuePolicy.value(1, expiry, "x");
        assertEquals(StoreOutcome.BAD_TOKEN, store(a, new byte[0], key, v));
        assertEquals(StoreOutcome.BAD_TOKEN, store(a, new byte[16], key, v));
        // b's token is useless to a, and to b speaking from another address
        byte[] tb = token(b);
        assertEquals(StoreOutcome.BAD_TOKEN, store(a, tb, key, v));
        assertEquals(StoreOutcome.BAD_TOKEN, store(b.withAddress(new InetSocketAddress("198.51.102.1", 4000)), tb,
                key, v));
        assertEquals(0, node.store().size());
        // a token survives one rotation and dies after two
        byte[] ta = token(a);
        scheduler.runFor(config.tokenRotation());
        assertEquals(StoreOutcome.STORED, store(a, ta, key, v));
        scheduler.runFor(config.tokenRotation().multipliedBy(2));
        assertEquals(StoreOutcome.BAD_TOKEN, store(a, ta, NodeId.random(random),
                SimValuePolicy.value(1, expiry, "y")));
        assertEquals(5, node.stats().storesReceived(StoreOutcome.BAD_TOKEN));
    }

    @Test
    void quotasPerSenderAndPerPrefix() {
        Contact a = contact("198.51.100.1");
        byte[] ta = token(a);
        for (int i = 0; i < 3; i++) {
            assertEquals(StoreOutcome.STORED, store(a, ta, NodeId.random(random), SimValuePolicy.value(1, expiry, "")));
        }
        assertEquals(StoreOutcome.QUOTA_EXCEEDED,
                store(a, ta, NodeId.random(random), SimValuePolicy.value(1, expiry, "")));
        // updating a key a already accounts for does not count twice
        NodeId own = node.store().entries().get(0).key();
        assertEquals(StoreOutcome.STORED, store(a, ta, own, SimValuePolicy.value(2, expiry, "")));
        // another sender in the same /24 shares the prefix quota of 5
        Contact a2 = contact("198.51.100.2");
        byte[] ta2 = token(a2);
        assertEquals(StoreOutcome.STORED, store(a2, ta2, NodeId.random(random), SimValuePolicy.value(1, expiry, "")));
        assertEquals(StoreOutcome.STORED, store(a2, ta2, NodeId.random(random), SimValuePolicy.value(1, expiry, "")));
        assertEquals(StoreOutcome.QUOTA_EXCEEDED,
                store(a2, ta2, NodeId.random(random), SimValuePolicy.value(1, expiry, "")));
        // a sender elsewhere is not affected
        Contact c = contact("203.0.113.9");
        assertEquals(StoreOutcome.STORED,
                store(c, token(c), NodeId.random(random), SimValuePolicy.value(1, expiry, "")));
        assertEquals(2, node.stats().storesReceived(StoreOutcome.QUOTA_EXCEEDED));
        // expired values free the quota
        scheduler.runFor(Duration.ofHours(2));
        assertEquals(0, node.store().size());
        long exp2 = scheduler.nowMillis() + 3_600_000;
        byte[] ta3 = token(a);
        assertEquals(StoreOutcome.STORED, store(a, ta3, NodeId.random(random), SimValuePolicy.value(1, exp2, "")));
    }

    @Test
    void rateLimitPerSender() {
        start(DhtConfig.defaults(NetworkParams.TEST).withStoreLimits(100, 200, 1, 1000));
        Contact a = contact("198.51.100.1");
        byte[] ta = token(a);
        int stored = 0;
        int limited = 0;
        for (int i = 0; i < 10; i++) {
            StoreOutcome o = store(a, ta, NodeId.random(random), SimValuePolicy.value(1, expiry, ""));
            if (o == StoreOutcome.STORED) {
                stored++;
            } else if (o == StoreOutcome.RATE_LIMITED) {
                limited++;
            }
        }
        assertEquals(4, stored, "burst of 4x the rate");
        assertEquals(6, limited);
        scheduler.runFor(Duration.ofSeconds(2));
        assertEquals(StoreOutcome.STORED, store(a, ta, NodeId.random(random), SimValuePolicy.value(1, expiry, "")));
    }

    @Test
    void policyOutcomesReachTheSender() {
        Contact a = contact("198.51.100.1");
        byte[] ta = token(a);
        NodeId key = NodeId.random(random);
        assertEquals(StoreOutcome.MALFORMED, store(a, ta, key, new byte[3]));
        assertEquals(StoreOutcome.BAD_SIGNATURE, store(a, ta, key, SimValuePolicy.value(1, expiry, "FORGED")));
        assertEquals(StoreOutcome.EXPIRED, store(a, ta, key, SimValuePolicy.value(1, scheduler.nowMillis(), "")));
        assertEquals(StoreOutcome.STORED, store(a, ta, key, SimValuePolicy.value(5, expiry, "")));
        assertEquals(StoreOutcome.OLD_SEQUENCE, store(a, ta, key, SimValuePolicy.value(4, expiry, "")));
        assertEquals(StoreOutcome.STORED, store(a, ta, key, SimValuePolicy.value(5, expiry, "")), "same value again");
        assertEquals(5, SimValuePolicy.sequence(node.store().get(key).value()));
    }

    @Test
    void malformedMessagesAreCountedAndNeverCrash() {
        Contact a = contact("198.51.100.1");
        Random r = new Random(1);
        for (int i = 0; i < 5000; i++) {
            byte[] junk = new byte[r.nextInt(300)];
            r.nextBytes(junk);
            transport.handler.onMessage(a, junk);
        }
        scheduler.runFor(Duration.ofSeconds(1));
        assertTrue(node.stats().get(DhtStats.Counter.DROP_MALFORMED) >= 4900);
        // a request with a good header and a bad body gets an ERROR naming the request id
        int before = transport.sent.size();
        transport.handler.onMessage(a, java.util.HexFormat.of().parseHex("0103000000000000002a0011"));
        ErrorMessage e = (ErrorMessage) transport.sent.get(before).message();
        assertEquals(42, e.requestId());
        assertEquals(ErrorMessage.Code.MALFORMED, e.code());
        // the node still serves
        assertEquals(new PongMessage(3), ask(a, new PingMessage(3)));
    }

    @Test
    void aLateReplyShowsThePeerAnswersButCompletesNothing() {
        Contact peer = contact("198.51.100.1");
        Contact other = contact("198.51.101.1");
        ask(peer, new PingMessage(1));
        transport.sent.clear();
        // two lookups the peer does not answer in time: two failures drop it from the table
        var f1 = node.findClosest(NodeId.random(random));
        scheduler.runFor(Duration.ofMillis(1));
        scheduler.runFor(config.requestTimeout());
        var f2 = node.findClosest(NodeId.random(random));
        scheduler.runFor(Duration.ofMillis(1));
        FindNodeMessage q2 = (FindNodeMessage) transport.last();
        scheduler.runFor(config.requestTimeout());
        assertTrue(f1.isDone() && f2.isDone());
        assertEquals(2, node.stats().get(DhtStats.Counter.RPC_TIMEOUT));
        assertTrue(node.routingTable().get(peer.id()) == null, "dropped after two failures");
        // the answer to the second comes now, late: not from the node asked, it is dropped
        transport.receive(other, new NodesMessage(q2.requestId(), new byte[16], List.of()));
        assertEquals(1, node.stats().get(DhtStats.Counter.DROP_WRONG_SOURCE));
        // from the node asked: the peer answers after all, and is back in the table
        transport.receive(peer, new NodesMessage(q2.requestId(), new byte[16], List.of()));
        assertEquals(1, node.stats().get(DhtStats.Counter.REPLY_LATE));
        assertNotNull(node.routingTable().get(peer.id()));
        // once: a copy is unmatched
        transport.receive(peer, new NodesMessage(q2.requestId(), new byte[16], List.of()));
        assertEquals(1, node.stats().get(DhtStats.Counter.DROP_UNMATCHED_REPLY));
        assertEquals(List.of(), f2.join());
    }

    @Test
    void aLateReplyIsRecognisedForOneMoreRequestTimeoutOnly() {
        Contact peer = contact("198.51.100.1");
        ask(peer, new PingMessage(1));
        transport.sent.clear();
        node.findClosest(NodeId.random(random));
        scheduler.runFor(Duration.ofMillis(1));
        FindNodeMessage q = (FindNodeMessage) transport.last();
        scheduler.runFor(config.requestTimeout().multipliedBy(2).plusMillis(1));
        transport.receive(peer, new NodesMessage(q.requestId(), new byte[16], List.of()));
        assertEquals(0, node.stats().get(DhtStats.Counter.REPLY_LATE));
        assertEquals(1, node.stats().get(DhtStats.Counter.DROP_UNMATCHED_REPLY));
    }

    @Test
    void theRoundTripIsSmoothedFromRequestsSentOnce() {
        Contact peer = contact("198.51.100.1");
        ask(peer, new PingMessage(1));
        assertEquals(-1, node.rpc().smoothedRttMillis());
        // sent 1 ms into the run, answered after the delay: round trips of 801, 1 and 1601 ms
        long[] delays = {800, 0, 1600};
        long[] expected = {801, 701, 813};  // 801; 801 + (1 - 801) / 8; 701 + (1601 - 701) / 8
        for (int i = 0; i < delays.length; i++) {
            transport.sent.clear();
            node.findClosest(NodeId.random(random));
            scheduler.runFor(Duration.ofMillis(1));
            FindNodeMessage q = (FindNodeMessage) transport.last();
            scheduler.runFor(Duration.ofMillis(delays[i]));
            transport.receive(peer, new NodesMessage(q.requestId(), new byte[16], List.of()));
            assertEquals(expected[i], node.rpc().smoothedRttMillis());
        }
    }

    @Test
    void lookupsWaitLongerForSlowPeersBeforeAskingOthers() {
        for (int i = 0; i < 8; i++) {
            ask(contact("198.51." + (100 + i) + ".1"), new PingMessage(i));
        }
        // no round trip measured yet: a peer silent for a third of the request timeout is passed over
        long third = config.requestTimeout().toMillis() / 3;
        transport.sent.clear();
        node.findClosest(NodeId.random(random));
        scheduler.runFor(Duration.ofMillis(third - 10));
        assertEquals(3, findNodesSent());
        scheduler.runFor(Duration.ofMillis(20));
        assertEquals(6, findNodesSent());
        scheduler.runFor(config.requestTimeout().multipliedBy(3));
        // peers that answer in 900 ms: the lookup learns to wait twice that before asking more peers
        for (int i = 0; i < 12; i++) {
            transport.sent.clear();
            node.findClosest(NodeId.random(random));
            answerFindNodesAfter(Duration.ofMillis(900), config.requestTimeout().multipliedBy(2));
        }
        long srtt = node.rpc().smoothedRttMillis();
        assertTrue(srtt >= 850 && srtt <= 950, "smoothed round trip " + srtt);
        assertEquals(8, node.stats().get(DhtStats.Counter.RPC_TIMEOUT), "only the first lookup's requests failed");
        transport.sent.clear();
        node.findClosest(NodeId.random(random));
        scheduler.runFor(Duration.ofMillis(2 * srtt - 10));
        assertEquals(3, findNodesSent());
        scheduler.runFor(Duration.ofMillis(20));
        assertEquals(6, findNodesSent());
    }

    private int findNodesSent() {
        return (int) transport.sent.stream().filter(s -> s.message() instanceof FindNodeMessage).count();
    }

    /** Runs {@code total} of virtual time, answering each FIND_NODE (with no contacts) {@code delay} after it left. */
    private void answerFindNodesAfter(Duration delay, Duration total) {
        java.util.Map<Integer, Long> seen = new java.util.HashMap<>();
        for (long t = 0; t < total.toMillis(); t += 10) {
            for (int k = 0; k < transport.sent.size(); k++) {
                RecordingTransport.Sent s = transport.sent.get(k);
                if (s.message() instanceof FindNodeMessage q) {
                    long first = seen.computeIfAbsent(k, x -> scheduler.nowMillis());
                    if (first >= 0 && scheduler.nowMillis() - first >= delay.toMillis()) {
                        seen.put(k, -1L);
                        transport.receive(s.to(), new NodesMessage(q.requestId(), new byte[16], List.of()));
                    }
                }
            }
            scheduler.runFor(Duration.ofMillis(10));
        }
    }

    @Test
    void repliesAreTrustedOnlyFromTheNodeAsked() {
        Contact peer = contact("198.51.100.1");
        Contact other = contact("198.51.101.1");
        ask(peer, new PingMessage(1)); // the node now knows peer
        transport.sent.clear();
        var f = node.findClosest(NodeId.random(random));
        scheduler.runFor(Duration.ofMillis(1));
        FindNodeMessage q = (FindNodeMessage) transport.last();
        // same request id, wrong sender: dropped
        transport.receive(other, new NodesMessage(q.requestId(), new byte[16], List.of()));
        // right sender, wrong type: dropped
        transport.receive(peer, new PongMessage(q.requestId()));
        // unknown id: dropped
        transport.receive(peer, new NodesMessage(q.requestId() + 1, new byte[16], List.of()));
        scheduler.runFor(Duration.ofMillis(1));
        assertTrue(!f.isDone());
        assertEquals(2, node.stats().get(DhtStats.Counter.DROP_WRONG_SOURCE));
        assertEquals(1, node.stats().get(DhtStats.Counter.DROP_UNMATCHED_REPLY));
        transport.receive(peer, new NodesMessage(q.requestId(), new byte[16], List.of()));
        scheduler.runFor(Duration.ofMillis(1));
        assertTrue(f.isDone());
        assertEquals(List.of(peer), f.join());
        assertNotNull(node.routingTable().get(peer.id()));
    }

    @Test
    void pendingRequestsAreCapped() {
        DhtConfig small = new DhtConfig(20, 3, Duration.ofSeconds(2), 1, Duration.ofSeconds(10),
                Duration.ofMinutes(15), Duration.ofHours(1), 2, 10, 0, 1, 3, Duration.ofMinutes(5), 100, 200, 10,
                1000, 20, false);
        start(small);
        for (int i = 0; i < 5; i++) {
            ask(contact("198.51." + (100 + i) + ".1"), new PingMessage(i));
        }
        var f1 = node.findClosest(NodeId.random(random));
        var f2 = node.findClosest(NodeId.random(random));
        scheduler.runFor(Duration.ofMillis(1));
        assertEquals(3, node.pendingRequests());
        assertTrue(node.stats().get(DhtStats.Counter.DROP_PENDING_FULL) >= 3);
        scheduler.runFor(Duration.ofSeconds(30));
        assertTrue(f1.isDone() && f2.isDone());
        assertEquals(0, node.pendingRequests());
    }
}
