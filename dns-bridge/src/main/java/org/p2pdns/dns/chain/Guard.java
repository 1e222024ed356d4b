package org.p2pdns.dns.chain;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.wire.WireFormat;
import org.p2pdns.dns.wire.WireFormatException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The first handler: decides whether a raw query deserves an answer from the chain.
 *
 * <ul>
 *   <li>shorter than a header, or with QR set (a response): dropped and counted;</li>
 *   <li>undecodable (random bytes, bad labels, compression loops, counts promising absent records, bytes after the
 *   last record): FORMERR;</li>
 *   <li>opcode other than QUERY: NOTIMP; QDCOUNT != 1, several OPT records, OPT not at the root, qtype OPT: FORMERR;
 *   </li>
 *   <li>EDNS version other than 0: BADVERS (RFC 6891 6.1.3); class other than IN: REFUSED; zone transfers and
 *   MAILA/MAILB: NOTIMP;</li>
 *   <li>UDP clients over their rate: dropped, every second one answered with an empty TC response so a real client
 *   retries over TCP (the "slip" of response rate limiting).</li>
 * </ul>
 */
public final class Guard {

    private final Responses responses;
    private final RateLimiter rateLimiter;
    private final BridgeStats stats;

    public Guard(Responses responses, RateLimiter rateLimiter, BridgeStats stats) {
        this.responses = responses;
        this.rateLimiter = rateLimiter;
        this.stats = stats;
    }

    public GuardResult inspect(byte[] raw, InetSocketAddress client, boolean tcp) {
        return inspect(raw, client, tcp, -1);
    }

    /**
     * @param limited the rate limiter's verdict if the caller already took a token for this query (0 allowed, n > 0
     *                the n-th limited query), or -1 to take one here
     */
    public GuardResult inspect(byte[] raw, InetSocketAddress client, boolean tcp, long limited) {
        if (raw.length < 12) {
            stats.inc(Counter.DROPPED_MALFORMED);
            return new GuardResult.Drop("shorter than a DNS header");
        }
        if ((raw[2] & 0x80) != 0) {
            stats.inc(Counter.DROPPED_MALFORMED);
            return new GuardResult.Drop("QR set: a response, not a query");
        }
        Message query;
        try {
            query = new Message(raw);
            if (WireFormat.messageEnd(raw) != raw.length) {
                throw new WireFormatException("trailing bytes after the last record");
            }
        } catch (IOException | WireFormatException | RuntimeException e) {
            return reply(headerOnly(raw, Rcode.FORMERR), Rcode.FORMERR);
        }
        if (!tcp) {
            if (limited < 0) {
                limited = rateLimiter.acquire(client.getAddress());
            }
            if (limited > 0) {
                stats.inc(Counter.RATE_LIMITED);
                if (limited % 2 == 0 && query.getQuestion() != null) {
                    stats.inc(Counter.RATE_LIMIT_SLIPPED);
                    Message m = responses.start(query, Rcode.NOERROR, false);
                    m.getHeader().setFlag(Flags.TC);
                    return reply(m.toWire(), Rcode.NOERROR);
                }
                return new GuardResult.Drop("rate limited");
            }
        }
        int opcode = query.getHeader().getOpcode();
        if (opcode != Opcode.QUERY) {
            return reply(query, Rcode.NOTIMP, false);
        }
        if (query.getHeader().getCount(Section.QUESTION) != 1) {
            return reply(query, Rcode.FORMERR, false);
        }
        List<Record> additional = query.getSection(Section.ADDITIONAL);
        OPTRecord opt = null;
        for (Record r : additional) {
            if (r.getType() == Type.OPT) {
                if (opt != null || !r.getName().equals(Name.root)) {
                    return reply(query, Rcode.FORMERR, false);
                }
                opt = (OPTRecord) r;
            }
        }
        if (opt != null && opt.getVersion() != 0) {
            return reply(query, Rcode.BADVERS, true);
        }
        boolean edns = opt != null;
        Record q = query.getQuestion();
        int qtype = q.getType();
        if (qtype == Type.OPT) {
            return reply(query, Rcode.FORMERR, edns);
        }
        if (q.getDClass() != DClass.IN) {
            return reply(query, Rcode.REFUSED, edns);
        }
        if (qtype == Type.AXFR || qtype == Type.IXFR || qtype == Type.MAILA || qtype == Type.MAILB) {
            return reply(query, Rcode.NOTIMP, edns);
        }
        int payload = edns ? Math.max(512, opt.getPayloadSize()) : 512;
        return new GuardResult.Pass(new DnsRequest(raw, query, client, tcp, edns, payload));
    }

    private GuardResult reply(Message query, int rcode, boolean withOpt) {
        Message m = responses.start(query, rcode & 0xf, false);
        if (withOpt) {
            m.addRecord(new OPTRecord(responses.payload(), rcode >>> 4, 0, 0), Section.ADDITIONAL);
        }
        return reply(m.toWire(), rcode);
    }

    private GuardResult reply(byte[] wire, int rcode) {
        stats.countRcode(rcode);
        return new GuardResult.Reply(wire, rcode);
    }

    /** A response that echoes only the header's id and opcode: for queries whose question cannot be decoded. */
    static byte[] headerOnly(byte[] raw, int rcode) {
        byte[] out = new byte[12];
        out[0] = raw[0];
        out[1] = raw[1];
        out[2] = (byte) (0x80 | (raw[2] & 0x79));
        out[3] = (byte) rcode;
        return out;
    }
}
