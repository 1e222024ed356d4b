package org.p2pdns.node.wire;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** ERROR: the reply to a request that could not be served, with a code and a short human-readable reason. */
public record ErrorMessage(long requestId, Code code, String reason) implements DhtMessage {

    /** Longest reason, in UTF-8 bytes. */
    public static final int MAX_REASON_BYTES = 200;

    /** Why a request was refused; codes never change meaning once released. */
    public enum Code {
        /** The request could not be decoded. */
        MALFORMED(1),
        /** The request's version is not spoken here. */
        UNSUPPORTED_VERSION(2),
        /** The node is too busy to serve the request. */
        OVERLOADED(3),
        /** The request type is not served by this node. */
        UNSUPPORTED_TYPE(4);

        private final int code;

        Code(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static Code fromCode(int code) {
            for (Code c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return null;
        }
    }

    public ErrorMessage {
        Objects.requireNonNull(code, "code");
        reason = reason == null ? "" : reason;
        if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            throw new IllegalArgumentException("reason longer than " + MAX_REASON_BYTES + " bytes");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.ERROR;
    }
}
