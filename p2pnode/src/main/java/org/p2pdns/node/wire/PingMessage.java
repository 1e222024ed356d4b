package org.p2pdns.node.wire;

/** PING: is the peer alive? Answered by PONG. */
public record PingMessage(long requestId) implements DhtMessage {
    @Override
    public MessageType type() {
        return MessageType.PING;
    }
}
