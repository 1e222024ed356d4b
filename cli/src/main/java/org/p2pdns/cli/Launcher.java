package org.p2pdns.cli;

import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.control.ResolveReply;

/**
 * Starts what {@code p2p} runs: a node, an introduction server, a one-shot lookup. The real implementation
 * ({@link DefaultLauncher}) assembles {@code P2PNode}, the DNS bridge and the introduction server; tests of the command
 * surface may substitute their own.
 */
public interface Launcher {

    /** Something running until closed. */
    interface Service extends AutoCloseable {
        /** One line for the user: what runs where. */
        String describe();

        /** Stops it and releases everything (sockets, store, files); idempotent. */
        @Override
        void close();
    }

    /** Starts a node with {@code config} and returns once it is running (joining may go on in the background). */
    Service startNode(NodeConfig config, Progress progress) throws Exception;

    /** Starts an introduction server with the intro-server settings of {@code config}. */
    Service startIntroServer(NodeConfig config, Progress progress) throws Exception;

    /**
     * Resolves {@code name} without a running node: starts a temporary node on an ephemeral port (no DNS bridge, no
     * control API), joins through the configured bootstrap peers and introduction servers, resolves, stops.
     */
    ResolveReply resolveOnce(NodeConfig config, String name, Progress progress) throws Exception;
}
