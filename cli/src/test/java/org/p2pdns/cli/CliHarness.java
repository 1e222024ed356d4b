package org.p2pdns.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Runs {@code p2p} in-process with captured output, a given environment and home directory. */
final class CliHarness {

    /** The outcome of one run. */
    record Result(int code, String out, String err) {
        /** True when stderr is exactly one line (what users get for an error). */
        boolean oneLineError() {
            return !err.isBlank() && err.strip().lines().count() == 1 && !err.contains("\tat ");
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private final Path home;
    private final Map<String, String> env;
    private final Launcher launcher;

    CliHarness(Path home, Map<String, String> env, Launcher launcher) {
        this.home = home;
        this.env = env;
        this.launcher = launcher;
    }

    Result run(String... args) {
        return run(new CompletableFuture<>(), args);
    }

    Result run(CompletableFuture<Void> stop, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out, true), new PrintWriter(err, true), new ByteArrayInputStream(new byte[0]),
                env, home);
        int code = Main.run(args, io, launcher, stop);
        return new Result(code, out.toString(), err.toString());
    }
}
