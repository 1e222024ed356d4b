package org.p2pdns.node.dht.store;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.dht.routing.ContactRules;
import org.p2pdns.node.identity.NodeId;

/**
 * Admission control for STOREs from peers: a per-sender rate limit (token bucket) and quotas on how many held values
 * one sender node id and one sender /24 (IPv4) or /48 (IPv6) may account for, plus a cap on the whole store. Values a
 * sender replaces under a key it already accounts for do not count twice. Event-thread only; memory is bounded.
 */
public final class StoreGuard {

    private static final int MAX_RATE_ENTRIES = 4096;

    private record Owner(NodeId peer, long prefix) {
    }

    private static final class RateBucket {
        double tokens;
        long at;
    }

    private final int perPeer;
    private final int perPrefix;
    private final int maxValues;
    private final double ratePerMilli;
    private final double burst;
    private final Map<NodeId, Owner> ownerOfKey = new HashMap<>();
    private final Map<NodeId, Integer> peerCount = new HashMap<>();
    private final Map<Long, Integer> prefixCount = new HashMap<>();
    private final Map<NodeId, RateBucket> rates = new HashMap<>();

    public StoreGuard(int perPeer, int perPrefix, int storesPerSecond, int maxValues) {
        this.perPeer = perPeer;
        this.perPrefix = perPrefix;
        this.maxValues = maxValues;
        this.ratePerMilli = storesPerSecond / 1000.0;
        this.burst = 4.0 * storesPerSecond;
    }

    /** Rebuilds the per-sender counts from what a (persistent) store already holds. */
    public void rebuild(ValueStore store) {
        for (ValueStore.Entry e : store.entries()) {
            if (e.fromPeer() != null) {
                account(e.key(), new Owner(e.fromPeer(), Long.MIN_VALUE));
            }
        }
    }

    /** Takes one STORE from the sender's rate budget; false when it is sending too fast. */
    public boolean allowRate(NodeId sender, long now) {
        RateBucket b = rates.get(sender);
        if (b == null) {
            if (rates.size() >= MAX_RATE_ENTRIES) {
                // forget buckets that have refilled: they carry no state worth keeping
                rates.values().removeIf(r -> r.tokens + (now - r.at) * ratePerMilli >= burst);
                if (rates.size() >= MAX_RATE_ENTRIES) {
                    return false;
                }
            }
            b = new RateBucket();
            b.tokens = burst;
            b.at = now;
            rates.put(sender, b);
        }
        b.tokens = Math.min(burst, b.tokens + (now - b.at) * ratePerMilli);
        b.at = now;
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }

    /** Whether a new value under {@code key} from {@code sender} at {@code ip} fits the quotas (null = fits). */
    public StoreOutcome checkQuota(NodeId key, NodeId sender, InetAddress ip, int storeSize) {
        Owner held = ownerOfKey.get(key);
        long prefix = ContactRules.prefixOf(ip);
        if (held != null && held.peer.equals(sender)) {
            return null;
        }
        if (held == null && storeSize >= maxValues) {
            return StoreOutcome.STORE_FAILED;
        }
        if (peerCount.getOrDefault(sender, 0) >= perPeer || prefixCount.getOrDefault(prefix, 0) >= perPrefix) {
            return StoreOutcome.QUOTA_EXCEEDED;
        }
        return null;
    }

    /** Records that {@code sender} now accounts for the value under {@code key}. */
    public void accepted(NodeId key, NodeId sender, InetAddress ip) {
        account(key, new Owner(sender, ContactRules.prefixOf(ip)));
    }

    private void account(NodeId key, Owner o) {
        released(key);
        ownerOfKey.put(key, o);
        peerCount.merge(o.peer, 1, Integer::sum);
        if (o.prefix != Long.MIN_VALUE) {
            prefixCount.merge(o.prefix, 1, Integer::sum);
        }
    }

    /** The value under {@code key} is gone (expired or replaced). */
    public void released(NodeId key) {
        Owner o = ownerOfKey.remove(key);
        if (o == null) {
            return;
        }
        peerCount.computeIfPresent(o.peer, (p, n) -> n <= 1 ? null : n - 1);
        if (o.prefix != Long.MIN_VALUE) {
            prefixCount.computeIfPresent(o.prefix, (p, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Values accounted to {@code sender}. */
    public int countFor(NodeId sender) {
        return peerCount.getOrDefault(sender, 0);
    }
}
