package org.p2pdns.node.intro;

/** The one exception every intro-protocol and punch decoder throws for malformed input; carries an error code. */
public final class IntroDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final IntroError code;

    public IntroDecodeException(IntroError code, String message) {
        super(message);
        this.code = code;
    }

    /** Why the packet was refused, as the wire code an ERROR reply would carry. */
    public IntroError code() {
        return code;
    }
}
