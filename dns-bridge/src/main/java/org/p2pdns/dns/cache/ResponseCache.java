package org.p2pdns.dns.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.wire.ResponseTemplate;

/**
 * A bounded map from question to encoded response, least recently used evicted first. Entries are kept past their
 * expiry for the serve-stale window (RFC 8767) and then dropped when next touched or evicted.
 */
public final class ResponseCache {

    /** A cached response and its lifetimes (epoch millis). */
    public record Entry(ResponseTemplate template, long expiresAtMillis, long staleUntilMillis) {
        public boolean fresh(long now) {
            return now < expiresAtMillis;
        }

        public boolean usableStale(long now) {
            return now < staleUntilMillis;
        }
    }

    private final int capacity;
    private final BridgeStats stats;
    private final LinkedHashMap<CacheKey, Entry> map;

    public ResponseCache(int capacity, BridgeStats stats) {
        this.capacity = capacity;
        this.stats = stats;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<CacheKey, Entry> eldest) {
                if (size() > ResponseCache.this.capacity) {
                    stats.inc(Counter.CACHE_EVICTIONS);
                    return true;
                }
                return false;
            }
        };
    }

    /** The entry for {@code key}, fresh or stale, or null; entries past their stale window are removed. */
    public Entry get(CacheKey key, long now) {
        synchronized (map) {
            Entry e = map.get(key);
            if (e != null && !e.fresh(now) && !e.usableStale(now)) {
                map.remove(key);
                return null;
            }
            return e;
        }
    }

    /** The response for {@code key} if it has not expired, else null (the fast path's question). */
    public ResponseTemplate fresh(CacheKey key, long now) {
        synchronized (map) {
            Entry e = map.get(key);
            return e != null && e.fresh(now) ? e.template() : null;
        }
    }

    public void put(CacheKey key, Entry e) {
        if (capacity == 0) {
            return;
        }
        synchronized (map) {
            map.put(key, e);
        }
    }

    public int size() {
        synchronized (map) {
            return map.size();
        }
    }

    public void clear() {
        synchronized (map) {
            map.clear();
        }
    }
}
