package org.p2pdns.node.resolve;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.time.Scheduler;

/**
 * A DHT stand-in for unit tests: puts are validated by the record policy against one held value per key (like one
 * storing node), gets are answered by the test step by step.
 */
final class ScriptedDht implements RecordDht {

    /** A get in progress, driven by the test. */
    static final class PendingGet {
        final NodeId key;
        final Consumer<byte[]> onValue;
        final CompletableFuture<GetResult> future = new CompletableFuture<>();

        PendingGet(NodeId key, Consumer<byte[]> onValue) {
            this.key = key;
            this.onValue = onValue;
        }

        void deliver(byte[] value) {
            onValue.accept(value);
        }

        void end(GetResult.Status status) {
            future.complete(new GetResult(status, null, 5, -1));
        }
    }

    final RecordPolicy policy;
    final Scheduler scheduler;
    final Map<NodeId, byte[]> held = new HashMap<>();
    final List<byte[]> puts = new ArrayList<>();
    final List<PendingGet> gets = new ArrayList<>();
    int replicas = 3;
    boolean amongClosest;

    ScriptedDht(RecordPolicy policy, Scheduler scheduler) {
        this.policy = policy;
        this.scheduler = scheduler;
    }

    @Override
    public CompletableFuture<PutResult> put(NodeId key, byte[] value) {
        puts.add(value.clone());
        StoreOutcome o = policy.validate(key, value, held.get(key), scheduler.nowMillis());
        if (o == StoreOutcome.STORED) {
            held.put(key, value.clone());
        }
        Map<StoreOutcome, Integer> outcomes = new EnumMap<>(StoreOutcome.class);
        outcomes.put(o, replicas);
        return CompletableFuture.completedFuture(new PutResult(o == StoreOutcome.STORED ? replicas : 0, outcomes,
                List.of()));
    }

    @Override
    public CompletableFuture<GetResult> get(NodeId key, Consumer<byte[]> onValidValue) {
        PendingGet g = new PendingGet(key, onValidValue);
        gets.add(g);
        return g.future;
    }

    @Override
    public boolean isAmongClosest(NodeId key) {
        return amongClosest;
    }

    PendingGet lastGet() {
        return gets.get(gets.size() - 1);
    }
}
