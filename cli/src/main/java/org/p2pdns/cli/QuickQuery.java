package org.p2pdns.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The fast path of {@code p2p --query} against a running node. Building picocli's model costs a few hundred
 * milliseconds per run (its classes are too old for class-data sharing), which is most of the 0.5 s budget of a
 * query; so plain query command lines ({@code --query D [--type T] [--json] [--data-dir DIR] [-q|-v]}) are parsed
 * here and answered without loading picocli. Anything else, and a query with no running node (one-shot lookup),
 * goes the full way. A test runs the same command lines both ways and compares output and exit codes.
 */
final class QuickQuery {
    private QuickQuery() {
    }

    /** The parsed quick form, or null when {@code args} is not one. */
    record Parsed(String domain, P2pCommand.QueryType type, boolean json, Path dataDir, boolean quiet,
                  boolean verbose) {
    }

    static Parsed parse(String[] args) {
        String domain = null;
        String type = null;
        String dataDir = null;
        boolean json = false;
        boolean quiet = false;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--query", "--type", "--data-dir" -> {
                    if (value == null) {
                        if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
                            return null;
                        }
                        value = args[++i];
                    }
                    if (name.equals("--query")) {
                        if (domain != null) {
                            return null;
                        }
                        domain = value;
                    } else if (name.equals("--type")) {
                        if (type != null) {
                            return null;
                        }
                        type = value;
                    } else {
                        if (dataDir != null) {
                            return null;
                        }
                        dataDir = value;
                    }
                }
                case "--json" -> {
                    if (value != null || json) {
                        return null;
                    }
                    json = true;
                }
                case "-q", "--quiet" -> {
                    if (value != null) {
                        return null;
                    }
                    quiet = true;
                }
                case "-v", "--verbose" -> {
                    if (value != null) {
                        return null;
                    }
                    verbose = true;
                }
                default -> {
                    return null;
                }
            }
        }
        if (domain == null) {
            return null;
        }
        P2pCommand.QueryType t = null;
        if (type != null) {
            try {
                t = P2pCommand.QueryType.valueOf(type.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null; // picocli words the error
            }
        }
        return new Parsed(domain, t, json, dataDir == null ? null : Path.of(dataDir), quiet, verbose);
    }

    /** Runs a quick query; null when it does not apply (not a quick form, or no running node). */
    static Integer run(String[] args, P2pCommand.Context context) {
        Parsed p = parse(args);
        if (p == null) {
            return null;
        }
        GlobalOptions g = new GlobalOptions();
        g.dataDir = p.dataDir();
        g.json = p.json();
        g.quiet = p.quiet();
        g.verbose = p.verbose();
        try {
            return new Commands(context, g).queryRunningNode(p.domain(), p.type());
        } catch (CliException e) {
            context.io().err().println("p2p: " + e.getMessage());
            context.io().err().flush();
            return e.exitCode();
        } catch (IOException | RuntimeException e) {
            return null; // let the full path report it
        }
    }
}
