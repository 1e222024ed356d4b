package org.p2pdns.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * The process's surroundings, passed in so tests can run the command in-process: output streams, stdin, environment
 * and home directory.
 */
public record Io(PrintWriter out, PrintWriter err, InputStream in, Map<String, String> env, Path home) {

    public Io {
        env = Map.copyOf(env);
    }

    /** The real process surroundings. */
    public static Io system() {
        return new Io(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.in, System.getenv(),
                Path.of(System.getProperty("user.home")));
    }
}
