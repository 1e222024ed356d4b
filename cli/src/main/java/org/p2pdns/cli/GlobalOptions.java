package org.p2pdns.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command and subcommand takes. */
public final class GlobalOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "data directory (default $P2P_DATA_DIR, else ~/.p2pdns)")
    Path dataDir;

    @Option(names = "--json", description = "machine-readable output on stdout")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "more detail on stderr (debug logging)")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "no progress output, errors only")
    boolean quiet;

    /** Combines with the options given to a parent command (a subcommand's own flags win). */
    GlobalOptions orParent(GlobalOptions parent) {
        GlobalOptions g = new GlobalOptions();
        g.dataDir = dataDir != null ? dataDir : parent == null ? null : parent.dataDir;
        g.json = json || parent != null && parent.json;
        g.verbose = verbose || parent != null && parent.verbose;
        g.quiet = quiet || parent != null && parent.quiet;
        return g;
    }
}
