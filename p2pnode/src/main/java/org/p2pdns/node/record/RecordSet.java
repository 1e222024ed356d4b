package org.p2pdns.node.record;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Rules for the DNS resource records inside a signed record: which types are allowed, where they may live, and their
 * canonical form (lower-case owner names, class IN, TTL = the record's TTL hint, RFC 4034 canonical order, no
 * duplicates).
 */
public final class RecordSet {

    /** Resource-record types a record may carry. */
    public static final Set<Integer> ALLOWED_TYPES = Set.of(Type.A, Type.AAAA, Type.TXT, Type.CNAME, Type.MX,
            Type.SRV, Type.CAA, Type.TLSA, Type.SSHFP, Type.HTTPS, Type.SVCB, Type.URI, Type.PTR);

    private RecordSet() {
    }

    /** The absolute dnsjava name of a canonical registered name. */
    public static Name registeredName(String canonicalRegistered) {
        try {
            return Name.fromString(canonicalRegistered + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + canonicalRegistered, e);
        }
    }

    /**
     * Returns the canonical form of {@code rrs} for the registered name {@code registered} with TTL {@code ttl}.
     *
     * @throws IllegalArgumentException naming the first record that breaks a rule
     */
    public static List<Record> canonicalize(List<Record> rrs, String registered, long ttl) {
        Name reg = registeredName(registered);
        TreeSet<Record> sorted = new TreeSet<>();
        for (Record rr : rrs) {
            check(rr, reg);
            Record copy = Record.newRecord(rr.getName(), rr.getType(), DClass.IN, ttl, rr.rdataToWireCanonical());
            try {
                // a wire round trip lower-cases the owner name and the names inside rdata (RFC 4034 6.2)
                sorted.add(Record.fromWire(copy.toWireCanonical(), Section.ANSWER));
            } catch (IOException e) {
                throw new IllegalArgumentException("record does not survive a wire round trip: " + rr, e);
            }
        }
        List<Record> out = new ArrayList<>(sorted);
        checkCnameAlone(out);
        return out;
    }

    /** Checks one record against the rules that do not depend on the others. */
    static void check(Record rr, Name registered) {
        if (rr == null) {
            throw new IllegalArgumentException("null resource record");
        }
        if (!rr.getName().isAbsolute()) {
            throw new IllegalArgumentException("owner name must be absolute: " + rr.getName());
        }
        if (!rr.getName().subdomain(registered)) {
            throw new IllegalArgumentException("owner name " + rr.getName() + " is not at or under " + registered);
        }
        if (rr.getDClass() != DClass.IN) {
            throw new IllegalArgumentException("only class IN is allowed: " + rr);
        }
        if (!ALLOWED_TYPES.contains(rr.getType())) {
            throw new IllegalArgumentException("type " + Type.string(rr.getType()) + " is not allowed (allowed: "
                    + allowedTypeNames() + "): " + rr);
        }
    }

    /** A CNAME must be the only record at its owner name (RFC 1034 3.6.2). */
    static void checkCnameAlone(List<Record> rrs) {
        Set<Name> cnames = new HashSet<>();
        for (Record rr : rrs) {
            if (rr.getType() == Type.CNAME && !cnames.add(rr.getName())) {
                throw new IllegalArgumentException("more than one CNAME at " + rr.getName());
            }
        }
        for (Record rr : rrs) {
            if (rr.getType() != Type.CNAME && cnames.contains(rr.getName())) {
                throw new IllegalArgumentException("a CNAME must be alone at its name, but " + rr.getName()
                        + " also has " + Type.string(rr.getType()));
            }
        }
    }

    private static String allowedTypeNames() {
        return ALLOWED_TYPES.stream().map(Type::string).sorted().reduce((a, b) -> a + ", " + b).orElse("");
    }
}
