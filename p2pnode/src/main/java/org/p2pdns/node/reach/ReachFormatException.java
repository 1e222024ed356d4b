package org.p2pdns.node.reach;

/** The one exception for bytes that do not decode as a reachability record (bounds, type, endpoints, trailing bytes). */
public final class ReachFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ReachFormatException(String message) {
        super(message);
    }

    public ReachFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
