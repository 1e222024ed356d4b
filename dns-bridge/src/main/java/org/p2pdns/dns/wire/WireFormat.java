package org.p2pdns.dns.wire;

import java.util.Arrays;

/**
 * Small, bounds-checked helpers over raw DNS messages (RFC 1035 section 4): enough to find names and TTL fields
 * without decoding a whole message, so cached answers can be re-sent by patching bytes.
 */
public final class WireFormat {

    public static final int HEADER = 12;
    public static final int TYPE_OPT = 41;

    private WireFormat() {
    }

    /** Reads an unsigned 16-bit value, checking bounds first. */
    public static int u16(byte[] w, int pos) throws WireFormatException {
        require(w, pos, 2);
        return ((w[pos] & 0xff) << 8) | (w[pos + 1] & 0xff);
    }

    public static void putU16(byte[] w, int pos, int v) {
        w[pos] = (byte) (v >>> 8);
        w[pos + 1] = (byte) v;
    }

    /**
     * Makes the cached answer copied to {@code dst} (whose header is {@code base[baseOff..]}) the answer to
     * {@code query}: the query's id, and its RD and CD flags in place of the cached ones.
     */
    static void answerHeader(byte[] dst, byte[] base, int baseOff, byte[] query) {
        dst[0] = query[0];
        dst[1] = query[1];
        dst[2] = (byte) ((base[baseOff + 2] & ~0x01) | (query[2] & 0x01));
        dst[3] = (byte) ((base[baseOff + 3] & ~0x30) | (query[3] & 0x10));
    }

    public static void putU32(byte[] w, int pos, long v) {
        w[pos] = (byte) (v >>> 24);
        w[pos + 1] = (byte) (v >>> 16);
        w[pos + 2] = (byte) (v >>> 8);
        w[pos + 3] = (byte) v;
    }

    public static long u32(byte[] w, int pos) throws WireFormatException {
        require(w, pos, 4);
        return ((long) (w[pos] & 0xff) << 24) | ((w[pos + 1] & 0xff) << 16) | ((w[pos + 2] & 0xff) << 8)
                | (w[pos + 3] & 0xff);
    }

    /** Position just after the (possibly compressed) name starting at {@code pos}. */
    public static int skipName(byte[] w, int pos) throws WireFormatException {
        int p = pos;
        while (true) {
            require(w, p, 1);
            int len = w[p] & 0xff;
            if (len == 0) {
                return p + 1;
            }
            if ((len & 0xc0) == 0xc0) {
                require(w, p, 2);
                return p + 2;
            }
            if ((len & 0xc0) != 0) {
                throw new WireFormatException("bad label type at " + p);
            }
            p += 1 + len;
        }
    }

    /**
     * Offsets of the TTL field of every resource record except OPT, in message order, or throws if the message is
     * malformed. The question section is skipped.
     */
    public static int[] ttlOffsets(byte[] w) throws WireFormatException {
        int qd = u16(w, 4);
        int rr = u16(w, 6) + u16(w, 8) + u16(w, 10);
        int p = HEADER;
        for (int i = 0; i < qd; i++) {
            p = skipName(w, p) + 4;
        }
        int[] out = new int[rr];
        int n = 0;
        for (int i = 0; i < rr; i++) {
            p = skipName(w, p);
            int type = u16(w, p);
            int rdlen = u16(w, p + 8);
            if (type != TYPE_OPT) {
                out[n++] = p + 4;
            }
            p += 10 + rdlen;
            if (p > w.length) {
                throw new WireFormatException("record data past the end");
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Where the message's last record ends, as its counts say; a well-formed query ends exactly at its length. */
    public static int messageEnd(byte[] w) throws WireFormatException {
        int qd = u16(w, 4);
        int rr = u16(w, 6) + u16(w, 8) + u16(w, 10);
        int p = HEADER;
        for (int i = 0; i < qd; i++) {
            p = skipName(w, p) + 4;
        }
        for (int i = 0; i < rr; i++) {
            p = skipName(w, p);
            p += 10 + u16(w, p + 8);
        }
        if (p > w.length) {
            throw new WireFormatException("record data past the end");
        }
        return p;
    }

    private static void require(byte[] w, int pos, int n) throws WireFormatException {
        if (pos < 0 || pos + n > w.length) {
            throw new WireFormatException("truncated message: need " + n + " bytes at " + pos + " of " + w.length);
        }
    }
}
