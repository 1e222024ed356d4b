package org.p2pdns.node.dht;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.util.EnumCounters;

/**
 * A value policy for several kinds of value in one DHT, told apart by their first byte (domain records start with
 * {@code 0x01}, reachability records with {@code 0x02}): each value goes to its kind's policy, which also checks that
 * the key belongs to the value, so a value of one kind offered under another kind's key is refused (KEY_MISMATCH).
 * A value of an unknown kind is MALFORMED. Counts every verdict per kind. Thread-safe when the policies are.
 */
public final class TypedValuePolicy implements ValuePolicy {

    private final Map<Integer, ValuePolicy> byType;
    private final Map<Integer, EnumCounters<StoreOutcome>> verdicts = new HashMap<>();
    private final EnumCounters<StoreOutcome> unknown = new EnumCounters<>(StoreOutcome.class);

    /** {@code byType}: first byte (0..255) to the policy of that kind of value. */
    public TypedValuePolicy(Map<Integer, ValuePolicy> byType) {
        if (byType.isEmpty()) {
            throw new IllegalArgumentException("at least one kind of value");
        }
        for (int t : byType.keySet()) {
            if (t < 0 || t > 255) {
                throw new IllegalArgumentException("a type is one byte, got " + t);
            }
            verdicts.put(t, new EnumCounters<>(StoreOutcome.class));
        }
        this.byType = Map.copyOf(byType);
    }

    private static int typeOf(byte[] value) {
        return value == null || value.length == 0 ? -1 : value[0] & 0xff;
    }

    @Override
    public StoreOutcome validate(NodeId key, byte[] value, byte[] held, long nowMillis) {
        int t = typeOf(value);
        ValuePolicy p = byType.get(t);
        if (p == null) {
            unknown.increment(StoreOutcome.MALFORMED);
            return StoreOutcome.MALFORMED;
        }
        // a held value of another kind cannot belong under this key (each kind binds its own keys): nothing to keep
        StoreOutcome o = p.validate(key, value, typeOf(held) == t ? held : null, nowMillis);
        verdicts.get(t).increment(o);
        return o;
    }

    /** Same kind: that kind's order; different kinds (never under one key in practice): by type, then bytes. */
    @Override
    public int compareNewer(byte[] a, byte[] b) {
        int ta = typeOf(a);
        int tb = typeOf(b);
        ValuePolicy p = byType.get(ta);
        if (ta == tb && p != null) {
            return p.compareNewer(a, b);
        }
        if (ta != tb) {
            return Integer.compare(ta, tb);
        }
        return Arrays.compareUnsigned(a, b);
    }

    @Override
    public long expiresAtMillis(byte[] value) {
        ValuePolicy p = byType.get(typeOf(value));
        return p == null ? 0 : p.expiresAtMillis(value);
    }

    /** How often values of kind {@code type} got each verdict (STOREs and values received in lookups). */
    public Map<StoreOutcome, Long> verdicts(int type) {
        EnumCounters<StoreOutcome> c = verdicts.get(type);
        return c == null ? unknown.snapshot() : c.snapshot();
    }
}
