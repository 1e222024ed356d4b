package org.p2pdns.node.wire;

import java.util.List;
import java.util.Objects;
import org.p2pdns.node.dht.Contact;

/**
 * NODES: the reply to FIND_NODE (and to FIND_VALUE when no value is held): the closest contacts the replier knows and
 * a write token the requester may use in a later STORE to this replier. The encoder keeps only as many contacts as fit.
 */
public record NodesMessage(long requestId, byte[] token, List<Contact> contacts) implements DhtMessage {
    public NodesMessage {
        token = DhtCodec.checkToken(token);
        contacts = List.copyOf(Objects.requireNonNull(contacts, "contacts"));
    }

    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.NODES;
    }
}
