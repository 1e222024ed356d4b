package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

class SimLookupTest {

    @Test
    void lookupsAt1000NodesFindTheTrueKClosest() {
        SimNetwork net = new SimNetwork(1000, SimConfig.defaults());
        for (int i = 0; i < 1000; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        long t0 = System.nanoTime();
        net.bootstrapAll(Duration.ofMinutes(30));
        long joinMs = (System.nanoTime() - t0) / 1_000_000;
        int k = net.config().dht().k();
        int exact = 0;
        int lookups = 200;
        for (int i = 0; i < lookups; i++) {
            NodeId target = NodeId.random(net.random());
            SimNode from = net.nodes().get(net.random().nextInt(net.nodes().size()));
            CompletableFuture<List<Contact>> f = from.dht().findClosest(target);
            assertTrue(net.scheduler().runUntil(f::isDone, Duration.ofMinutes(1)));
            List<NodeId> got = new ArrayList<>();
            f.join().forEach(c -> got.add(c.id()));
            List<NodeId> truth = new ArrayList<>();
            for (SimNode n : net.trueClosest(target, k + 1)) {
                if (!n.contact().id().equals(from.contact().id()) && truth.size() < k) {
                    truth.add(n.contact().id());
                }
            }
            if (got.equals(truth)) {
                exact++;
            }
        }
        System.out.printf("1000 nodes: join %d ms real, %d/%d lookups exact, %d messages%n", joinMs, exact, lookups,
                net.messagesDelivered());
        assertTrue(exact >= lookups * 99 / 100, exact + " of " + lookups + " lookups exact");
        int minTable = Integer.MAX_VALUE;
        for (SimNode n : net.nodes()) {
            minTable = Math.min(minTable, n.dht().routingTable().size());
        }
        assertTrue(minTable >= k, "smallest table " + minTable);
        assertEquals(0, net.messagesDropped());
    }
}
