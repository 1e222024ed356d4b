package org.p2pdns.dns.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A cached answer packed into one byte array for the UDP fast path: its key (lower-case name, type, hash), expiry,
 * TTL patch table and both encodings (without and with the bridge's OPT). Finding and sending a cached answer then
 * reads one table slot and this one array, where the general cache follows about seven references (hash table,
 * node, key, key bytes, slot, template, encoding): on a CPU whose caches the kernel's network stack keeps flushing,
 * each of those was a memory stall on the profile. Immutable once built, so it is safe to publish to any thread.
 *
 * <p>Layout (native byte order for the numbers): hash, qtype, expiry millis, creation millis, rcode, question name
 * length, name length, plain and EDNS lengths, record count; the lower-case name; per record the TTL's offset in each
 * encoding and its TTL; the plain encoding; the EDNS encoding.
 */
public final class PackedAnswer {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static final int HASH = 0;
    private static final int QTYPE = 4;
    private static final int EXPIRES = 8;
    private static final int CREATED = 16;
    private static final int RCODE = 24;
    private static final int QNAME_LEN = 28;
    private static final int NAME_LEN = 30;
    private static final int PLAIN_LEN = 32;
    private static final int EDNS_LEN = 36;
    private static final int RECORDS = 40;
    private static final int NAME = 44;
    /** Per record: TTL offset in the plain encoding, in the EDNS encoding, and the TTL. */
    private static final int RECORD_BYTES = 12;

    private PackedAnswer() {
    }

    /**
     * Packs {@code t} as the answer to {@code lowerName} (wire form, lower case) and {@code qtype}, whose cache key
     * hashes to {@code hash}, fresh until {@code expiresAtMillis}.
     */
    public static byte[] pack(ResponseTemplate t, byte[] lowerName, int qtype, int hash, long expiresAtMillis) {
        byte[] plain = t.plainBytes();
        byte[] edns = t.ednsBytes();
        int[] plainTtls = t.ttlTable(false);
        int[] ednsTtls = t.ttlTable(true);
        int records = plainTtls.length / 2;
        int table = NAME + lowerName.length;
        int body = table + records * RECORD_BYTES;
        byte[] p = new byte[body + plain.length + edns.length];
        INT.set(p, HASH, hash);
        INT.set(p, QTYPE, qtype);
        LONG.set(p, EXPIRES, expiresAtMillis);
        LONG.set(p, CREATED, t.createdMillis());
        INT.set(p, RCODE, t.rcode());
        p[QNAME_LEN] = (byte) t.qnameLen(); // both at most 255
        p[NAME_LEN] = (byte) lowerName.length;
        INT.set(p, PLAIN_LEN, plain.length);
        INT.set(p, EDNS_LEN, edns.length);
        INT.set(p, RECORDS, records);
        System.arraycopy(lowerName, 0, p, NAME, lowerName.length);
        for (int i = 0; i < records; i++) {
            int at = table + i * RECORD_BYTES;
            INT.set(p, at, plainTtls[2 * i]);
            INT.set(p, at + 4, ednsTtls[2 * i]);
            INT.set(p, at + 8, plainTtls[2 * i + 1]);
        }
        System.arraycopy(plain, 0, p, body, plain.length);
        System.arraycopy(edns, 0, p, body + plain.length, edns.length);
        return p;
    }

    /** The cache key's hash this answer was packed with. */
    public static int hash(byte[] p) {
        return (int) INT.get(p, HASH);
    }

    /** Whether {@code p} answers {@code name[0..len)} (lower case) and {@code qtype} and is still fresh at {@code now}. */
    public static boolean answers(byte[] p, int hash, byte[] name, int len, int qtype, long now) {
        return (int) INT.get(p, HASH) == hash && (int) INT.get(p, QTYPE) == qtype
                && now < (long) LONG.get(p, EXPIRES) && (p[NAME_LEN] & 0xff) == len
                && Arrays.equals(p, NAME, NAME + len, name, 0, len);
    }

    public static long expiresAtMillis(byte[] p) {
        return (long) LONG.get(p, EXPIRES);
    }

    public static int rcode(byte[] p) {
        return (int) INT.get(p, RCODE);
    }

    /** Length of the question name in the encoded answer. */
    public static int qnameLen(byte[] p) {
        return p[QNAME_LEN] & 0xff;
    }

    /** Encoded size for a client with or without EDNS0. */
    public static int size(byte[] p, boolean withEdns) {
        return (int) INT.get(p, withEdns ? EDNS_LEN : PLAIN_LEN);
    }

    /**
     * Writes the answer for one client into {@code dst} from index 0 and returns its length: the same bytes as
     * {@link ResponseTemplate#render} for a fresh answer (the client's id, RD and CD flags and question name, every TTL
     * counted down since the answer was created). The caller has checked that {@code query} holds, at offset 12, an
     * uncompressed question name of {@link #qnameLen} bytes, and that {@code dst} has room for {@link #size}.
     */
    public static int render(byte[] p, byte[] query, boolean withEdns, long nowMillis, byte[] dst) {
        int nameLen = p[NAME_LEN] & 0xff;
        int records = (int) INT.get(p, RECORDS);
        int table = NAME + nameLen;
        int plainLen = (int) INT.get(p, PLAIN_LEN);
        int base = table + records * RECORD_BYTES + (withEdns ? plainLen : 0);
        int len = withEdns ? (int) INT.get(p, EDNS_LEN) : plainLen;
        System.arraycopy(p, base, dst, 0, len);
        WireFormat.answerHeader(dst, p, base, query);
        int qnameLen = p[QNAME_LEN] & 0xff;
        if (qnameLen > 0) {
            System.arraycopy(query, WireFormat.HEADER, dst, WireFormat.HEADER, qnameLen);
        }
        long elapsed = Math.max(0, (nowMillis - (long) LONG.get(p, CREATED)) / 1000);
        int which = withEdns ? 4 : 0;
        for (int i = 0; i < records; i++) {
            int at = table + i * RECORD_BYTES;
            long ttl = ((int) INT.get(p, at + 8) & 0xffffffffL) - elapsed;
            WireFormat.putU32(dst, (int) INT.get(p, at + which), Math.max(0, ttl));
        }
        return len;
    }
}
