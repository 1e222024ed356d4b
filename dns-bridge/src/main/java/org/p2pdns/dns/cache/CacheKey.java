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
        this.hash = Arrays.hashCode(lowerWireName) * 31 + qtype;
    }

    public static CacheKey of(Name name, int qtype) {
        return new CacheKey(name.toWireCanonical(), qtype);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheKey k && k.hash == hash && k.qtype == qtype && Arrays.equals(k.name, name);
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
