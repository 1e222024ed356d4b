package org.p2pdns.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.p2pdns.node.config.IpLiterals;
import org.p2pdns.node.control.ResolveReply;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Turns {@code --register} flags and zone files into a record set, refusing with a usage error (naming the flag and
 * value) anything that is not a valid record of a supported type at or under the registered name.
 */
public final class RecordSetBuilder {

    /** The types a record set may hold. */
    public static final Set<Integer> SUPPORTED = Set.of(Type.A, Type.AAAA, Type.TXT, Type.CNAME, Type.MX, Type.SRV,
            Type.CAA);
    /** Largest zone file read. */
    static final long MAX_ZONE_FILE_BYTES = 64 * 1024;

    private final Name name;
    private final long ttl;
    private final List<org.xbill.DNS.Record> records = new ArrayList<>();

    /** A builder for {@code domain} (already canonical, no trailing dot). */
    public RecordSetBuilder(String domain, long ttl) {
        try {
            this.name = Name.fromString(domain + ".");
        } catch (TextParseException e) {
            throw usage("invalid domain '" + domain + "'");
        }
        this.ttl = ttl;
    }

    public RecordSetBuilder a(String ip) {
        InetAddress a = IpLiterals.parse(ip);
        if (!(a instanceof Inet4Address)) {
            throw usage("--a: '" + ip + "' is not an IPv4 address");
        }
        records.add(new ARecord(name, DClass.IN, ttl, a));
        return this;
    }

    public RecordSetBuilder aaaa(String ip) {
        InetAddress a = IpLiterals.parse(ip);
        if (!(a instanceof Inet6Address)) {
            throw usage("--aaaa: '" + ip + "' is not an IPv6 address");
        }
        records.add(new AAAARecord(name, DClass.IN, ttl, a));
        return this;
    }

    public RecordSetBuilder txt(String text) {
        if (text.isEmpty()) {
            throw usage("--txt: empty text");
        }
        // one TXT record may carry several strings of at most 255 bytes each
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 255) {
            parts.add(text.substring(i, Math.min(text.length(), i + 255)));
        }
        try {
            records.add(new TXTRecord(name, DClass.IN, ttl, parts));
        } catch (IllegalArgumentException e) {
            throw usage("--txt: " + e.getMessage());
        }
        return this;
    }

    /** {@code PREF:HOST}, e.g. {@code 10:mail.example.p2p}. */
    public RecordSetBuilder mx(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw usage("--mx: expected PREF:HOST, got '" + spec + "'");
        }
        int pref = intIn("--mx", spec.substring(0, colon), 0, 65535);
        records.add(new MXRecord(name, DClass.IN, ttl, pref, host("--mx", spec.substring(colon + 1))));
        return this;
    }

    /** {@code SERVICE:PROTO:PRIORITY:WEIGHT:PORT:TARGET}, e.g. {@code sip:tcp:10:5:5060:sip.example.p2p}. */
    public RecordSetBuilder srv(String spec) {
        String[] p = spec.split(":", -1);
        if (p.length != 6 || !p[0].matches("[A-Za-z0-9-]{1,62}") || !p[1].matches("[A-Za-z0-9-]{1,62}")) {
            throw usage("--srv: expected SERVICE:PROTO:PRIORITY:WEIGHT:PORT:TARGET, got '" + spec + "'");
        }
        Name owner;
        try {
            owner = Name.concatenate(Name.fromString("_" + p[0] + "._" + p[1]), name);
        } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
            throw usage("--srv: " + e.getMessage());
        }
        records.add(new SRVRecord(owner, DClass.IN, ttl, intIn("--srv priority", p[2], 0, 65535),
                intIn("--srv weight", p[3], 0, 65535), intIn("--srv port", p[4], 0, 65535), host("--srv", p[5])));
        return this;
    }

    public RecordSetBuilder cname(String target) {
        records.add(new CNAMERecord(name, DClass.IN, ttl, host("--cname", target)));
        return this;
    }

    /** {@code FLAGS TAG VALUE}, e.g. {@code 0 issue "ca.example"}. */
    public RecordSetBuilder caa(String spec) {
        try {
            records.add(org.xbill.DNS.Record.fromString(name, Type.CAA, DClass.IN, ttl, spec, Name.root));
        } catch (IOException | IllegalArgumentException e) {
            throw usage("--caa: expected 'FLAGS TAG VALUE' (e.g. 0 issue \"ca.example\"), got '" + spec + "'");
        }
        return this;
    }

    /**
     * Adds every record of a zone file (master file syntax; {@code $ORIGIN} defaults to the registered name, {@code $TTL}
     * to {@code --ttl}, {@code $INCLUDE} is refused).
     */
    public RecordSetBuilder zoneFile(Path file) {
        try {
            if (Files.size(file) > MAX_ZONE_FILE_BYTES) {
                throw usage("--zone-file: " + file + " is larger than " + MAX_ZONE_FILE_BYTES + " bytes");
            }
        } catch (NoSuchFileException e) {
            throw usage("--zone-file: no such file " + file);
        } catch (IOException e) {
            throw usage("--zone-file: cannot read " + file + ": " + e.getMessage());
        }
        try (InputStream in = Files.newInputStream(file); Master m = new Master(in, name, ttl)) {
            m.disableIncludes();
            org.xbill.DNS.Record r;
            while ((r = m.nextRecord()) != null) {
                records.add(r);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw usage("--zone-file " + file + ": " + e.getMessage());
        }
        return this;
    }

    /** The record set, checked: non-empty, supported types, all at or under the name, CNAME alone at its owner. */
    public List<org.xbill.DNS.Record> build() {
        if (records.isEmpty()) {
            throw usage("no records: give at least one of --a, --aaaa, --txt, --mx, --srv, --cname, --caa, --zone-file");
        }
        for (org.xbill.DNS.Record r : records) {
            if (!SUPPORTED.contains(r.getType())) {
                throw usage("record type " + Type.string(r.getType()) + " is not supported (supported: A, AAAA, TXT, "
                        + "CNAME, MX, SRV, CAA)");
            }
            if (r.getDClass() != DClass.IN) {
                throw usage("only class IN records are supported: " + r);
            }
            if (!r.getName().subdomain(name)) {
                throw usage("record " + r.getName() + " is not at or under " + name);
            }
            if (r.getType() == Type.CNAME) {
                for (org.xbill.DNS.Record o : records) {
                    if (o != r && o.getName().equals(r.getName())) {
                        throw usage("a CNAME cannot share its name with other records: " + r.getName());
                    }
                }
            }
        }
        return List.copyOf(records);
    }

    /** The record set as the control API carries it. */
    public static List<ResolveReply.Rr> toWire(List<org.xbill.DNS.Record> rs) {
        List<ResolveReply.Rr> out = new ArrayList<>();
        for (org.xbill.DNS.Record r : rs) {
            out.add(new ResolveReply.Rr(r.getName().toString(), Type.string(r.getType()), r.getTTL(), r.rdataToString()));
        }
        return out;
    }

    private static Name host(String flag, String text) {
        String t = text.strip();
        try {
            if (t.isEmpty()) {
                throw usage(flag + ": empty host name");
            }
            return Name.fromString(t.endsWith(".") ? t : t + ".");
        } catch (TextParseException e) {
            throw usage(flag + ": invalid host name '" + text + "'");
        }
    }

    private static int intIn(String flag, String text, int min, int max) {
        try {
            int v = Integer.parseInt(text.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage(flag + ": expected a number in " + min + ".." + max + ", got '" + text + "'");
    }

    private static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message);
    }
}
