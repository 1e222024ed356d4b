package org.p2pdns.node.wire;

import java.util.Objects;
import org.p2pdns.node.identity.NodeId;

/** FIND_NODE: asks for the contacts closest to {@code target}; answered by NODES. */
public record FindNodeMessage(long requestId, NodeId target) implements DhtMessage {
    public FindNodeMessage {
        Objects.requireNonNull(target, "target");
    }

    @Override
    public MessageType type() {
        return MessageType.FIND_NODE;
    }
}
