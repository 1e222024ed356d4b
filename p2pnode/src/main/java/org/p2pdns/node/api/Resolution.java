package org.p2pdns.node.api;

import java.util.List;

/**
 * The answer for one registered overlay name (e.g. {@code example.p2p}): its resource records (owner names are
 * absolute and may be subdomains of the registered name) when {@code status} is FOUND.
 *
 * @param name            the canonical registered name, with trailing dot ({@code example.p2p.})
 * @param records         the record set (dnsjava records), empty unless FOUND
 * @param ttlSeconds      the record's TTL hint, already capped so that it never reaches past {@code expiresAtMillis}
 * @param expiresAtMillis when the signed record expires (epoch millis), 0 unless FOUND
 * @param sequence        the record's sequence number, 0 unless FOUND
 * @param stale           true when served from cache while the DHT could not be reached
 * @param detail          a human-readable reason for any status other than FOUND (empty otherwise)
 */
public record Resolution(ResolveStatus status, String name, List<org.xbill.DNS.Record> records, long ttlSeconds,
                         long expiresAtMillis, long sequence, boolean stale, String detail) {

    public Resolution {
        records = List.copyOf(records);
        detail = detail == null ? "" : detail;
    }

    /** A failed or negative resolution. */
    public static Resolution of(ResolveStatus status, String name, String detail) {
        if (status == ResolveStatus.FOUND) {
            throw new IllegalArgumentException("FOUND needs records");
        }
        return new Resolution(status, name, List.of(), 0, 0, 0, false, detail);
    }
}
