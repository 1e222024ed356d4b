package org.p2pdns.node.nat;

import org.p2pdns.node.intro.IntroError;

/** An introduction server refused a request with an ERROR reply. */
public final class IntroException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final IntroError error;

    public IntroException(IntroError error) {
        super("introduction server refused: " + error);
        this.error = error;
    }

    public IntroError error() {
        return error;
    }
}
