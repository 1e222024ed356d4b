package org.p2pdns.dns.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.wire.PackedAnswer;
import org.p2pdns.dns.wire.ResponseTemplate;

/**
 * A bounded map from question to encoded response. Entries are kept past their expiry for the serve-stale window
 * (RFC 8767) and dropped when next touched or evicted.
 *
 * <p>Eviction is "second chance" (CLOCK), an approximation of least-recently-used that keeps lookups lock-free and
 * write-free: a hit only sets a flag (if not already set), where an access-ordered map would relink a node under a
 * lock on every hit (measured as a fifth of the fast path's CPU). Entries leave in insertion order unless used since
 * they were last passed over.
 *
 * <p>The UDP fast path looks answers up in a {@link FastTable} of {@link PackedAnswer}s in front of the map (one slot
 * and one array per hit instead of about seven objects); the map stays the record. Writers take turns (the map and
 * the table change together); readers never lock.
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

    /** The map's value: the entry, its packed form for the fast path, and the second-chance flag. */
    private static final class Slot {
        final Entry entry;
        final byte[] packed;
        volatile boolean referenced;

        Slot(CacheKey key, Entry entry) {
            this.entry = entry;
            this.packed = PackedAnswer.pack(entry.template(), key.lowerName(), key.qtype(), key.hashCode(),
                    entry.expiresAtMillis());
        }
    }

    private final int capacity;
    private final BridgeStats stats;
    private final ConcurrentHashMap<CacheKey, Slot> map;
    private final ConcurrentLinkedQueue<CacheKey> order = new ConcurrentLinkedQueue<>();
    private final FastTable fast;

    public ResponseCache(int capacity, BridgeStats stats) {
        this.capacity = capacity;
        this.stats = stats;
        // grows as needed: a table sized for the capacity up front spreads a small cache over many cache lines
        this.map = new ConcurrentHashMap<>();
        this.fast = new FastTable(capacity);
    }

    /** The entry for {@code key}, fresh or stale, or null; entries past their stale window are removed. */
    public Entry get(CacheKey key, long now) {
        Slot s = map.get(key);
        if (s == null) {
            return null;
        }
        if (!s.entry.fresh(now) && !s.entry.usableStale(now)) {
            remove(key, s);
            return null;
        }
        touch(s);
        return s.entry;
    }

    /**
     * The packed answer ({@link PackedAnswer}) for the probe's question if it has not expired, else null: the UDP
     * fast path's lookup, which allocates nothing and usually reads one table slot and the answer itself.
     */
    public byte[] freshPacked(CacheProbe probe, long now) {
        int hash = probe.hashCode();
        byte[] seen = fast.peek(hash);
        if (seen != null && probe.answeredBy(seen, now)) {
            fast.markUsed(hash);
            return seen;
        }
        Slot s = map.get(probe);
        if (s == null || now >= s.entry.expiresAtMillis()) {
            return null;
        }
        touch(s);
        fast.putIfStill(seen, s.packed); // it had lost its table slot to another answer (or expired there)
        return s.packed;
    }

    private static void touch(Slot s) {
        if (!s.referenced) {
            s.referenced = true;
        }
    }

    /** Stores {@code e} for {@code key}, evicting if over capacity. Writers take turns; readers never wait. */
    public synchronized void put(CacheKey key, Entry e) {
        if (capacity == 0) {
            return;
        }
        Slot slot = new Slot(key, e);
        Slot old = map.put(key, slot);
        if (old == null) {
            order.offer(key);
        } else {
            fast.remove(old.packed);
        }
        fast.put(slot.packed);
        while (map.size() > capacity) {
            CacheKey k = order.poll();
            if (k == null) {
                return;
            }
            Slot s = map.get(k);
            if (s == null) {
                continue; // removed meanwhile
            }
            if (s.referenced | fast.takeUsed(s.packed)) {
                s.referenced = false;
                order.offer(k); // second chance
            } else if (map.remove(k, s)) {
                fast.remove(s.packed);
                stats.inc(Counter.CACHE_EVICTIONS);
            }
        }
    }

    public int size() {
        return map.size();
    }

    private synchronized void remove(CacheKey key, Slot s) {
        if (map.remove(key, s)) {
            fast.remove(s.packed);
        }
    }

    public synchronized void clear() {
        map.clear();
        order.clear();
        fast.clear();
    }
}
