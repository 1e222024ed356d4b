package org.p2pdns.node.util;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Named counters, one per constant of an enum: what every component's stats (transport, DHT, DNS bridge,
 * introduction server) are made of. Updated from any thread without locks; read from any thread.
 */
public final class EnumCounters<E extends Enum<E>> {

    private final Class<E> type;
    private final E[] constants;
    private final LongAdder[] values;

    public EnumCounters(Class<E> type) {
        this.type = type;
        this.constants = type.getEnumConstants();
        this.values = new LongAdder[constants.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = new LongAdder();
        }
    }

    /** Adds one to {@code c}. */
    public void increment(E c) {
        values[c.ordinal()].increment();
    }

    /** Adds {@code n} to {@code c}. */
    public void add(E c, long n) {
        values[c.ordinal()].add(n);
    }

    /** The current value of {@code c}. */
    public long get(E c) {
        return values[c.ordinal()].sum();
    }

    /** A copy of every counter (each read once). */
    public Map<E, Long> snapshot() {
        Map<E, Long> m = new EnumMap<>(type);
        for (E c : constants) {
            m.put(c, get(c));
        }
        return m;
    }

    /** The non-zero counters, e.g. {@code {DATAGRAMS_SENT=3, BAD_MAC=1}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (E c : constants) {
            long v = get(c);
            if (v != 0) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(c).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }
}
