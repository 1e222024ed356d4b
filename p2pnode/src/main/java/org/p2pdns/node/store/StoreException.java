package org.p2pdns.node.store;

import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The node's store file cannot be opened, read or written; the message names the file. */
public final class StoreException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public StoreException(Path file, String what, Throwable cause) {
        super(what + ": " + file + (cause == null ? "" : " (" + cause.getMessage() + ")"),
                new java.io.IOException(cause));
    }
}
