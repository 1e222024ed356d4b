package org.p2pdns.node.reach;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.ReachabilityInfo;
import org.p2pdns.node.resolve.RecordDht;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.util.LruMap;

/**
 * Finds peers' reachability records in the DHT for the NAT traversal (which introduction servers to ask for a
 * rendezvous or relay) and keeps each until it expires; a peer that published none is not asked again for
 * {@link #NEGATIVE_TTL}. One lookup per peer at a time. The DHT validated every value it hands over (signature, key
 * binding, expiry: {@link ReachPolicy}). Event thread; {@link #lookup} may be called from any thread.
 */
public final class ReachDirectory implements NatTraversal.ReachLookup {

    /** Most peers whose record (or its absence) is remembered. */
    public static final int MAX_CACHED = 1024;
    /** How long "no record" is remembered. */
    public static final Duration NEGATIVE_TTL = Duration.ofSeconds(10);

    private record Entry(ReachRecord record, long untilMillis) {
    }

    private final RecordDht dht;
    private final Scheduler scheduler;
    private final Map<NodeId, Entry> cache = LruMap.withMax(MAX_CACHED);
    private final Map<NodeId, CompletableFuture<ReachabilityInfo>> inFlight = new HashMap<>();
    private long lookups;
    private long hits;

    public ReachDirectory(RecordDht dht, Scheduler scheduler) {
        this.dht = dht;
        this.scheduler = scheduler;
    }

    /** The reachability {@code peer} published, or null when it published none (or nobody answered). */
    @Override
    public CompletableFuture<ReachabilityInfo> lookup(NodeId peer) {
        if (!scheduler.inEventThread()) {
            CompletableFuture<ReachabilityInfo> f = new CompletableFuture<>();
            scheduler.execute(() -> lookup(peer).whenComplete((i, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(i);
                }
            }));
            return f;
        }
        long now = scheduler.nowMillis();
        Entry e = cache.get(peer);
        if (e != null && e.untilMillis() > now) {
            hits++;
            return CompletableFuture.completedFuture(e.record() == null ? null : e.record().info());
        }
        CompletableFuture<ReachabilityInfo> running = inFlight.get(peer);
        if (running != null) {
            return running.copy();
        }
        CompletableFuture<ReachabilityInfo> f = new CompletableFuture<>();
        inFlight.put(peer, f);
        lookups++;
        dht.get(ReachRecord.dhtKey(peer), value -> {
            ReachRecord r = decodeOrNull(value);
            if (r != null && r.nodeId().equals(peer)) {
                cache.put(peer, new Entry(r, r.expiresAtMillis()));
                // the first valid record answers at once; newer ones found later replace it in the cache
                if (inFlight.remove(peer, f)) {
                    f.complete(r.info());
                }
            }
        }).whenComplete((g, err) -> {
            if (inFlight.remove(peer, f)) {
                cache.put(peer, new Entry(null, scheduler.nowMillis() + NEGATIVE_TTL.toMillis()));
                f.complete(null);
            }
        });
        return f.copy();
    }

    /** The record held for {@code peer} (possibly expired), or null. Event thread. */
    public ReachRecord cached(NodeId peer) {
        Entry e = cache.get(peer);
        return e == null ? null : e.record();
    }

    /** DHT lookups started. */
    public long lookups() {
        return lookups;
    }

    /** Lookups answered from the cache. */
    public long hits() {
        return hits;
    }

    private static ReachRecord decodeOrNull(byte[] value) {
        try {
            return ReachRecord.decode(value);
        } catch (ReachFormatException e) {
            return null;
        }
    }
}
