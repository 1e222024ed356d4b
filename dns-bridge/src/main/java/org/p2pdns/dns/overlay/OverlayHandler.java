package org.p2pdns.dns.overlay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.node.api.NameResolver;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers names in the overlay zone from the node's DHT resolution (authoritative: AA set).
 *
 * <p>Each question maps to the registered name directly under the zone ({@code www.example.p2p.} to
 * {@code example.p2p.}), whose record set the {@link NameResolver} returns; identical resolutions in flight are
 * shared. From the record set: the RRset of the asked type at the name; else a CNAME there, followed inside the zone
 * for at most {@value #MAX_CNAME_CHAIN} links; else NODATA when the name exists (a record at or below it: empty
 * non-terminals exist), else NXDOMAIN, both with the zone's SOA in the authority section. TTLs are the record's, never
 * past the signed record's expiry. ANY gets one RRset (RFC 8482). Failures are SERVFAIL with an Extended DNS Error
 * saying why, see {@link #failure}.
 */
public final class OverlayHandler implements DnsHandler {

    /** Longest CNAME chain followed inside the overlay before answering SERVFAIL. */
    public static final int MAX_CNAME_CHAIN = 8;

    private final Name zone;
    private final NameResolver resolver;
    private final Responses responses;
    private final BridgeStats stats;
    private final Scheduler scheduler;
    private final Duration timeout;
    private final ZoneSoa soa;
    private final DnsHandler outside;
    private final ConcurrentHashMap<String, CompletableFuture<Resolution>> inflight = new ConcurrentHashMap<>();

    public OverlayHandler(Name zone, NameResolver resolver, Responses responses, BridgeStats stats,
                          Scheduler scheduler, Duration timeout, Duration negativeTtl) {
        this(zone, resolver, responses, stats, scheduler, timeout, negativeTtl, null);
    }

    /**
     * @param outside where a CNAME that leaves the overlay is followed (the forwarder), or null to return the CNAME
     *                alone and leave the rest to the client
     */
    public OverlayHandler(Name zone, NameResolver resolver, Responses responses, BridgeStats stats,
                          Scheduler scheduler, Duration timeout, Duration negativeTtl, DnsHandler outside) {
        this.outside = outside;
        this.zone = zone;
        this.resolver = resolver;
        this.responses = responses;
        this.stats = stats;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.soa = new ZoneSoa(zone, negativeTtl.toSeconds());
    }

    @Override
    public CompletableFuture<Outcome> handle(DnsRequest request) {
        Chase chase = new Chase(request);
        return chase.step(request.qname());
    }

    /** The state of answering one question: the answer records gathered along a CNAME chain. */
    private final class Chase {
        final DnsRequest req;
        final int qtype;
        final List<Record> answers = new ArrayList<>();
        final Set<Name> seen = new HashSet<>();
        long minTtl = Long.MAX_VALUE;
        boolean staleSeen;
        /** Records from outside the overlay were added: the answer is no longer all ours (AA cleared). */
        boolean leftZone;

        Chase(DnsRequest req) {
            this.req = req;
            this.qtype = req.qtype();
        }

        CompletableFuture<Outcome> step(Name current) {
            if (!seen.add(current) || seen.size() > MAX_CNAME_CHAIN + 1) {
                return done(responses.error(req, Rcode.SERVFAIL, ExtendedErrorCodeOption.OTHER,
                        "CNAME chain in the overlay loops or is longer than " + MAX_CNAME_CHAIN, false));
            }
            if (current.labels() <= zone.labels()) {
                return done(apex(current));
            }
            Name registered = new Name(current, current.labels() - zone.labels() - 1);
            return resolveShared(registered).thenCompose(res -> {
                if (res.status() != ResolveStatus.FOUND) {
                    return done(failure(res));
                }
                return fromRecords(current, res);
            });
        }

        CompletableFuture<Outcome> fromRecords(Name current, Resolution res) {
            long now = responses.clock().millis();
            long cap = res.ttlSeconds();
            if (res.expiresAtMillis() > 0) {
                cap = Math.min(cap, Math.max(0, (res.expiresAtMillis() - now) / 1000));
            }
            if (res.stale()) {
                cap = Math.min(cap, 30);
                staleSeen = true;
            }
            List<Record> at = new ArrayList<>();
            boolean exists = false;
            for (Record r : res.records()) {
                if (r.getDClass() != org.xbill.DNS.DClass.IN) {
                    continue;
                }
                if (r.getName().equals(current)) {
                    at.add(r);
                    exists = true;
                } else if (r.getName().subdomain(current)) {
                    exists = true;
                }
            }
            List<Record> matching = new ArrayList<>();
            if (qtype == Type.ANY && !at.isEmpty()) {
                // RFC 8482: one RRset is enough; prefer a non-CNAME type in a stable order.
                int type = at.stream().mapToInt(Record::getType).min().orElseThrow();
                at.stream().filter(r -> r.getType() == type).forEach(matching::add);
            } else {
                at.stream().filter(r -> r.getType() == qtype).forEach(matching::add);
            }
            if (!matching.isEmpty()) {
                for (Record r : matching) {
                    answers.add(withTtl(r, cap));
                }
                return done(positive());
            }
            if (qtype != Type.CNAME) {
                for (Record r : at) {
                    if (r.getType() == Type.CNAME) {
                        answers.add(withTtl(r, cap));
                        Name target = ((CNAMERecord) r).getTarget();
                        if (target.subdomain(zone)) {
                            return step(target);
                        }
                        return leave(target);
                    }
                }
            }
            return done(negative(exists ? Rcode.NOERROR : Rcode.NXDOMAIN));
        }

        /**
         * A CNAME out of the overlay: followed through the forwarder when there is one (stub resolvers such as glibc's
         * do not chase CNAMEs themselves), its answer records appended; if that fails the CNAME alone is returned.
         */
        CompletableFuture<Outcome> leave(Name target) {
            if (outside == null) {
                return done(positive());
            }
            Message q = Message.newQuery(Record.newRecord(target, qtype, org.xbill.DNS.DClass.IN));
            DnsRequest sub = new DnsRequest(q.toWire(), q, req.client(), true, false, 65535);
            return outside.handle(sub).handle((o, err) -> {
                if (err != null || o == null) {
                    return positive();
                }
                Message m = o.template().message();
                int rcode = m.getHeader().getRcode();
                if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                    return positive();
                }
                leftZone = true;
                for (Record r : m.getSection(Section.ANSWER)) {
                    answers.add(r);
                    minTtl = Math.min(minTtl, r.getTTL());
                }
                if (rcode == Rcode.NXDOMAIN || m.getSection(Section.ANSWER).size() == 0) {
                    // the outside name is missing or has no such type: say so with its own SOA when it gave one
                    Message out = responses.start(req.query(), rcode, false);
                    answers.forEach(r -> out.addRecord(r, Section.ANSWER));
                    long ttl = minTtl;
                    for (Record r : m.getSection(Section.AUTHORITY)) {
                        out.addRecord(r, Section.AUTHORITY);
                        if (r instanceof org.xbill.DNS.SOARecord soaRec) {
                            ttl = Math.min(ttl, Math.min(soaRec.getTTL(), soaRec.getMinimum()));
                        }
                    }
                    return outcome(out, o.cacheSeconds() == 0 ? 0 : ttl);
                }
                return positive();
            });
        }

        Record withTtl(Record r, long cap) {
            long ttl = Math.min(r.getTTL(), cap);
            minTtl = Math.min(minTtl, ttl);
            if (ttl == r.getTTL()) {
                return r;
            }
            return Record.newRecord(r.getName(), r.getType(), r.getDClass(), ttl, r.rdataToWireCanonical());
        }

        Outcome positive() {
            Message m = responses.start(req.query(), Rcode.NOERROR, !leftZone);
            answers.forEach(r -> m.addRecord(r, Section.ANSWER));
            return outcome(m, minTtl);
        }

        Outcome negative(int rcode) {
            Message m = responses.start(req.query(), rcode, true);
            answers.forEach(r -> m.addRecord(r, Section.ANSWER));
            m.addRecord(soa.record(), Section.AUTHORITY);
            return outcome(m, Math.min(minTtl, soa.negativeTtl()));
        }

        Outcome apex(Name current) {
            if (!current.equals(zone)) {
                return negative(Rcode.NXDOMAIN);
            }
            if (qtype == Type.SOA || qtype == Type.ANY) {
                answers.add(soa.record());
                minTtl = Math.min(minTtl, soa.negativeTtl());
                return positive();
            }
            return negative(Rcode.NOERROR);
        }

        Outcome outcome(Message m, long ttl) {
            if (staleSeen) {
                return new Outcome(responses.template(m, ExtendedErrorCodeOption.STALE_ANSWER,
                        "the node served an expired record: the overlay could not be reached"), Math.min(ttl, 30),
                        false);
            }
            return new Outcome(responses.template(m, -1, null), ttl == Long.MAX_VALUE ? 0 : ttl, false);
        }

        /**
         * SERVFAIL (with an Extended DNS Error) or NXDOMAIN for a resolution that found nothing usable: NOT_FOUND and
         * BAD_NAME mean the name does not exist; TIMEOUT (EDE 22, No Reachable Authority) and NO_PEERS (EDE 23,
         * Network Error) are transient and allow serve-stale; INVALID and OWNER_CHANGED (EDE 24, Invalid Data) are not.
         */
        Outcome failure(Resolution res) {
            String why = res.detail().isEmpty() ? "" : ": " + res.detail();
            return switch (res.status()) {
                case NOT_FOUND, BAD_NAME -> negative(Rcode.NXDOMAIN);
                case TIMEOUT -> responses.error(req, Rcode.SERVFAIL, ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
                        "DHT lookup timed out" + why, true);
                case NO_PEERS -> responses.error(req, Rcode.SERVFAIL, ExtendedErrorCodeOption.NETWORK_ERROR,
                        "the node has no peers" + why, true);
                case INVALID -> responses.error(req, Rcode.SERVFAIL, ExtendedErrorCodeOption.INVALID_DATA,
                        "no valid record (forged, expired or rolled back)" + why, false);
                case OWNER_CHANGED -> responses.error(req, Rcode.SERVFAIL, ExtendedErrorCodeOption.INVALID_DATA,
                        "owner key changed since first seen" + why, false);
                case FOUND -> throw new IllegalArgumentException("FOUND is not a failure");
            };
        }

        private CompletableFuture<Outcome> done(Outcome o) {
            return CompletableFuture.completedFuture(o);
        }
    }

    /** One resolution per registered name in flight, with the bridge's own time limit on top of the resolver's. */
    private CompletableFuture<Resolution> resolveShared(Name registered) {
        String key = registered.toString(true).toLowerCase(Locale.ROOT);
        CompletableFuture<Resolution> mine = new CompletableFuture<>();
        CompletableFuture<Resolution> existing = inflight.putIfAbsent(key, mine);
        if (existing != null) {
            stats.inc(Counter.COALESCED);
            return existing;
        }
        stats.inc(Counter.RESOLVER_CALLS);
        Cancellable timer = scheduler.schedule(timeout, () -> finish(key, mine, Resolution.of(ResolveStatus.TIMEOUT,
                key, "no answer from the node within " + timeout.toMillis() + " ms")));
        mine.whenComplete((r, e) -> timer.cancel());
        CompletableFuture<Resolution> call;
        try {
            call = resolver.resolve(key);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((r, e) -> {
            if (e != null || r == null) {
                finish(key, mine, Resolution.of(ResolveStatus.TIMEOUT, key, "resolver failed: "
                        + (e == null ? "null resolution" : e.toString())));
            } else {
                finish(key, mine, r);
            }
        });
        return mine;
    }

    /**
     * Ends a shared resolution: out of the in-flight map first, then completed. Completing first would send the
     * answers (dependents run before an earlier-registered removal), and a question arriving right after an answer
     * went out would join the finished resolution instead of asking the node again.
     */
    private void finish(String key, CompletableFuture<Resolution> mine, Resolution r) {
        inflight.remove(key, mine);
        mine.complete(r);
    }
}
