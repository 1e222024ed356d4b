package org.p2pdns.dns.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.dns.testing.UdpClient;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

class ResponseTemplateTest {

    static Message response() {
        Message q = UdpClient.query("example.p2p.", "A", 1);
        Message m = new Message(1);
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(q.getQuestion(), Section.QUESTION);
        m.addRecord(TestZone.rr("example.p2p. A 192.0.2.1", 300), Section.ANSWER);
        m.addRecord(TestZone.rr("example.p2p. A 192.0.2.2", 100), Section.ANSWER);
        return m;
    }

    @Test
    void renderPatchesIdFlagsQuestionCaseAndCountsTtlsDown() throws Exception {
        ResponseTemplate t = ResponseTemplate.of(response(), -1, null, 1232, 1_000_000);
        Message q = UdpClient.query("ExAmPlE.p2p.", "A", 0xabcd);
        q.getHeader().setFlag(Flags.CD);
        byte[] raw = q.toWire();
        Message r = new Message(t.render(raw, false, 1_000_000 + 40_500, -1));
        assertEquals(0xabcd, r.getHeader().getID());
        assertTrue(r.getHeader().getFlag(Flags.CD) && r.getHeader().getFlag(Flags.RD));
        assertTrue(r.getHeader().getFlag(Flags.AA));
        assertEquals("ExAmPlE.p2p.", r.getQuestion().getName().toString());
        assertEquals(260, r.getSection(Section.ANSWER).get(0).getTTL());
        assertEquals(60, r.getSection(Section.ANSWER).get(1).getTTL());
        assertEquals(100, t.minTtl());
        Message stale = new Message(t.render(raw, false, 1_000_000 + 999_999_000L, 30));
        assertEquals(30, stale.getSection(Section.ANSWER).get(1).getTTL());
        Message late = new Message(t.render(raw, false, 1_000_000 + 999_999_000L, -1));
        assertEquals(0, late.getSection(Section.ANSWER).get(0).getTTL(), "never negative");
    }

    @Test
    void ednsClientsGetOurOptWithTheExtendedError() throws Exception {
        Message m = response();
        m.getHeader().setRcode(Rcode.SERVFAIL);
        m.removeAllRecords(Section.ANSWER);
        ResponseTemplate t = ResponseTemplate.of(m, ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY, "why", 1232, 0);
        byte[] raw = UdpClient.query("example.p2p.", "A", 7).toWire();
        OPTRecord opt = new Message(t.render(raw, true, 0, -1)).getOPT();
        assertEquals(1232, opt.getPayloadSize());
        ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) opt.getOptions().get(0);
        assertEquals(22, ede.getErrorCode());
        assertEquals("why", ede.getText());
        assertEquals(null, new Message(t.render(raw, false, 0, -1)).getOPT());
    }

    @Test
    void packedAnswersRenderTheSameBytesAndKnowTheirKeyAndExpiry() throws Exception {
        Message m = response();
        ResponseTemplate t = ResponseTemplate.of(m, -1, null, 1232, 1_000_000);
        byte[] name = m.getQuestion().getName().toWireCanonical();
        byte[] p = PackedAnswer.pack(t, name, 1, 4242, 1_000_000 + 100_000);
        assertEquals(4242, PackedAnswer.hash(p));
        assertEquals(t.qnameLen(), PackedAnswer.qnameLen(p));
        assertEquals(t.rcode(), PackedAnswer.rcode(p));
        assertTrue(PackedAnswer.answers(p, 4242, name, name.length, 1, 1_099_999));
        assertFalse(PackedAnswer.answers(p, 4242, name, name.length, 1, 1_100_000), "expired");
        assertFalse(PackedAnswer.answers(p, 4242, name, name.length, 28, 1_000_000), "other type");
        assertFalse(PackedAnswer.answers(p, 4243, name, name.length, 1, 1_000_000), "other hash");
        assertFalse(PackedAnswer.answers(p, 4242, name, name.length - 1, 1, 1_000_000), "other name");
        byte[] dst = new byte[1232];
        Arrays.fill(dst, (byte) 0x77);
        for (boolean edns : new boolean[] {false, true}) {
            Message q = UdpClient.query("EXAMPLE.P2P.", "A", 0x1234);
            q.getHeader().setFlag(Flags.CD);
            byte[] raw = q.toWire();
            for (long now : new long[] {1_000_000, 1_040_500, 1_000_000 + 999_999_000L}) {
                int n = PackedAnswer.render(p, raw, edns, now, dst);
                assertEquals(t.size(edns), n);
                assertEquals(t.size(edns), PackedAnswer.size(p, edns));
                assertArrayEquals(t.render(raw, edns, now, -1), Arrays.copyOf(dst, n), "edns " + edns + " at " + now);
            }
        }
    }

    @Test
    void templatesRefuseAnOpt() {
        Message m = response();
        m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        assertThrows(IllegalArgumentException.class, () -> ResponseTemplate.of(m, -1, null, 1232, 0));
    }

    @Test
    void wireWalkerRejectsTruncatedMessages() {
        byte[] w = response().toWire();
        for (int cut = 0; cut < w.length; cut++) {
            byte[] part = Arrays.copyOf(w, cut);
            if (cut < 12) {
                assertThrows(WireFormatException.class, () -> WireFormat.ttlOffsets(part));
                continue;
            }
            try {
                WireFormat.ttlOffsets(part);
            } catch (WireFormatException e) {
                continue; // the one allowed failure
            }
            // a cut that still parses must have lost nothing the walker reads
            assertTrue(cut >= w.length - 4, "cut at " + cut + " parsed");
        }
    }
}
