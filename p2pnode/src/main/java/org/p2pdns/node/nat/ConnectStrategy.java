package org.p2pdns.node.nat;

import java.util.concurrent.CompletableFuture;

/** One way of reaching a peer, a link of the {@link ConnectivityChain}. */
public interface ConnectStrategy {

    /** The kind of path this strategy yields. */
    PathKind kind();

    /** Tries to reach {@code target}; completes with the path, or exceptionally when this way does not work. */
    CompletableFuture<PeerPath> attempt(ConnectTarget target);
}
