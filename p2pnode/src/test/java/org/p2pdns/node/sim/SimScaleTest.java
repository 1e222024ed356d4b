package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.LookupResult;
import org.p2pdns.node.identity.NodeId;

/**
 * 10,000 nodes in one JVM: all join, and lookups find the true k closest. About a minute of one core;
 * {@code -Dp2pdns.simScaleNodes=N} runs it at another size (e.g. on a crowded machine).
 */
class SimScaleTest {

    @Test
    void tenThousandNodesJoinAndLookUp() {
        int size = Integer.getInteger("p2pdns.simScaleNodes", 10_000);
        SimConfig cfg = SimConfig.defaults().withWaves(5, 500, 3);
        SimNetwork net = new SimNetwork(10_000, cfg);
        for (int i = 0; i < size; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        long t0 = System.nanoTime();
        net.bootstrapAll(Duration.ofHours(1));
        long joinMs = (System.nanoTime() - t0) / 1_000_000;
        int minTable = Integer.MAX_VALUE;
        for (SimNode n : net.nodes()) {
            assertTrue(n.dht().isReady());
            minTable = Math.min(minTable, n.dht().routingTable().size());
        }
        assertTrue(minTable >= 20, "smallest table " + minTable);
        int exact = 0;
        int lookups = 100;
        List<Integer> hops = new ArrayList<>();
        for (int i = 0; i < lookups; i++) {
            NodeId target = NodeId.random(net.random());
            SimNode from = net.nodes().get(net.random().nextInt(net.nodes().size()));
            CompletableFuture<LookupResult> f = from.dht().lookup(target);
            assertTrue(net.scheduler().runUntil(f::isDone, Duration.ofMinutes(1)));
            List<NodeId> got = new ArrayList<>();
            f.join().closest().forEach(c -> got.add(c.id()));
            hops.add(f.join().hops());
            List<NodeId> truth = new ArrayList<>();
            for (SimNode n : net.trueClosest(target, 21)) {
                if (n != from && truth.size() < 20) {
                    truth.add(n.contact().id());
                }
            }
            if (got.equals(truth)) {
                exact++;
            }
        }
        System.out.printf(size + " nodes: join %d ms real, %d messages, min table %d, %d/%d lookups exact, hops %s%n",
                joinMs, net.messagesDelivered(), minTable, exact, lookups, hops.stream().sorted().toList().get(49));
        assertTrue(exact >= 99, exact + " of " + lookups + " lookups exact");
    }
}
