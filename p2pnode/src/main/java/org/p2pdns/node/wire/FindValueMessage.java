package org.p2pdns.node.wire;

import java.util.Objects;
import org.p2pdns.node.identity.NodeId;

/** FIND_VALUE: asks for the value held under {@code key} and for closer contacts; answered by VALUE or NODES. */
public record FindValueMessage(long requestId, NodeId key) implements DhtMessage {
    public FindValueMessage {
        Objects.requireNonNull(key, "key");
    }

    @Override
    public MessageType type() {
        return MessageType.FIND_VALUE;
    }
}
