package org.p2pdns.dns.chain;

import java.time.Clock;
import org.p2pdns.dns.wire.ResponseTemplate;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/** Builds responses that match a request's id and question, and turns them into {@link Outcome}s. */
public final class Responses {

    private final Clock clock;
    private final int payload;

    public Responses(Clock clock, int payload) {
        this.clock = clock;
        this.payload = payload;
    }

    public Clock clock() {
        return clock;
    }

    /** The bridge's own EDNS0 payload size. */
    public int payload() {
        return payload;
    }

    /** A response skeleton: the request's id, opcode, RD and CD flags and question; RA set; no OPT. */
    public Message start(Message query, int rcode, boolean authoritative) {
        Header qh = query.getHeader();
        Header h = new Header(qh.getID());
        h.setFlag(Flags.QR);
        h.setOpcode(qh.getOpcode());
        if (qh.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (qh.getFlag(Flags.CD)) {
            h.setFlag(Flags.CD);
        }
        h.setFlag(Flags.RA);
        if (authoritative) {
            h.setFlag(Flags.AA);
        }
        h.setRcode(rcode);
        Message m = new Message();
        m.setHeader(h);
        if (query.getQuestion() != null) {
            m.addRecord(query.getQuestion(), Section.QUESTION);
        }
        return m;
    }

    /** An uncacheable error response with an optional Extended DNS Error (edeCode -1 for none). */
    public Outcome error(DnsRequest req, int rcode, int edeCode, String edeText, boolean transientFailure) {
        Message m = start(req.query(), rcode, false);
        return new Outcome(template(m, edeCode, edeText), 0, transientFailure);
    }

    /** Encodes {@code m} as a template now. */
    public ResponseTemplate template(Message m, int edeCode, String edeText) {
        return ResponseTemplate.of(m, edeCode, edeText, payload, clock.millis());
    }

    /** A SERVFAIL for an unexpected failure inside the bridge. */
    public Outcome internalError(DnsRequest req) {
        return error(req, Rcode.SERVFAIL, 0, "internal error in the DNS bridge", false);
    }

    static boolean isQuery(Message m) {
        return m.getHeader().getOpcode() == Opcode.QUERY;
    }
}
