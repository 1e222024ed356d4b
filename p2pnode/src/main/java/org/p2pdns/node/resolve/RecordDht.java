package org.p2pdns.node.resolve;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
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
}
