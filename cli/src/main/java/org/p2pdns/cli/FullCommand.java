package org.p2pdns.cli;

import picocli.CommandLine;

/**
 * The full {@code p2p} command line (picocli). Kept out of {@link Main} so that the quick query path never loads
 * picocli's classes.
 */
final class FullCommand {
    private FullCommand() {
    }

    /** Parses and runs {@code args}; returns the exit code. */
    static int execute(String[] args, P2pCommand.Context context) {
        return commandLine(context).execute(args);
    }

    /** The configured picocli model (also used by the test that checks docs/cli.md). */
    static CommandLine commandLine(P2pCommand.Context context) {
        CommandLine cl = new CommandLine(new P2pCommand(context));
        cl.addSubcommand("keys", new KeysCommand(context));
        cl.addSubcommand("bench-agent", new BenchAgentCommand(context));
        cl.addSubcommand("resolver", new ResolverCommand(context));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(context.io().out());
        cl.setErr(context.io().err());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("p2p: " + ex.getMessage().lines().findFirst().orElse("bad usage")
                    + " (see " + c.getCommandSpec().qualifiedName() + " --help)");
            c.getErr().flush();
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (ex instanceof CliException ce) {
                c.getErr().println("p2p: " + ce.getMessage());
                c.getErr().flush();
                return ce.exitCode();
            }
            if (ex instanceof InterruptedException) {
                return ExitCode.FAILED;
            }
            // a bug, not a user error: keep it to one line unless -v
            c.getErr().println("p2p: internal error: " + Commands.oneLine(ex));
            if (verbose(parseResult)) {
                ex.printStackTrace(c.getErr());
            }
            c.getErr().flush();
            return ExitCode.FAILED;
        });
        return cl;
    }

    private static boolean verbose(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

}
