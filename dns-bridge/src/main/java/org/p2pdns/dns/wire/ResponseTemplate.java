package org.p2pdns.dns.wire;

import java.util.List;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;

/**
 * A response encoded once and re-sent to every client asking the same question: rendering copies the bytes and
 * patches the id, the RD/CD flags, the case of the question name and the TTLs (counted down since creation). This is
 * what makes an answer from the cache cost about as much as the copy.
 *
 * <p>Two encodings are kept: without OPT (for clients that sent no EDNS0) and with the bridge's OPT, carrying the
 * Extended DNS Error if there is one (RFC 8914).
 */
public final class ResponseTemplate {

    private final Message message;
    private final int edeCode;
    private final String edeText;
    private final byte[] plain;
    private final byte[] edns;
    /** Per record: the offset of its TTL field in {@link #plain}, then its TTL (unsigned); in one array for locality. */
    private final int[] plainTtls;
    /** The same for {@link #edns}. */
    private final int[] ednsTtls;
    private final long minTtl;
    private final int qnameLen;
    private final long createdMillis;
    private final int rcode;

    private ResponseTemplate(Message message, int edeCode, String edeText, int payload, long createdMillis) {
        this.message = message;
        this.edeCode = edeCode;
        this.edeText = edeText == null ? "" : edeText;
        this.createdMillis = createdMillis;
        this.rcode = message.getHeader().getRcode();
        this.plain = message.toWire();
        Message withOpt = message.clone();
        List<EDNSOption> opts = edeCode < 0 ? List.of() : List.of(new ExtendedErrorCodeOption(edeCode, this.edeText));
        withOpt.addRecord(new OPTRecord(payload, 0, 0, 0, opts), Section.ADDITIONAL);
        this.edns = withOpt.toWire();
        try {
            int[] plainOffsets = WireFormat.ttlOffsets(plain);
            int[] ednsOffsets = WireFormat.ttlOffsets(edns);
            if (plainOffsets.length != ednsOffsets.length) {
                throw new IllegalStateException("OPT changed the record count");
            }
            this.plainTtls = new int[plainOffsets.length * 2];
            this.ednsTtls = new int[plainOffsets.length * 2];
            long min = Long.MAX_VALUE;
            for (int i = 0; i < plainOffsets.length; i++) {
                long ttl = WireFormat.u32(plain, plainOffsets[i]);
                plainTtls[2 * i] = plainOffsets[i];
                plainTtls[2 * i + 1] = (int) ttl;
                ednsTtls[2 * i] = ednsOffsets[i];
                ednsTtls[2 * i + 1] = (int) ttl;
                min = Math.min(min, ttl);
            }
            this.minTtl = plainOffsets.length == 0 ? 0 : min;
            this.qnameLen = WireFormat.u16(plain, 4) == 1 ? WireFormat.skipName(plain, WireFormat.HEADER)
                    - WireFormat.HEADER : 0;
        } catch (WireFormatException e) {
            throw new IllegalStateException("dnsjava produced a message we cannot walk", e);
        }
    }

    /**
     * Encodes {@code message} (a complete response without OPT) once.
     *
     * @param edeCode an RFC 8914 info code to send to EDNS clients, or -1 for none
     */
    public static ResponseTemplate of(Message message, int edeCode, String edeText, int payload, long nowMillis) {
        if (message.getOPT() != null) {
            throw new IllegalArgumentException("template messages carry no OPT; it is added per client");
        }
        return new ResponseTemplate(message, edeCode, edeText, payload, nowMillis);
    }

    public Message message() {
        return message;
    }

    public int rcode() {
        return rcode;
    }

    public int edeCode() {
        return edeCode;
    }

    public String edeText() {
        return edeText;
    }

    /** The smallest TTL of any record in the response (0 when there is none). */
    public long minTtl() {
        return minTtl;
    }

    public long createdMillis() {
        return createdMillis;
    }

    /** Length of the encoded question name (0 when there is no question). */
    public int qnameLen() {
        return qnameLen;
    }

    /** Encoded size for a client with or without EDNS0. */
    public int size(boolean withEdns) {
        return withEdns ? edns.length : plain.length;
    }

    /**
     * The response for one client.
     *
     * @param query      the client's raw query (id, flags and question name are taken from it)
     * @param withEdns   whether the client sent OPT
     * @param nowMillis  now, to count TTLs down
     * @param fixedTtl   a TTL to put on every record instead (serve-stale), or -1
     */
    public byte[] render(byte[] query, boolean withEdns, long nowMillis, long fixedTtl) {
        byte[] out = new byte[size(withEdns)];
        patch(out, query, qnameLen > 0 && plainNameLength(query) == qnameLen, withEdns, nowMillis, fixedTtl);
        return out;
    }

    /** The encoding without OPT (for {@link PackedAnswer}; not to be modified). */
    byte[] plainBytes() {
        return plain;
    }

    /** The encoding with the bridge's OPT (for {@link PackedAnswer}; not to be modified). */
    byte[] ednsBytes() {
        return edns;
    }

    /** Per record, the TTL's offset in one encoding and the TTL (for {@link PackedAnswer}; not to be modified). */
    int[] ttlTable(boolean withEdns) {
        return withEdns ? ednsTtls : plainTtls;
    }

    private void patch(byte[] out, byte[] query, boolean copyName, boolean withEdns, long nowMillis, long fixedTtl) {
        byte[] base = withEdns ? edns : plain;
        int[] ttls = withEdns ? ednsTtls : plainTtls;
        System.arraycopy(base, 0, out, 0, base.length);
        WireFormat.answerHeader(out, base, 0, query);
        if (copyName) {
            System.arraycopy(query, WireFormat.HEADER, out, WireFormat.HEADER, qnameLen);
        }
        long elapsed = elapsedSeconds(nowMillis);
        for (int i = 0; i < ttls.length; i += 2) {
            long ttl = fixedTtl >= 0 ? fixedTtl : Math.max(0, (ttls[i + 1] & 0xffffffffL) - elapsed);
            WireFormat.putU32(out, ttls[i], ttl);
        }
    }

    /** Length of the uncompressed name at offset 12 of {@code query}, or -1 if compressed or cut short. */
    private static int plainNameLength(byte[] query) {
        int p = WireFormat.HEADER;
        while (p < query.length) {
            int len = query[p] & 0xff;
            if (len == 0) {
                return p + 1 - WireFormat.HEADER;
            }
            if (len > 63) {
                return -1;
            }
            p += 1 + len;
        }
        return -1;
    }

    private long elapsedSeconds(long nowMillis) {
        return Math.max(0, (nowMillis - createdMillis) / 1000);
    }

    /** True if {@link #rcode()} is NOERROR and the answer section is not empty. */
    public boolean hasAnswers() {
        return message.getHeader().getCount(Section.ANSWER) > 0;
    }

    /** Whether the authoritative-answer flag is set. */
    public boolean authoritative() {
        return message.getHeader().getFlag(Flags.AA);
    }
}
