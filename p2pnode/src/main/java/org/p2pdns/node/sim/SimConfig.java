package org.p2pdns.node.sim;

import java.time.Duration;
import java.util.Objects;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;

/**
 * Shape of a simulated network. Immutable; checks its own invariants.
 *
 * @param minLatencyMillis  one-way latency of the fastest link
 * @param maxLatencyMillis  one-way latency of the slowest link (each link's latency is fixed, drawn from the seed)
 * @param lossRate          probability that any one message is lost (drawn from the network's seeded Random)
 * @param dht               the configuration every node runs with (unless a node is added with its own)
 * @param seedNodes         how many nodes {@link SimNetwork#bootstrapAll} starts first, as everyone's entry points
 * @param waveSize          how many nodes join at once in {@link SimNetwork#bootstrapAll}
 * @param bootstrapContacts how many addresses of already-joined nodes each joining node is given
 */
public record SimConfig(int minLatencyMillis, int maxLatencyMillis, double lossRate, DhtConfig dht, int seedNodes,
                        int waveSize, int bootstrapContacts) {

    public SimConfig {
        if (minLatencyMillis < 0 || maxLatencyMillis < minLatencyMillis) {
            throw new IllegalArgumentException("need 0 <= minLatencyMillis <= maxLatencyMillis");
        }
        if (!(lossRate >= 0 && lossRate < 1)) {
            throw new IllegalArgumentException("lossRate must be in [0, 1), got " + lossRate);
        }
        Objects.requireNonNull(dht, "dht");
        if (seedNodes < 1 || waveSize < 1 || bootstrapContacts < 1) {
            throw new IllegalArgumentException("seedNodes, waveSize and bootstrapContacts must be positive");
        }
    }

    /**
     * 10-150 ms links, no loss, the test network's parameters (no proof of work), 1 s request timeout, 5 seed nodes,
     * waves of 100 nodes with 3 bootstrap addresses each.
     */
    public static SimConfig defaults() {
        DhtConfig d = DhtConfig.defaults(NetworkParams.TEST)
                .withTimeouts(Duration.ofSeconds(1), 1, Duration.ofSeconds(10));
        return new SimConfig(10, 150, 0.0, d, 5, 100, 3);
    }

    public SimConfig withLoss(double rate) {
        return new SimConfig(minLatencyMillis, maxLatencyMillis, rate, dht, seedNodes, waveSize, bootstrapContacts);
    }

    public SimConfig withDht(DhtConfig newDht) {
        return new SimConfig(minLatencyMillis, maxLatencyMillis, lossRate, newDht, seedNodes, waveSize,
                bootstrapContacts);
    }

    public SimConfig withLatency(int min, int max) {
        return new SimConfig(min, max, lossRate, dht, seedNodes, waveSize, bootstrapContacts);
    }

    public SimConfig withWaves(int seeds, int wave, int contacts) {
        return new SimConfig(minLatencyMillis, maxLatencyMillis, lossRate, dht, seeds, wave, contacts);
    }
}
