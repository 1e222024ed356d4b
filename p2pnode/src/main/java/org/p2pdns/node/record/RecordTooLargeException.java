package org.p2pdns.node.record;

/** A record set whose signed record would not fit the size cap; the message says by how many bytes. */
public final class RecordTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int size;
    private final int limit;

    public RecordTooLargeException(String name, int size, int limit) {
        super("the signed record for " + name + " would be " + size + " bytes, " + (size - limit)
                + " bytes over the limit of " + limit + " (remove or shorten resource records)");
        this.size = size;
        this.limit = limit;
    }

    /** Encoded size the record would have. */
    public int size() {
        return size;
    }

    /** The cap. */
    public int limit() {
        return limit;
    }
}
