package org.p2pdns.node.record;

/** The one exception for bytes that do not decode as a signed record (bounds, version, non-canonical content). */
public final class RecordFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecordFormatException(String message) {
        super(message);
    }

    public RecordFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
