package org.p2pdns.cli;

import java.io.PrintWriter;

/** Progress lines for people, on stderr; silent with {@code --quiet}, chattier with {@code -v}. */
public final class Progress {
    private final PrintWriter err;
    private final boolean quiet;
    private final boolean verbose;

    public Progress(PrintWriter err, boolean quiet, boolean verbose) {
        this.err = err;
        this.quiet = quiet;
        this.verbose = verbose;
    }

    /** A step people want to see (joining, proof of work...). */
    public void step(String message) {
        if (!quiet) {
            err.println(message);
            err.flush();
        }
    }

    /** A detail shown with -v only. */
    public void detail(String message) {
        if (verbose && !quiet) {
            err.println(message);
            err.flush();
        }
    }

    /** A warning, shown unless --quiet. */
    public void warn(String message) {
        if (!quiet) {
            err.println("warning: " + message);
            err.flush();
        }
    }

    public boolean quiet() {
        return quiet;
    }

    public boolean verbose() {
        return verbose;
    }
}
