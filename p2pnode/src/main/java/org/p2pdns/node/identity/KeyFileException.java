package org.p2pdns.node.identity;

import java.nio.file.Path;

/** A key file that cannot be used: the message names the file, what is wrong and how to fix it. */
public final class KeyFileException extends Exception {

    private final transient Path path;

    public KeyFileException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    public KeyFileException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The key file concerned. */
    public Path path() {
        return path;
    }
}
