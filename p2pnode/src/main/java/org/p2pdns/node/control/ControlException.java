package org.p2pdns.node.control;

/** A control API call that did not get an answer; {@link #kind()} says why, the message says it for people. */
public final class ControlException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a call failed. */
    public enum Kind {
        /** No node is running for the data directory (no port file, or nothing listens on its port). */
        UNREACHABLE,
        /** The node refused the token. */
        UNAUTHORIZED,
        /** The node did not answer in time. */
        TIMEOUT,
        /** The node refused the request as malformed. */
        BAD_REQUEST,
        /** Any other failure. */
        FAILED
    }

    private final Kind kind;

    public ControlException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
