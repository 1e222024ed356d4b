package org.p2pdns.node.control;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.api.Resolution;

/**
 * What the control API asks of a running node. Called from the control server's threads; an implementation posts
 * the work to the node's event thread. Futures complete within the node's own time limits.
 */
public interface NodeControl {

    /** Resolves an overlay name through the DHT. */
    CompletableFuture<Resolution> resolve(String name);

    /**
     * Publishes (or updates, with a higher sequence number) the record set of {@code name}, owned by the node's owner
     * key for that name (created on first registration). {@code records} are dnsjava records whose owner names are
     * the name or names under it.
     */
    CompletableFuture<PublishReply> publish(String name, List<org.xbill.DNS.Record> records, long ttlSeconds);

    /**
     * Like {@link #publish(String, List, long)}, signed with the owner key stored under {@code keyAlias} (null: the
     * node's choice). A node that cannot choose keys refuses an alias.
     */
    default CompletableFuture<PublishReply> publish(String name, List<org.xbill.DNS.Record> records, long ttlSeconds,
                                                    String keyAlias) {
        if (keyAlias != null) {
            return CompletableFuture.completedFuture(new PublishReply(name, PublishReply.PublishStatus.FAILED, 0, 0,
                    "this node does not select owner keys by alias"));
        }
        return publish(name, records, ttlSeconds);
    }

    /** Stops republishing {@code name}, so its record expires and the name becomes free. */
    CompletableFuture<PublishReply> lapse(String name);

    /** Forgets the owner key remembered for {@code name}, so that the next resolution trusts the owner it finds. */
    CompletableFuture<PublishReply> acceptOwner(String name);

    /** A snapshot of the node's state. */
    CompletableFuture<NodeStatus> status();
}
