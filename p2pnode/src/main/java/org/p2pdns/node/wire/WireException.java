package org.p2pdns.node.wire;

/** The one exception a DHT message decoder throws: the input is not a valid message, and {@link #error} says why. */
public final class WireException extends Exception {

    /** Why a message was refused; the code is stable and appears in counters and logs. */
    public enum Error {
        /** Fewer bytes than the layout needs at this point. */
        TRUNCATED(1),
        /** The version byte is not one this node speaks. */
        BAD_VERSION(2),
        /** The type byte is not a known message type. */
        UNKNOWN_TYPE(3),
        /** Bytes left over after the message's last field. */
        TRAILING_BYTES(4),
        /** A contact's address family, address or port is invalid. */
        BAD_ADDRESS(5),
        /** A length field or the whole message exceeds its limit. */
        TOO_LARGE(6),
        /** A field holds a value outside its range. */
        BAD_FIELD(7);

        private final int code;

        Error(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private static final long serialVersionUID = 1L;

    private final Error error;

    public WireException(Error error, String detail) {
        super(error + ": " + detail, null, false, false);
        this.error = error;
    }

    public Error error() {
        return error;
    }
}
