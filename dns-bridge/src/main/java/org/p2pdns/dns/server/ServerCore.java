package org.p2pdns.dns.server;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.cache.CacheProbe;
import org.p2pdns.dns.cache.ResponseCache;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Guard;
import org.p2pdns.dns.chain.GuardResult;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.RateLimiter;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.wire.PackedAnswer;
import org.p2pdns.dns.wire.ResponseTemplate;
import org.p2pdns.dns.wire.WireFormat;
import org.xbill.DNS.Message;

/**
 * Transport-independent query processing: the guard, then the handler chain, then rendering with the UDP size limit
 * (truncating with TC when the answer does not fit). Also the UDP fast path, which answers a plain query whose
 * answer is fresh in the cache straight from the encoded bytes, without decoding the query.
 */
public final class ServerCore {

    private final Guard guard;
    private final DnsHandler chain;
    private final ResponseCache cache;
    private final RateLimiter rateLimiter;
    private final Responses responses;
    private final BridgeStats stats;
    private final Clock clock;

    public ServerCore(Guard guard, DnsHandler chain, ResponseCache cache, RateLimiter rateLimiter,
                      Responses responses, BridgeStats stats) {
        this.guard = guard;
        this.chain = chain;
        this.cache = cache;
        this.rateLimiter = rateLimiter;
        this.responses = responses;
        this.stats = stats;
        this.clock = responses.clock();
    }

    /** Processes one query; {@code send} is called at most once, possibly later and on another thread. */
    public void process(byte[] raw, InetSocketAddress client, boolean tcp, Consumer<byte[]> send) {
        process(raw, client, tcp, send, NOT_CHECKED);
    }

    /** As above, with the rate limiter's verdict from {@link #fastPath} (or {@link #NOT_CHECKED}). */
    public void process(byte[] raw, InetSocketAddress client, boolean tcp, Consumer<byte[]> send, long limited) {
        GuardResult g = guard.inspect(raw, client, tcp, limited);
        if (g instanceof GuardResult.Reply r) {
            send.accept(r.wire());
            return;
        }
        if (!(g instanceof GuardResult.Pass p)) {
            return;
        }
        DnsRequest req = p.request();
        CompletableFuture<Outcome> f;
        try {
            f = chain.handle(req);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((o, err) -> {
            Outcome out = o;
            if (err != null || o == null) {
                stats.inc(Counter.INTERNAL_ERRORS);
                out = responses.internalError(req);
            }
            byte[] wire;
            try {
                wire = render(req, out.template());
            } catch (RuntimeException e) {
                stats.inc(Counter.INTERNAL_ERRORS);
                wire = render(req, responses.internalError(req).template());
            }
            send.accept(wire);
        });
    }

    /** Largest UDP response for a client: 512 without EDNS0, else its payload size capped at ours. */
    int udpLimit(boolean edns, int clientPayload) {
        return edns ? Math.min(Math.max(512, clientPayload), responses.payload()) : 512;
    }

    private byte[] render(DnsRequest req, ResponseTemplate t) {
        byte[] wire = t.render(req.raw(), req.edns(), clock.millis(), -1);
        stats.countRcode(t.rcode());
        if (!req.tcp()) {
            int limit = udpLimit(req.edns(), req.clientPayload());
            if (wire.length > limit) {
                stats.inc(Counter.TRUNCATED);
                try {
                    Message m = new Message(wire);
                    byte[] cut = m.toWire(limit);
                    // dnsjava sets TC when it drops records; make sure of it whatever it dropped.
                    cut[2] |= 0x02;
                    return cut;
                } catch (IOException e) {
                    throw new IllegalStateException("re-reading our own response failed", e);
                }
            }
        }
        return wire;
    }

    /** Now on the bridge's clock (the UDP handler reads it once per batch of datagrams for the fast path). */
    public long millis() {
        return clock.millis();
    }

    /** A new scratch space for {@link #fastPath}: one per event-loop thread (per UDP channel). */
    public Scratch newScratch() {
        return new Scratch(Math.max(512, responses.payload()));
    }

    /** {@link #fastPath} did not take a rate-limit token: the guard must. */
    public static final long NOT_CHECKED = -1;
    /** {@link #fastPath} answered the query. */
    public static final long ANSWERED = 0;

    /** Longest datagram the fast path looks at (a question and an OPT with options need far less). */
    static final int MAX_FAST_QUERY = 2048;

    /**
     * The fast path's working space, reused for every datagram so that answering from the cache allocates nothing:
     * the query's bytes, the cache probe, the answer, and the counts of the current read batch (added to the
     * bridge's counters by {@link #flushCounts}, not one shared counter update per query). Confined to one thread.
     */
    public static final class Scratch {
        private static final int RCODES = 17;
        private final byte[] query = new byte[MAX_FAST_QUERY];
        private final byte[] answer;
        private final CacheProbe probe = new CacheProbe();
        private int answerLength;
        private int queries;
        private int fastHits;
        private final int[] rcodes = new int[RCODES];

        Scratch(int maxAnswer) {
            this.answer = new byte[maxAnswer];
        }

        /** Counts one UDP query (to be added at the end of the batch). */
        public void countQuery() {
            queries++;
        }

        /** Adds this batch's counts to {@code stats} and starts a new batch. */
        public void flushCounts(BridgeStats stats) {
            stats.add(Counter.QUERIES_UDP, queries);
            stats.add(Counter.CACHE_HITS_FAST, fastHits);
            queries = 0;
            fastHits = 0;
            for (int i = 0; i < RCODES; i++) {
                if (rcodes[i] != 0) {
                    Counter c = BridgeStats.rcodeCounter(i);
                    if (c != null) {
                        stats.add(c, rcodes[i]);
                    }
                    rcodes[i] = 0;
                }
            }
        }

        private void countFastAnswer(int rcode, BridgeStats stats) {
            fastHits++;
            if (rcode >= 0 && rcode < RCODES) {
                rcodes[rcode]++;
            } else {
                stats.countRcode(rcode);
            }
        }

        /** The answer of the last {@link #fastPath} call that returned {@link #ANSWERED}: its first bytes. */
        public byte[] answer() {
            return answer;
        }

        public int answerLength() {
            return answerLength;
        }
    }

    /**
     * The UDP fast path: if {@code query} is a plain QUERY for class IN with at most an OPT (version 0, options well
     * formed) and its answer is fresh in the cache and fits the client's limit, takes a rate-limit token and, if
     * allowed, renders the answer into {@code s}, counts it there (see {@link Scratch#flushCounts}) and returns
     * {@link #ANSWERED}. Returns {@link #NOT_CHECKED} when the query is not for the fast path, or the rate limiter's
     * count (> 0) when the client is over its limit; either way the query then goes through {@link #process}.
     * Positive, negative (NXDOMAIN, NODATA) and forwarded answers are all cached the same way, so all take this path.
     */
    public long fastPath(ByteBuf query, InetSocketAddress client, Scratch s, long now) {
        int n = query.readableBytes();
        if (n < 17 || n > MAX_FAST_QUERY) {
            return NOT_CHECKED;
        }
        byte[] q = s.query;
        query.getBytes(query.readerIndex(), q, 0, n);
        if ((q[2] & 0xf8) != 0 || u16(q, 4) != 1 || u16(q, 6) != 0 || u16(q, 8) != 0) {
            return NOT_CHECKED;
        }
        int ar = u16(q, 10);
        if (ar > 1) {
            return NOT_CHECKED;
        }
        int p = WireFormat.HEADER;
        while (true) {
            if (p >= n) {
                return NOT_CHECKED;
            }
            int len = q[p] & 0xff;
            if (len == 0) {
                break;
            }
            if (len > 63) {
                return NOT_CHECKED;
            }
            p += 1 + len;
        }
        int nameLen = p + 1 - WireFormat.HEADER;
        if (nameLen > CacheProbe.MAX_NAME || p + 5 > n) {
            return NOT_CHECKED;
        }
        int qtype = u16(q, p + 1);
        if (u16(q, p + 3) != 1) {
            return NOT_CHECKED;
        }
        p += 5;
        boolean edns = false;
        int payload = 512;
        if (ar == 1) {
            if (p + 11 > n || q[p] != 0 || u16(q, p + 1) != WireFormat.TYPE_OPT || q[p + 6] != 0) {
                return NOT_CHECKED;
            }
            payload = u16(q, p + 3);
            int end = p + 11 + u16(q, p + 9);
            if (end != n) {
                return NOT_CHECKED;
            }
            p += 11;
            while (p + 4 <= end) { // options must fill the record data exactly, as the slow path's parser requires
                p += 4 + u16(q, p + 2);
            }
            edns = true;
        }
        if (p != n) {
            return NOT_CHECKED;
        }
        byte[] a = cache.freshPacked(s.probe.load(q, WireFormat.HEADER, nameLen, qtype), now);
        if (a == null || PackedAnswer.qnameLen(a) != nameLen) {
            return NOT_CHECKED;
        }
        int size = PackedAnswer.size(a, edns);
        if (size > udpLimit(edns, payload) || size > s.answer.length) {
            return NOT_CHECKED;
        }
        long limited = rateLimiter.acquire(client.getAddress());
        if (limited > 0) {
            return limited;
        }
        s.answerLength = PackedAnswer.render(a, q, edns, now, s.answer);
        s.countFastAnswer(PackedAnswer.rcode(a), stats);
        return ANSWERED;
    }

    private static int u16(byte[] w, int pos) {
        return ((w[pos] & 0xff) << 8) | (w[pos + 1] & 0xff);
    }
}
