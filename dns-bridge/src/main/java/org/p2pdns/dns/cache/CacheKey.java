package org.p2pdns.dns.cache;

import java.util.Arrays;
import org.xbill.DNS.Name;

/** A cache key: the question name in lower-case wire form and the query type (class is always IN). */
public final class CacheKey {

    private final byte[] name;
    private final int qtype;
    private final int hash;

    /** {@code lowerWireName} must already be lower case; it is not copied. */
    public CacheKey(byte[] lowerWireName, int qtype) {
        this.name = lowerWireName;
        this.qtype = qtype;
        this.hash = hash(Arrays.hashCode(lowerWireName), qtype);
    }

    public static CacheKey of(Name name, int qtype) {
        return new CacheKey(name.toWireCanonical(), qtype);
    }

    /** The name in lower-case wire form (not to be modified). */
    byte[] lowerName() {
        return name;
    }

    int qtype() {
        return qtype;
    }

    /** The hash of a key from {@link Arrays#hashCode(byte[])} of its name: {@link CacheProbe} computes the same. */
    static int hash(int nameHash, int qtype) {
        return nameHash * 31 + qtype;
    }

    /** Whether this key is for {@code len} bytes of {@code lowerName} and {@code qtype} ({@code hash} as above). */
    boolean matches(byte[] lowerName, int len, int qtype, int hash) {
        return this.hash == hash && this.qtype == qtype
                && Arrays.equals(name, 0, name.length, lowerName, 0, len);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof CacheKey k) {
            return k.hash == hash && k.qtype == qtype && Arrays.equals(k.name, name);
        }
        return o instanceof CacheProbe p && p.equals(this);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        try {
            return new Name(name) + "/" + org.xbill.DNS.Type.string(qtype);
        } catch (java.io.IOException e) {
            return "?/" + qtype;
        }
    }
}
