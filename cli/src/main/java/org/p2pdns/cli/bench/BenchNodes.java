package org.p2pdns.cli.bench;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The nodes a bench agent hosts: what the protocol in {@link BenchAgent} drives. */
public interface BenchNodes extends AutoCloseable {

    /** A put's outcome: latency inside the agent, the opaque ref for gets, replicas that acknowledged. */
    record PutOutcome(long ms, String ref, int replicas) {
    }

    /** A get's outcome. {@code firstMs} and {@code seq} are -1 when unknown. */
    record GetOutcome(boolean found, String value, long ms, long firstMs, long seq) {
    }

    /** One live node for stats: index, initial join finished, routing-table contacts. */
    record NodeInfo(int idx, boolean ready, int table) {
    }

    /** Starts node {@code idx} on 127.0.0.1:{@code port} (0 = any) joining through {@code bootstrap}; returns its port. */
    int start(int idx, int port, List<InetSocketAddress> bootstrap) throws Exception;

    /**
     * Waits, at most {@code timeout}, until the given nodes have finished their initial join (the start reply then
     * means "ready to serve"); returns the indexes still joining.
     */
    default List<Integer> awaitJoined(List<Integer> idx, java.time.Duration timeout) throws InterruptedException {
        return List.of();
    }

    CompletableFuture<PutOutcome> put(int node, String name, String value);

    CompletableFuture<GetOutcome> get(int node, String name, String ref);

    /** Hard stop: close the node's socket, keep nothing of it running. */
    void kill(int node);

    List<NodeInfo> nodes();

    /** Implementation name and version for hello and stats. */
    String impl();

    @Override
    void close();
}
