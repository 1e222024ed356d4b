package org.p2pdns.node.dht;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.sim.SimValuePolicy;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.transport.MessageTransport;

/**
 * Nodes on real event threads (one {@link EventLoopScheduler} each, real time) calling each other through an in-JVM
 * transport: the public API is used from the test thread, as the resolver and CLI will use it.
 */
class ThreadedNodesTest {

    /** Delivers on the receiver's event thread, as the UDP transport does. */
    static final class Hub {
        final Map<InetSocketAddress, Endpoint> endpoints = new ConcurrentHashMap<>();
    }

    static final class Endpoint implements MessageTransport {
        final Hub hub;
        final Contact self;
        final EventLoopScheduler scheduler;
        volatile MessageHandler handler;

        Endpoint(Hub hub, Contact self, EventLoopScheduler scheduler) {
            this.hub = hub;
            this.self = self;
            this.scheduler = scheduler;
            hub.endpoints.put(self.address(), this);
        }

        @Override
        public Contact self() {
            return self;
        }

        @Override
        public void send(Contact to, byte[] message) {
            sendToAddress(to.address(), message);
        }

        @Override
        public void sendToAddress(InetSocketAddress to, byte[] message) {
            Endpoint e = hub.endpoints.get(to);
            if (e != null && message.length <= MAX_MESSAGE) {
                byte[] copy = message.clone();
                e.scheduler.execute(() -> {
                    MessageHandler h = e.handler;
                    if (h != null) {
                        h.onMessage(self, copy);
                    }
                });
            }
        }

        @Override
        public void setHandler(MessageHandler handler) {
            this.handler = handler;
        }
    }

    final List<EventLoopScheduler> schedulers = new ArrayList<>();

    @AfterEach
    void close() {
        schedulers.forEach(EventLoopScheduler::close);
    }

    @Test
    void putAndGetAcrossEventThreads() throws Exception {
        Hub hub = new Hub();
        Random seeds = new Random(4);
        List<DhtNode> nodes = new ArrayList<>();
        Map<DhtNode, InetSocketAddress> addrs = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            byte[] key = new byte[32];
            seeds.nextBytes(key);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 20_000 + i);
            Contact c = Contact.of(key, a);
            EventLoopScheduler s = new EventLoopScheduler("dht-" + i);
            schedulers.add(s);
            DhtNode n = new DhtNode(DhtConfig.defaults(NetworkParams.TEST), c, new Endpoint(hub, c, s), s,
                    new Random(seeds.nextLong()), SimValuePolicy.INSTANCE, new InMemoryValueStore());
            nodes.add(n);
            addrs.put(n, a);
        }
        nodes.get(0).start(List.of());
        nodes.get(0).whenReady().get(10, SECONDS);
        for (DhtNode n : nodes.subList(1, nodes.size())) {
            n.start(List.of(addrs.get(nodes.get(0))));
        }
        for (DhtNode n : nodes) {
            n.whenReady().get(10, SECONDS);
            // at least half of k: on real threads a loaded machine can time a join request out (the reply then
            // arrives late); that every node of a simultaneous join holds k contacts is checked in virtual time by
            // SimBehaviourTest, and the put below still needs 20 acknowledgements
            int contacts = n.contactsSnapshot().get(10, SECONDS).size();
            assertTrue(contacts >= 10 || n == nodes.get(0), "contacts " + contacts);
        }
        long exp = System.currentTimeMillis() + 3_600_000;
        NodeId key = NodeId.hashOf("threaded");
        PutResult p = nodes.get(3).put(key, SimValuePolicy.value(1, exp, "t")).get(10, SECONDS);
        assertTrue(p.acks() >= 20, "acks " + p.acks());
        List<byte[]> seen = new ArrayList<>();
        GetResult g = nodes.get(17).get(key, seen::add).get(10, SECONDS);
        assertEquals(GetResult.Status.FOUND, g.status());
        assertEquals("t", SimValuePolicy.payload(g.value()));
        assertEquals(1, seen.size());
    }
}
