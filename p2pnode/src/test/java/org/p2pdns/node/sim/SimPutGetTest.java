package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.identity.NodeId;

class SimPutGetTest {

    static <T> T await(SimNetwork net, CompletableFuture<T> f) {
        assertTrue(net.scheduler().runUntil(f::isDone, Duration.ofMinutes(2)), "future did not complete");
        return f.join();
    }

    static SimNetwork network(long seed, int n) {
        SimNetwork net = new SimNetwork(seed, SimConfig.defaults());
        for (int i = 0; i < n; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        net.bootstrapAll(Duration.ofMinutes(10));
        return net;
    }

    @Test
    void putThenGetFromEveryWhereAt100Nodes() {
        SimNetwork net = network(42, 100);
        long exp = net.scheduler().nowMillis() + 3_600_000;
        List<NodeId> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            NodeId key = NodeId.random(net.random());
            keys.add(key);
            SimNode publisher = net.nodes().get(net.random().nextInt(100));
            PutResult r = await(net, publisher.dht().put(key, SimValuePolicy.value(1, exp, "v" + i)));
            assertTrue(r.acks() >= 15, "acks " + r.acks() + " " + r.outcomes());
        }
        int found = 0;
        for (int i = 0; i < keys.size(); i++) {
            SimNode reader = net.nodes().get(net.random().nextInt(100));
            List<byte[]> seen = new ArrayList<>();
            GetResult g = await(net, reader.dht().get(keys.get(i), seen::add));
            assertEquals(GetResult.Status.FOUND, g.status(), "key " + i);
            assertNotNull(g.value());
            assertEquals("v" + i, SimValuePolicy.payload(g.value()));
            assertEquals(1, seen.size());
            found++;
        }
        assertEquals(keys.size(), found);
    }

    @Test
    void newerValueWinsAndStaleReplicasAreRepaired() {
        SimNetwork net = network(7, 100);
        long exp = net.scheduler().nowMillis() + 3_600_000;
        NodeId key = NodeId.random(net.random());
        await(net, net.nodes().get(3).dht().put(key, SimValuePolicy.value(1, exp, "old")));
        await(net, net.nodes().get(4).dht().put(key, SimValuePolicy.value(2, exp, "new")));
        GetResult g = await(net, net.nodes().get(50).dht().get(key, v -> { }));
        assertEquals(GetResult.Status.FOUND, g.status());
        assertEquals(2, SimValuePolicy.sequence(g.value()));
    }

    @Test
    void missingKeyIsNotFound() {
        SimNetwork net = network(9, 50);
        GetResult g = await(net, net.nodes().get(1).dht().get(NodeId.random(net.random()), v -> { }));
        assertEquals(GetResult.Status.NOT_FOUND, g.status());
        assertTrue(g.contacted() >= 20);
    }
}
