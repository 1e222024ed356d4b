package org.p2pdns.node.control;

import java.util.List;

/**
 * A publish request on the control API.
 *
 * @param name    the name to register or update
 * @param records the record set, each record as owner name, type, TTL and rdata text
 * @param ttl     the TTL hint for the whole set (seconds)
 * @param key     the alias of the owner key to sign with, or null for the node's choice (the name's current key,
 *                else "default")
 */
public record PublishRequest(String name, List<ResolveReply.Rr> records, long ttl, String key) {

    public PublishRequest {
        records = records == null ? List.of() : List.copyOf(records);
    }
}
