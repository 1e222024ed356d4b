package org.p2pdns.node.wire;

/** PONG: the reply to PING. */
public record PongMessage(long requestId) implements DhtMessage {
    @Override
    public MessageType type() {
        return MessageType.PONG;
    }
}
