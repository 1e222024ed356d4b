package org.p2pdns.node.nat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.time.Scheduler;

/**
 * The one connectivity chain: an ordered list of strategies (direct, then hole punch, then UPnP, then relay), each
 * tried only when the one before failed. The resulting path carries the total setup time. Event thread only.
 */
public final class ConnectivityChain {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectivityChain.class);

    private final List<ConnectStrategy> strategies;
    private final Scheduler scheduler;

    public ConnectivityChain(List<ConnectStrategy> strategies, Scheduler scheduler) {
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one strategy");
        }
        this.strategies = List.copyOf(strategies);
        this.scheduler = scheduler;
    }

    public List<ConnectStrategy> strategies() {
        return strategies;
    }

    /** Reaches {@code target} by the first strategy that works. */
    public CompletableFuture<PeerPath> connect(ConnectTarget target) {
        long start = scheduler.nowMillis();
        CompletableFuture<PeerPath> result = new CompletableFuture<>();
        step(target, 0, start, result, null);
        return result;
    }

    private void step(ConnectTarget target, int i, long start, CompletableFuture<PeerPath> result, Throwable last) {
        if (i == strategies.size()) {
            result.completeExceptionally(new java.io.IOException("no way to reach " + target.id().shortHex()
                    + (last == null ? "" : ": " + last.getMessage()), last));
            return;
        }
        ConnectStrategy s = strategies.get(i);
        CompletableFuture<PeerPath> f;
        try {
            f = s.attempt(target);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((path, e) -> scheduler.execute(() -> {
            if (e == null && path != null) {
                result.complete(new PeerPath(path.peer(), path.kind(), path.address(), path.via(),
                        Duration.ofMillis(scheduler.nowMillis() - start)));
            } else {
                LOG.debug("{} to {} failed: {}", s.kind(), target.id().shortHex(), e == null ? "no path" : e.toString());
                step(target, i + 1, start, result, e);
            }
        }));
    }
}
