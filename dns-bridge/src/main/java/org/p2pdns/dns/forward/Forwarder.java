package org.p2pdns.dns.forward;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.Responses;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Forwards names outside the overlay to upstream resolvers, in order, over UDP with a TCP retry when the answer is
 * truncated (dnsjava's {@link SimpleResolver}, which also checks that the reply's id and question match the query and
 * uses a fresh random id per query). An upstream that times out, fails, or answers SERVFAIL/REFUSED is skipped for the
 * next one; when all fail the client gets SERVFAIL with EDE 22 (No Reachable Authority), a transient failure for which
 * the cache may serve a stale answer.
 */
public final class Forwarder implements DnsHandler {

    private final List<SimpleResolver> upstreams;
    private final Responses responses;
    private final BridgeStats stats;

    public Forwarder(List<InetSocketAddress> upstreams, Duration timeout, Responses responses, BridgeStats stats) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a forwarder needs at least one upstream");
        }
        this.upstreams = upstreams.stream().map(a -> {
            SimpleResolver r = new SimpleResolver(a);
            r.setTimeout(timeout);
            r.setEDNS(0, responses.payload(), 0, List.of());
            return r;
        }).toList();
        this.responses = responses;
        this.stats = stats;
    }

    @Override
    public CompletableFuture<Outcome> handle(DnsRequest request) {
        Header h = new Header();
        h.setOpcode(Opcode.QUERY);
        h.setFlag(Flags.RD);
        if (request.query().getHeader().getFlag(Flags.CD)) {
            h.setFlag(Flags.CD);
        }
        Message q = new Message();
        q.setHeader(h);
        q.addRecord(request.question(), Section.QUESTION);
        return attempt(request, q, 0, "");
    }

    private CompletableFuture<Outcome> attempt(DnsRequest request, Message q, int i, String failures) {
        if (i >= upstreams.size()) {
            stats.inc(Counter.UPSTREAM_FAILURES);
            return CompletableFuture.completedFuture(responses.error(request, Rcode.SERVFAIL,
                    ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY, "upstream resolvers failed:" + failures, true));
        }
        SimpleResolver r = upstreams.get(i);
        stats.inc(Counter.FORWARDED);
        CompletableFuture<Message> sent;
        try {
            sent = r.sendAsync(q).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((resp, err) -> {
            String who = " " + r.getAddress().getAddress().getHostAddress() + ":" + r.getAddress().getPort();
            if (err != null) {
                Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                return attempt(request, q, i + 1, failures + who + " " + c.getClass().getSimpleName());
            }
            int rcode = resp.getRcode();
            if (rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED || rcode > 15) {
                return attempt(request, q, i + 1, failures + who + " " + Rcode.string(rcode));
            }
            return CompletableFuture.completedFuture(relay(request, resp));
        }).thenCompose(f -> f);
    }

    /** The upstream's answer re-addressed to the client (its id and question), without upstream OPT or TSIG. */
    private Outcome relay(DnsRequest request, Message resp) {
        Message m = responses.start(request.query(), resp.getRcode(), false);
        long min = Long.MAX_VALUE;
        SOARecord soa = null;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record rec : resp.getSection(section)) {
                if (rec.getType() == Type.OPT || rec.getType() == Type.TSIG) {
                    continue;
                }
                m.addRecord(rec, section);
                if (section != Section.ADDITIONAL) {
                    min = Math.min(min, rec.getTTL());
                }
                if (section == Section.AUTHORITY && rec instanceof SOARecord s) {
                    soa = s;
                }
            }
        }
        boolean positive = resp.getRcode() == Rcode.NOERROR && !resp.getSection(Section.ANSWER).isEmpty();
        long cache;
        if (positive) {
            cache = min;
        } else if (soa != null) {
            cache = Math.min(soa.getTTL(), soa.getMinimum()); // RFC 2308 section 5
        } else {
            cache = 0;
        }
        return new Outcome(responses.template(m, -1, null), Math.max(0, cache), false);
    }
}
