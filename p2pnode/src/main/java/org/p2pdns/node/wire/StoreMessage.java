package org.p2pdns.node.wire;

import java.util.Objects;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.identity.NodeId;

/** STORE: asks the peer to hold {@code value} under {@code key}, with the write token it gave us; answered by STORE_RESULT. */
public record StoreMessage(long requestId, NodeId key, byte[] token, byte[] value) implements DhtMessage {
    public StoreMessage {
        Objects.requireNonNull(key, "key");
        token = DhtCodec.checkToken(token);
        Objects.requireNonNull(value, "value");
        if (value.length > ValuePolicy.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds "
                    + ValuePolicy.MAX_VALUE_BYTES);
        }
        value = value.clone();
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
        return MessageType.STORE;
    }
}
