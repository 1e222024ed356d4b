package org.p2pdns.node.wire;

/** The type byte of a DHT message (second byte of every message). Codes never change meaning once released. */
public enum MessageType {
    PING(1, true),
    PONG(2, false),
    FIND_NODE(3, true),
    NODES(4, false),
    FIND_VALUE(5, true),
    VALUE(6, false),
    STORE(7, true),
    STORE_RESULT(8, false),
    ERROR(9, false);

    private final int code;
    private final boolean request;

    MessageType(int code, boolean request) {
        this.code = code;
        this.request = request;
    }

    public int code() {
        return code;
    }

    /** True for requests (which get a reply), false for replies. */
    public boolean isRequest() {
        return request;
    }

    /** The type for a code, or null. */
    public static MessageType fromCode(int code) {
        for (MessageType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
