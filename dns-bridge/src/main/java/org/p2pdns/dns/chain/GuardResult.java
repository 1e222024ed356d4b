package org.p2pdns.dns.chain;

/** What the guard decided about a raw query: drop it, answer it at once, or pass it down the chain. */
public sealed interface GuardResult {

    /** Nothing is sent (too short to answer, a response sent to us, or rate limited). */
    record Drop(String reason) implements GuardResult { }

    /** Send these bytes (FORMERR, NOTIMP, REFUSED, BADVERS, or a rate-limit TC slip). */
    record Reply(byte[] wire, int rcode) implements GuardResult { }

    /** A well-formed query for the rest of the chain. */
    record Pass(DnsRequest request) implements GuardResult { }
}
