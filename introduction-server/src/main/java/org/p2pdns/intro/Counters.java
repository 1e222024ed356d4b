package org.p2pdns.intro;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Thread-safe counters of an introduction server (written on its event thread and by the STUN stack, read anywhere). */
public final class Counters {
    private final AtomicLongArray values = new AtomicLongArray(ServerCounter.values().length);

    void inc(ServerCounter c) {
        values.incrementAndGet(c.ordinal());
    }

    void add(ServerCounter c, long n) {
        values.addAndGet(c.ordinal(), n);
    }

    public long get(ServerCounter c) {
        return values.get(c.ordinal());
    }

    /** Every counter that is not zero. */
    public Map<ServerCounter, Long> snapshot() {
        Map<ServerCounter, Long> m = new EnumMap<>(ServerCounter.class);
        for (ServerCounter c : ServerCounter.values()) {
            long v = get(c);
            if (v != 0) {
                m.put(c, v);
            }
        }
        return m;
    }

    /** Sum of every REJECT_* counter. */
    public long rejections() {
        long n = 0;
        for (ServerCounter c : ServerCounter.values()) {
            if (c.name().startsWith("REJECT_")) {
                n += get(c);
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
