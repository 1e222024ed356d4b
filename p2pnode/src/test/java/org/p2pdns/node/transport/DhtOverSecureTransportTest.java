package org.p2pdns.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.sim.SimValuePolicy;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.TransportStats.Counter;

/**
 * The DHT running over the real secure transport (Noise sessions on an in-memory datagram network, virtual time):
 * bootstrap by address (XX), lookups and stores to peers met through the table (IK), and both ends authenticated.
 */
class DhtOverSecureTransportTest {

    @Test
    void nodesJoinStoreAndFindAValueThroughSecureSessions() throws Exception {
        VirtualScheduler scheduler = new VirtualScheduler();
        LoopbackDatagramNetwork net = new LoopbackDatagramNetwork(scheduler, Duration.ofMillis(10));
        Random random = new Random(42);
        // all test addresses share 10.0.0.0/24: lift the per-prefix limits, which the DHT's own tests cover
        DhtConfig dhtConfig = DhtConfig.defaults(NetworkParams.TEST).withPrefixLimits(20, 1000, true);
        TransportConfig transportConfig = TransportConfig.forNetwork(NetworkParams.TEST);
        List<DhtNode> nodes = new ArrayList<>();
        List<SecureTransport> transports = new ArrayList<>();
        InetSocketAddress first = null;
        for (int i = 0; i < 12; i++) {
            LoopbackDatagramNetwork.Endpoint e = net.endpoint();
            SecureTransport t = new SecureTransport(NodeIdentity.generate(random), e, scheduler, random,
                    transportConfig, new TransportStats());
            e.setReceiver(t);
            DhtNode n = new DhtNode(dhtConfig, t.self(), t, scheduler, random, SimValuePolicy.INSTANCE,
                    new InMemoryValueStore());
            n.start(first == null ? List.of() : List.of(first));
            if (first == null) {
                first = e.address;
            }
            nodes.add(n);
            transports.add(t);
            scheduler.runFor(Duration.ofMillis(500));
        }
        scheduler.runFor(Duration.ofSeconds(30));
        for (DhtNode n : nodes) {
            assertTrue(n.routingTable().size() >= 5, "table of " + n.self() + ": " + n.routingTable().size());
        }
        NodeId key = NodeId.hashOf("some name");
        long expires = scheduler.nowMillis() + Duration.ofHours(1).toMillis();
        CompletableFuture<PutResult> put = nodes.get(3).put(key, SimValuePolicy.value(1, expires, "hello"));
        scheduler.runUntil(put::isDone, Duration.ofSeconds(30));
        assertTrue(put.get().acks() >= 5, put.get().toString());
        CompletableFuture<GetResult> get = nodes.get(9).get(key, v -> { });
        scheduler.runUntil(get::isDone, Duration.ofSeconds(30));
        assertEquals(GetResult.Status.FOUND, get.get().status());
        assertEquals("hello", SimValuePolicy.payload(get.get().value()));
        long handshakes = 0;
        for (SecureTransport t : transports) {
            TransportStats s = t.stats();
            handshakes += s.get(Counter.HANDSHAKES_COMPLETED);
            assertEquals(0, s.get(Counter.INTERNAL_ERRORS) + s.get(Counter.BAD_MAC) + s.get(Counter.HANDLER_ERRORS)
                    + s.get(Counter.HANDSHAKE_KEY_MISMATCH) + s.get(Counter.UNKNOWN_SESSION), s.toString());
            assertTrue(s.get(Counter.MESSAGES_SENT) > 0);
        }
        // a full mesh of 12 nodes: one session per pair, no duplicates from simultaneous opens or stale sessions
        assertEquals(66, handshakes);
    }
}
