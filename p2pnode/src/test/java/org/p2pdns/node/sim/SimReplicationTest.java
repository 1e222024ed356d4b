package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtStats;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;

/** Durability: hand-off to a new close node, periodic re-replication after holders die, repair of stale replicas. */
class SimReplicationTest {

    static int holders(SimNetwork net, NodeId key, long minSeq) {
        int n = 0;
        for (SimNode s : net.trueClosest(key, 20)) {
            ValueStore.Entry e = s.store().get(key);
            if (e != null && SimValuePolicy.sequence(e.value()) >= minSeq) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aNewNodeAmongTheClosestReceivesHeldValues() {
        SimNetwork net = SimBehaviourTest.network(21, 100, SimConfig.defaults());
        long exp = net.scheduler().nowMillis() + 6 * 3_600_000L;
        NodeId key = NodeId.random(net.random());
        SimBehaviourTest.await(net, net.nodes().get(0).dht().put(key, SimValuePolicy.value(1, exp, "h")));
        // a newcomer whose id is closer to the key than anyone's
        byte[] pub = new byte[32];
        Contact c;
        do {
            net.random().nextBytes(pub);
            c = Contact.of(pub, new InetSocketAddress(SimNetwork.addressOf(7000).getAddress(), 4000));
        } while (c.id().commonPrefixLength(key) < 10);
        SimNode newcomer = net.addNode(c, SimValuePolicy.INSTANCE, InMemoryValueStore::new, net.config().dht());
        net.bootstrapAll(Duration.ofMinutes(5));
        net.scheduler().runFor(Duration.ofSeconds(30));
        assertNotNull(newcomer.store().get(key), "the closest holder handed the value over");
        assertTrue(net.nodes().stream().mapToLong(n -> n.dht().stats().get(DhtStats.Counter.REPLICATE_SENT)).sum() > 0);
    }

    @Test
    void valuesAreReReplicatedAfterHoldersDie() {
        SimConfig cfg = SimConfig.defaults().withDht(SimConfig.defaults().dht()
                .withMaintenance(Duration.ofMinutes(15), Duration.ofMinutes(10)));
        SimNetwork net = SimBehaviourTest.network(22, 150, cfg);
        long exp = net.scheduler().nowMillis() + 6 * 3_600_000L;
        List<NodeId> keys = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            NodeId key = NodeId.random(net.random());
            keys.add(key);
            SimBehaviourTest.await(net, net.nodes().get(i).dht().put(key, SimValuePolicy.value(1, exp, "r")));
        }
        // half of each key's holders die
        for (NodeId key : keys) {
            List<SimNode> closest = net.trueClosest(key, 20);
            for (int i = 0; i < 10; i++) {
                net.kill(closest.get(i * 2));
            }
        }
        for (NodeId key : keys) {
            assertTrue(holders(net, key, 1) <= 15, "the new closest set is incomplete before repair");
        }
        net.scheduler().runFor(Duration.ofMinutes(25));
        for (NodeId key : keys) {
            assertTrue(holders(net, key, 1) >= 18, "re-replicated: " + holders(net, key, 1) + " of 20");
        }
    }

    @Test
    void aGetRepairsStaleReplicasWithTheNewestValue() {
        SimNetwork net = SimBehaviourTest.network(23, 100, SimConfig.defaults());
        long exp = net.scheduler().nowMillis() + 6 * 3_600_000L;
        NodeId key = NodeId.random(net.random());
        SimBehaviourTest.await(net, net.nodes().get(0).dht().put(key, SimValuePolicy.value(1, exp, "old")));
        // sequence 2 reaches only a few of the closest (written directly into their stores, as after a partition)
        List<SimNode> closest = net.trueClosest(key, 20);
        byte[] v2 = SimValuePolicy.value(2, exp, "new");
        for (SimNode s : closest.subList(0, 3)) {
            s.store().put(new ValueStore.Entry(key, v2, exp, net.scheduler().nowMillis(), null));
        }
        List<Long> seen = new ArrayList<>();
        GetResult g = SimBehaviourTest.await(net, net.nodes().get(60).dht().get(key,
                v -> seen.add(SimValuePolicy.sequence(v))));
        assertEquals(2, SimValuePolicy.sequence(g.value()));
        assertEquals(seen, seen.stream().sorted().distinct().toList(), "callbacks only for newer values");
        net.scheduler().runFor(Duration.ofSeconds(10));
        assertTrue(holders(net, key, 2) >= 18, "stale replicas repaired: " + holders(net, key, 2));
    }
}
