package org.p2pdns.node.reach;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.resolve.RecordDht;
import org.p2pdns.node.time.Scheduler;

/** A one-map DHT in virtual time for the reach layer's tests: validates puts with ReachPolicy, counts calls. */
final class FakeDht implements RecordDht {
    final Scheduler scheduler;
    final ReachPolicy policy = new ReachPolicy(NetworkParams.TEST);
    final Map<NodeId, byte[]> values = new HashMap<>();
    final List<byte[]> puts = new ArrayList<>();
    int gets;
    /** Whether a put reaches another node (else it is stored only at the publisher). */
    boolean reachable = true;
    final Contact other = Contact.of(new byte[32], new java.net.InetSocketAddress("192.0.2.99", 4000));

    FakeDht(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public CompletableFuture<PutResult> put(NodeId key, byte[] value) {
        puts.add(value);
        StoreOutcome o = policy.validate(key, value, values.get(key), scheduler.nowMillis());
        if (o != StoreOutcome.STORED) {
            throw new AssertionError("published an invalid record: " + o);
        }
        CompletableFuture<PutResult> f = new CompletableFuture<>();
        scheduler.schedule(java.time.Duration.ofMillis(50), () -> {
            if (reachable) {
                values.put(key, value);
                f.complete(new PutResult(1, Map.of(StoreOutcome.STORED, 1), List.of(other)));
            } else {
                f.complete(new PutResult(0, Map.of(), List.of()));
            }
        });
        return f;
    }

    @Override
    public CompletableFuture<GetResult> get(NodeId key, Consumer<byte[]> onValidValue) {
        gets++;
        CompletableFuture<GetResult> f = new CompletableFuture<>();
        scheduler.schedule(java.time.Duration.ofMillis(50), () -> {
            byte[] v = values.get(key);
            if (v != null && policy.validate(key, v, null, scheduler.nowMillis()) == StoreOutcome.STORED) {
                onValidValue.accept(v);
                f.complete(new GetResult(GetResult.Status.FOUND, v, 1, 50));
            } else {
                f.complete(new GetResult(GetResult.Status.NOT_FOUND, null, 1, -1));
            }
        });
        return f;
    }
}
