package org.p2pdns.dns.cache;

/**
 * A reusable, mutable stand-in for a {@link CacheKey}, for looking the cache up without allocating: the UDP fast path
 * loads the question of each datagram into the same probe. It equals (and hashes like) the key of the same lower-case
 * name and type. Never stored in a map; confined to one thread.
 */
public final class CacheProbe {

    /** Longest name in wire form (RFC 1035 section 3.1). */
    public static final int MAX_NAME = 255;

    private final byte[] name = new byte[MAX_NAME];
    private int len;
    private int qtype;
    private int hash;

    /**
     * Loads the wire-form name at {@code src[off..off+len)} (lower-casing ASCII letters, as {@link
     * org.xbill.DNS.Name#toWireCanonical()} does) and {@code qtype}; returns this probe.
     */
    public CacheProbe load(byte[] src, int off, int len, int qtype) {
        if (len > MAX_NAME) {
            throw new IllegalArgumentException("name of " + len + " bytes");
        }
        int h = 1;
        for (int i = 0; i < len; i++) {
            byte b = src[off + i];
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            name[i] = b;
            h = 31 * h + b;
        }
        this.len = len;
        this.qtype = qtype;
        this.hash = CacheKey.hash(h, qtype);
        return this;
    }

    /** Whether the packed answer {@code p} is for this probe's question and fresh at {@code now}. */
    boolean answeredBy(byte[] p, long now) {
        return org.p2pdns.dns.wire.PackedAnswer.answers(p, hash, name, len, qtype, now);
    }

    /** An immutable key equal to this probe. */
    public CacheKey toKey() {
        return new CacheKey(java.util.Arrays.copyOf(name, len), qtype);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof CacheKey k) {
            return k.matches(name, len, qtype, hash);
        }
        return o instanceof CacheProbe p && p.hash == hash && p.qtype == qtype
                && java.util.Arrays.equals(p.name, 0, p.len, name, 0, len);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
