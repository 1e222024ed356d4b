package org.p2pdns.dns.chain;

import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;

/**
 * Sends names in the overlay zone to the overlay handler and every other name to the forwarder, or answers REFUSED
 * (EDE 20 "Not Authoritative") for other names when forwarding is off.
 */
public final class ZoneRouter implements DnsHandler {

    private final Name zone;
    private final DnsHandler overlay;
    private final DnsHandler forwarder;
    private final Responses responses;

    /** {@code forwarder == null} means forwarding is off. */
    public ZoneRouter(Name zone, DnsHandler overlay, DnsHandler forwarder, Responses responses) {
        this.zone = zone;
        this.overlay = overlay;
        this.forwarder = forwarder;
        this.responses = responses;
    }

    public boolean inZone(Name name) {
        return name.subdomain(zone);
    }

    /** Whether a query for {@code name} would be answered at all (not REFUSED). */
    public boolean answers(Name name) {
        return forwarder != null || inZone(name);
    }

    @Override
    public CompletableFuture<Outcome> handle(DnsRequest request) {
        if (inZone(request.qname())) {
            return overlay.handle(request);
        }
        if (forwarder == null) {
            return CompletableFuture.completedFuture(responses.error(request, Rcode.REFUSED,
                    ExtendedErrorCodeOption.NOT_AUTHORITATIVE, "forwarding is off: only " + zone + " is answered",
                    false));
        }
        return forwarder.handle(request);
    }
}
