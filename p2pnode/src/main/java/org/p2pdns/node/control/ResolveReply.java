package org.p2pdns.node.control;

import java.util.ArrayList;
import java.util.List;
import org.p2pdns.node.api.Resolution;

/**
 * A {@link Resolution} as the control API carries it: records as text, so the CLI can print them without parsing DNS.
 *
 * @param status   a {@link org.p2pdns.node.api.ResolveStatus} name
 * @param name     the registered name
 * @param records  the records, in presentation form
 * @param ttl      the TTL hint in seconds
 * @param sequence the record's sequence number
 * @param stale    true when served from cache while the DHT was unreachable
 * @param detail   why, for a status other than FOUND
 */
public record ResolveReply(String status, String name, List<Rr> records, long ttl, long sequence, boolean stale,
                           String detail) {

    public ResolveReply {
        records = records == null ? List.of() : List.copyOf(records);
        detail = detail == null ? "" : detail;
    }

    /** One resource record: owner name, type mnemonic, TTL and rdata in zone-file form. */
    public record Rr(String name, String type, long ttl, String data) {
        /** The record as one zone-file line. */
        public String toZoneLine() {
            return name + "\t" + ttl + "\tIN\t" + type + "\t" + data;
        }
    }

    /** Converts a resolver's answer. */
    public static ResolveReply of(Resolution r) {
        List<Rr> rrs = new ArrayList<>();
        for (org.xbill.DNS.Record rec : r.records()) {
            rrs.add(new Rr(rec.getName().toString(), org.xbill.DNS.Type.string(rec.getType()), rec.getTTL(),
                    rec.rdataToString()));
        }
        return new ResolveReply(r.status().name(), r.name(), rrs, r.ttlSeconds(), r.sequence(), r.stale(), r.detail());
    }
}
