package org.p2pdns.node.record;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * The binary form of a {@link SignedRecord} (docs/record-format.md). Decoding checks bounds before every read and
 * refuses anything that is not in canonical form, so that one record has exactly one encoding.
 */
public final class RecordCodec {

    /** Current format version (the first byte). */
    public static final int VERSION = 1;
    /** Smallest possible record: version, name length, a 3-byte name, fixed fields, no RRs, signature. */
    static final int FIXED_BYTES = 1 + 1 + 32 + 8 + 8 + 8 + 4 + 8 + 2 + OwnerKey.SIGNATURE_BYTES;

    private RecordCodec() {
    }

    static byte[] encodeBody(String name, byte[] owner, long sequence, long issuedAt, long expiresAt, long ttl,
                             long powNonce, List<Record> canonical) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length < 1 || nameBytes.length > OverlayName.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("bad name length " + nameBytes.length);
        }
        if (canonical.size() > 0xFFFF) {
            throw new IllegalArgumentException("too many resource records: " + canonical.size());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.write(VERSION);
        out.write(nameBytes.length);
        out.writeBytes(nameBytes);
        out.writeBytes(owner);
        writeLong(out, sequence);
        writeLong(out, issuedAt);
        writeLong(out, expiresAt);
        writeInt(out, ttl);
        writeLong(out, powNonce);
        writeShort(out, canonical.size());
        for (Record rr : canonical) {
            byte[] wire = rr.toWireCanonical();
            writeShort(out, wire.length);
            out.writeBytes(wire);
        }
        return out.toByteArray();
    }

    /**
     * Decodes and checks the structure of a record (not its signature, expiry or proof of work: that is
     * {@link RecordPolicy}'s job).
     *
     * @throws RecordFormatException saying what is wrong; never any other exception
     */
    public static SignedRecord decode(byte[] b) throws RecordFormatException {
        try {
            return decodeChecked(b);
        } catch (RuntimeException e) {
            // a library call that failed in a way its contract does not say: still a malformed record
            throw new RecordFormatException("malformed record: " + e, e);
        }
    }

    private static SignedRecord decodeChecked(byte[] b) throws RecordFormatException {
        if (b == null) {
            throw new RecordFormatException("no bytes");
        }
        Reader in = new Reader(b);
        int version = in.u8();
        if (version != VERSION) {
            throw new RecordFormatException("unknown record format version " + version);
        }
        int nameLength = in.u8();
        if (nameLength == 0) {
            throw new RecordFormatException("empty name");
        }
        String name = new String(in.bytes(nameLength), StandardCharsets.US_ASCII);
        OverlayName parsed;
        try {
            parsed = OverlayName.parse(name, name.substring(name.lastIndexOf('.') + 1));
        } catch (InvalidNameException e) {
            throw new RecordFormatException("bad name: " + e.getMessage());
        }
        if (!parsed.registered().equals(name)) {
            throw new RecordFormatException("name '" + name + "' is not a canonical registered name");
        }
        byte[] owner = in.bytes(32);
        long sequence = in.u63("sequence");
        long issued = in.u63("issue time");
        long expires = in.u63("expiry time");
        long ttl = in.u32();
        long nonce = in.u64();
        int count = in.u16();
        Name registered = RecordSet.registeredName(name);
        List<Record> rrs = new ArrayList<>(count);
        Record previous = null;
        for (int i = 0; i < count; i++) {
            int length = in.u16();
            byte[] wire = in.bytes(length);
            Record rr;
            try {
                rr = Record.fromWire(wire, Section.ANSWER);
                RecordSet.check(rr, registered);
            } catch (IOException | RuntimeException e) {
                throw new RecordFormatException("resource record " + i + ": " + e.getMessage(), e);
            }
            if (rr.getDClass() != DClass.IN || rr.getTTL() != ttl) {
                throw new RecordFormatException("resource record " + i + " has TTL " + rr.getTTL()
                        + " but the record's TTL hint is " + ttl);
            }
            if (!Arrays.equals(wire, rr.toWireCanonical())) {
                throw new RecordFormatException("resource record " + i + " is not in canonical wire form");
            }
            if (previous != null && previous.compareTo(rr) >= 0) {
                throw new RecordFormatException("resource record " + i + " is out of canonical order or a duplicate");
            }
            rrs.add(rr);
            previous = rr;
        }
        try {
            RecordSet.checkCnameAlone(rrs);
        } catch (IllegalArgumentException e) {
            throw new RecordFormatException(e.getMessage());
        }
        byte[] signature = in.bytes(OwnerKey.SIGNATURE_BYTES);
        if (in.remaining() != 0) {
            throw new RecordFormatException(in.remaining() + " bytes after the signature");
        }
        if (expires <= issued) {
            throw new RecordFormatException("expiry " + expires + " is not after issue time " + issued);
        }
        return new SignedRecord(version, name, owner, sequence, issued, expires, ttl, nonce, rrs, signature, b);
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        for (int s = 56; s >= 0; s -= 8) {
            out.write((int) (v >>> s));
        }
    }

    private static void writeInt(ByteArrayOutputStream out, long v) {
        for (int s = 24; s >= 0; s -= 8) {
            out.write((int) (v >>> s));
        }
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    /** Big-endian reads with a bounds check before each. */
    private static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        int remaining() {
            return b.length - pos;
        }

        private void require(int n) throws RecordFormatException {
            if (n < 0 || b.length - pos < n) {
                throw new RecordFormatException("truncated: need " + n + " bytes at offset " + pos + ", have "
                        + (b.length - pos));
            }
        }

        int u8() throws RecordFormatException {
            require(1);
            return b[pos++] & 0xff;
        }

        int u16() throws RecordFormatException {
            require(2);
            int v = (b[pos] & 0xff) << 8 | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        long u32() throws RecordFormatException {
            require(4);
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = v << 8 | (b[pos++] & 0xff);
            }
            return v;
        }

        long u64() throws RecordFormatException {
            require(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (b[pos++] & 0xff);
            }
            return v;
        }

        long u63(String what) throws RecordFormatException {
            long v = u64();
            if (v < 0) {
                throw new RecordFormatException(what + " exceeds 2^63-1");
            }
            return v;
        }

        byte[] bytes(int n) throws RecordFormatException {
            require(n);
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
