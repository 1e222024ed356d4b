package org.p2pdns.dns.overlay;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;

/**
 * The overlay zone's SOA, put in the authority section of NXDOMAIN and NODATA answers. Its TTL and MINIMUM are both
 * the negative TTL, so a resolver caches a negative answer for exactly that long (RFC 2308 section 5).
 */
public final class ZoneSoa {

    private final SOARecord record;

    public ZoneSoa(Name zone, long negativeTtl) {
        try {
            Name mname = Name.fromString("localhost.");
            Name rname = Name.fromString("hostmaster", zone);
            this.record = new SOARecord(zone, DClass.IN, negativeTtl, mname, rname, 1, 3600, 600, 86400,
                    negativeTtl);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad zone " + zone, e);
        }
    }

    public SOARecord record() {
        return record;
    }

    public long negativeTtl() {
        return record.getMinimum();
    }
}
