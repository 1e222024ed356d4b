package org.p2pdns.intro;

import java.util.Map;
import org.p2pdns.node.util.EnumCounters;

/** Thread-safe counters of an introduction server (written on its event thread and by the STUN stack, read anywhere). */
public final class Counters {
    private final EnumCounters<ServerCounter> values = new EnumCounters<>(ServerCounter.class);

    void inc(ServerCounter c) {
        values.increment(c);
    }

    void add(ServerCounter c, long n) {
        values.add(c, n);
    }

    public long get(ServerCounter c) {
        return values.get(c);
    }

    /** Every counter that is not zero. */
    public Map<ServerCounter, Long> snapshot() {
        Map<ServerCounter, Long> m = values.snapshot();
        m.values().removeIf(v -> v == 0);
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
