package org.p2pdns.dns.chain;

import java.net.InetSocketAddress;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * One well-formed query that passed the guard.
 *
 * @param raw           the query as received (its id, flags and question bytes are echoed in the response)
 * @param query         the decoded query
 * @param client        who sent it
 * @param tcp           whether it came over TCP (no size limit, no rate limit)
 * @param edns          whether the client sent an OPT record (version 0)
 * @param clientPayload the client's advertised UDP payload size (512 without EDNS0)
 */
public record DnsRequest(byte[] raw, Message query, InetSocketAddress client, boolean tcp, boolean edns,
                         int clientPayload) {

    public Record question() {
        return query.getQuestion();
    }

    public Name qname() {
        return query.getQuestion().getName();
    }

    public int qtype() {
        return query.getQuestion().getType();
    }

    public int id() {
        return query.getHeader().getID();
    }
}
