package org.p2pdns.node.wire;

import java.util.List;
import java.util.Objects;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.ValuePolicy;

/**
 * VALUE: the reply to FIND_VALUE when the replier holds a value: the value, a write token, and as many closer contacts
 * as still fit in the message (the encoder truncates them).
 */
public record ValueMessage(long requestId, byte[] token, byte[] value, List<Contact> contacts) implements DhtMessage {
    public ValueMessage {
        token = DhtCodec.checkToken(token);
        Objects.requireNonNull(value, "value");
        if (value.length > ValuePolicy.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds "
                    + ValuePolicy.MAX_VALUE_BYTES);
        }
        value = value.clone();
        contacts = List.copyOf(Objects.requireNonNull(contacts, "contacts"));
    }

    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.VALUE;
    }
}
