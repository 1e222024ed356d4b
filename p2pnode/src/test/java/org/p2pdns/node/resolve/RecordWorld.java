package org.p2pdns.node.resolve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.sim.SimConfig;
import org.p2pdns.node.sim.SimNetwork;
import org.p2pdns.node.sim.SimNode;
import org.p2pdns.node.store.NodeStore;

/**
 * A simulated network whose nodes run the record layer: RecordPolicy in the DHT, and per node an in-memory
 * NodeStore, a RecordResolver and a RecordPublisher (proof of work inline: the simulation is single-threaded).
 */
final class RecordWorld {

    final NetworkParams params;
    final RecordPolicy policy;
    final SimNetwork net;
    final List<NodeStore> stores = new ArrayList<>();
    final List<RecordResolver> resolvers = new ArrayList<>();
    final List<RecordPublisher> publishers = new ArrayList<>();

    RecordWorld(long seed, int nodes, NetworkParams params) {
        this.params = params;
        this.policy = new RecordPolicy(params);
        this.net = new SimNetwork(seed, SimConfig.defaults());
        for (int i = 0; i < nodes; i++) {
            SimNode n = net.addNode(policy);
            RecordDht dht = RecordDht.of(n::dht);
            NodeStore store = NodeStore.inMemory();
            stores.add(store);
            // grace of 1 s: simulated links are 10-150 ms one way, so the first replies take up to ~300 ms
            resolvers.add(new RecordResolver(dht, policy, store, n.store(), net.scheduler(),
                    new RecordResolver.Config(Duration.ofSeconds(12), Duration.ofSeconds(1))));
            publishers.add(new RecordPublisher(dht, store, params, net.scheduler(), Runnable::run,
                    Duration.ofHours(24), k -> Optional.empty()));
        }
        net.bootstrapAll(Duration.ofMinutes(10));
    }

    SimNode node(int i) {
        return net.nodes().get(i);
    }

    <T> T await(CompletableFuture<T> f) {
        assertTrue(net.scheduler().runUntil(f::isDone, Duration.ofMinutes(2)), "future did not complete");
        return f.join();
    }

    /** Lets virtual time pass (republish timers, DHT maintenance). */
    void run(Duration d) {
        net.scheduler().runFor(d);
    }

    void close() {
        publishers.forEach(RecordPublisher::close);
        stores.forEach(NodeStore::close);
    }
}
