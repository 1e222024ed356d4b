package org.p2pdns.node.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

class RecordCodecTest {

    @Test
    void roundTripIsCanonical() throws Exception {
        SignedRecord r = TestRecords.vector1();
        List<Record> reordered = new ArrayList<>(TestRecords.sampleSet("example.p2p"));
        java.util.Collections.reverse(reordered);
        reordered.addAll(TestRecords.sampleSet("example.p2p")); // duplicates
        SignedRecord same = SignedRecord.sign("example.p2p", TestRecords.keyA(), 1, TestRecords.T0,
                TestRecords.T0 + 86_400, 300, r.powNonce(), reordered);
        assertEquals(r, same);
        assertEquals(5, same.records().size());
        for (Record rr : same.records()) {
            assertEquals(300, rr.getTTL());
            assertEquals(rr.getName().toString(), rr.getName().toString().toLowerCase());
        }
        SignedRecord back = RecordCodec.decode(r.encoded());
        assertEquals(r.records(), back.records());
        assertEquals(r.name(), back.name());
        assertEquals(r.sequence(), back.sequence());
    }

    @Test
    void everyTruncationIsAFormatError() {
        byte[] b = TestRecords.vector1().encoded();
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            assertThrows(RecordFormatException.class, () -> RecordCodec.decode(cut), "length " + n);
        }
        byte[] longer = Arrays.copyOf(b, b.length + 1);
        assertThrows(RecordFormatException.class, () -> RecordCodec.decode(longer));
        assertThrows(RecordFormatException.class, () -> RecordCodec.decode(null));
    }

    @Test
    void randomMutationsNeverThrowAnythingElse() {
        byte[] b = TestRecords.vector1().encoded();
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = b.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                m[random.nextInt(m.length)] = (byte) random.nextInt(256);
            }
            try {
                RecordCodec.decode(m);
            } catch (RecordFormatException expected) {
                // fine: the point is that nothing else escapes
            }
        }
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = new byte[random.nextInt(1200)];
            random.nextBytes(junk);
            try {
                RecordCodec.decode(junk);
            } catch (RecordFormatException expected) {
                // fine
            }
        }
    }

    @Test
    void refusesUnknownVersionAndNonCanonicalRrs() throws Exception {
        byte[] b = TestRecords.vector1().encoded();
        b[0] = 2;
        RecordFormatException e = assertThrows(RecordFormatException.class, () -> RecordCodec.decode(b));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());

        // swap the first two RRs (A and MX): out of canonical order
        byte[] v = TestRecords.vector1().encoded();
        int rrStart = 2 + 11 + 32 + 8 + 8 + 8 + 4 + 8 + 2;
        int len1 = (v[rrStart] & 0xff) << 8 | (v[rrStart + 1] & 0xff);
        int second = rrStart + 2 + len1;
        int len2 = (v[second] & 0xff) << 8 | (v[second + 1] & 0xff);
        byte[] swapped = v.clone();
        System.arraycopy(v, second, swapped, rrStart, 2 + len2);
        System.arraycopy(v, rrStart, swapped, rrStart + 2 + len2, 2 + len1);
        e = assertThrows(RecordFormatException.class, () -> RecordCodec.decode(swapped));
        assertTrue(e.getMessage().contains("canonical order"), e.getMessage());
    }

    @Test
    void signRefusesBadRecordSets() {
        OwnerKey a = TestRecords.keyA();
        long t = TestRecords.T0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SignedRecord.sign(
                "example.p2p", a, 1, t, t + 60, 60, 0, List.of(new ARecord(TestRecords.name("other.p2p"), DClass.IN,
                        60, new byte[] {1, 2, 3, 4}))));
        assertTrue(e.getMessage().contains("not at or under"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SignedRecord.sign("example.p2p", a, 1, t, t + 60, 60,
                0, List.of(new NSRecord(TestRecords.name("example.p2p"), DClass.IN, 60, TestRecords.name("ns.x.")))));
        assertTrue(e.getMessage().contains("type NS is not allowed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SignedRecord.sign("example.p2p", a, 1, t, t + 60, 60,
                0, List.of(new CNAMERecord(TestRecords.name("example.p2p"), DClass.IN, 60, TestRecords.name("a.p2p")),
                        new TXTRecord(TestRecords.name("example.p2p"), DClass.IN, 60, "x"))));
        assertTrue(e.getMessage().contains("CNAME must be alone"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SignedRecord.sign("example.p2p", a, 1, t, t, 60, 0,
                List.of()));
        assertTrue(e.getMessage().contains("bad record fields"), e.getMessage());
    }

    @Test
    void tooLargeSaysByHowMuch() {
        List<Record> rrs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rrs.add(new TXTRecord(TestRecords.name("example.p2p"), DClass.IN, 60, "x".repeat(100) + i));
        }
        RecordTooLargeException e = assertThrows(RecordTooLargeException.class, () -> SignedRecord.sign(
                "example.p2p", TestRecords.keyA(), 1, TestRecords.T0, TestRecords.T0 + 60, 60, 0, rrs));
        assertTrue(e.size() > 1000);
        assertTrue(e.getMessage().contains((e.size() - 1000) + " bytes over the limit of 1000"), e.getMessage());
    }
}
