package org.p2pdns.node.resolve;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.identity.NodeId;

/**
 * What the record layer needs of the DHT: {@code DhtNode}'s put and get. An interface so that the publisher and
 * resolver can be tested against scripted DHTs as well as the simulator. Both methods are called on the node's event
 * thread.
 */
public interface RecordDht {

    /** Stores {@code value} at the k closest nodes to {@code key}. */
    CompletableFuture<PutResult> put(NodeId key, byte[] value);

    /**
     * Looks {@code key} up; {@code onValidValue} gets each valid value newer than the ones before it, as it arrives,
     * while the lookup goes on.
     */
    CompletableFuture<GetResult> get(NodeId key, Consumer<byte[]> onValidValue);

    /**
     * True when this node is among the k closest it knows to {@code key}, i.e. one of the replicas an owner's
     * republish reaches. A value this node holds while it is not is a cached copy that may have missed updates.
     * Called on the event thread; the default (unknown) says false.
     */
    default boolean isAmongClosest(NodeId key) {
        return false;
    }

    /** The record layer's view of {@code node}. */
    static RecordDht of(DhtNode node) {
        return of(() -> node);
    }

    /** The record layer's view of whatever DHT node {@code node} returns at each call (e.g. a simulated node that is
     * restarted as a new DhtNode). */
    static RecordDht of(Supplier<DhtNode> node) {
        return new RecordDht() {
            @Override
            public CompletableFuture<PutResult> put(NodeId key, byte[] value) {
                return node.get().put(key, value);
            }

            @Override
            public CompletableFuture<GetResult> get(NodeId key, Consumer<byte[]> onValidValue) {
                return node.get().get(key, onValidValue);
            }

            @Override
            public boolean isAmongClosest(NodeId key) {
                DhtNode n = node.get();
                int k = n.config().k();
                java.util.List<org.p2pdns.node.dht.Contact> closest = n.routingTable().closest(key, k);
                return closest.size() < k
                        || key.compareDistance(n.self().id(), closest.get(closest.size() - 1).id()) < 0;
            }
        };
    }
}
