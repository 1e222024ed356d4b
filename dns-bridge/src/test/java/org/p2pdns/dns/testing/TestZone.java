package org.p2pdns.dns.testing;

import java.io.IOException;
import org.p2pdns.node.api.ResolveStatus;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/** The overlay names the bridge tests publish in a {@link FakeResolver}. */
public final class TestZone {

    private TestZone() {
    }

    public static Record rr(String text) {
        try {
            String[] f = text.split("\\s+", 3);
            return Record.fromString(Name.fromString(f[0]), org.xbill.DNS.Type.value(f[1]), org.xbill.DNS.DClass.IN,
                    300, f[2], Name.root);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    public static Record rr(String text, long ttl) {
        Record r = rr(text);
        return Record.newRecord(r.getName(), r.getType(), r.getDClass(), ttl, r.rdataToWireCanonical());
    }

    public static FakeResolver populate(FakeResolver f) {
        f.publish("example.p2p", 300, 86400,
                rr("example.p2p. A 192.0.2.10"),
                rr("example.p2p. AAAA 2001:db8::10"),
                rr("example.p2p. TXT \"hello world\""),
                rr("example.p2p. MX 10 mail.example.p2p."),
                rr("example.p2p. CAA 0 issue \"ca.example.net\""),
                rr("www.example.p2p. CNAME example.p2p."),
                rr("mail.example.p2p. A 192.0.2.25"),
                rr("_sip._udp.example.p2p. SRV 10 5 5060 sip.example.p2p."),
                rr("deep.sub.example.p2p. A 192.0.2.30"),
                rr("alias.example.p2p. CNAME other.p2p."),
                rr("loop1.example.p2p. CNAME loop2.example.p2p."),
                rr("loop2.example.p2p. CNAME loop1.example.p2p."),
                rr("ext.example.p2p. CNAME www.example.com."),
                rr("extgone.example.p2p. CNAME nope.example.com."),
                rr("gone.example.p2p. CNAME missing.p2p."));
        f.publish("other.p2p", 120, 86400, rr("other.p2p. A 192.0.2.40"));
        Record[] big = new Record[20];
        for (int i = 0; i < big.length; i++) {
            big[i] = rr("big.p2p. TXT \"record number " + i + " padded to be long enough\"");
        }
        f.publish("big.p2p", 300, 86400, big);
        f.publish("expiring.p2p", 3600, 100, rr("expiring.p2p. A 192.0.2.50", 3600));
        f.fail("timeout.p2p", ResolveStatus.TIMEOUT);
        f.fail("nopeers.p2p", ResolveStatus.NO_PEERS);
        f.fail("invalid.p2p", ResolveStatus.INVALID);
        f.fail("owner.p2p", ResolveStatus.OWNER_CHANGED);
        f.fail("bad--name.p2p", ResolveStatus.BAD_NAME);
        return f;
    }
}
