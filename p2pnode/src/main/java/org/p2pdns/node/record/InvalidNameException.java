package org.p2pdns.node.record;

/** A name that is not a valid overlay name; the message says why (empty label, too long, bad character, ...). */
public final class InvalidNameException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidNameException(String message) {
        super(message);
    }
}
