package org.p2pdns.node.wire;

/** One DHT message; every message carries the 8-byte request id that pairs a reply with its request. */
public sealed interface DhtMessage permits PingMessage, PongMessage, FindNodeMessage, NodesMessage, FindValueMessage,
        ValueMessage, StoreMessage, StoreResultMessage, ErrorMessage {

    long requestId();

    MessageType type();
}
