package org.p2pdns.node.util;

import java.util.LinkedHashMap;
import java.util.Map;

/** Bounded maps that drop their least recently used entry past a size: the caches and trackers of the node. */
public final class LruMap {

    private LruMap() {
    }

    /**
     * An access-ordered map of at most {@code max} entries: a put past that drops the entry least recently read or
     * written. Not thread-safe (wrap it, or confine it to one thread).
     */
    public static <K, V> LinkedHashMap<K, V> withMax(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max " + max);
        }
        return new LinkedHashMap<>(Math.min(max, 64), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}
