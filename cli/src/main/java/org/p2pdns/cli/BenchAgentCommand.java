package org.p2pdns.cli;

import java.util.concurrent.Callable;
import org.p2pdns.cli.bench.BenchAgent;
import org.p2pdns.cli.bench.UdpBenchNodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code p2p bench-agent}: hosts many real UDP nodes in this JVM, driven over stdin/stdout by a benchmark harness
 * (bench-agent protocol version 1: JSON lines; replies on stdout, logs on stderr).
 */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "bench-agent", description = "Host benchmark nodes on 127.0.0.1, driven by JSON lines on stdin/stdout.")
final class BenchAgentCommand implements Callable<Integer> {

    @Option(names = "--event-threads", paramLabel = "N", description = "event threads shared by the nodes, 1..64 (default 4)")
    int eventThreads = 4;

    private final P2pCommand.Context context;

    BenchAgentCommand(P2pCommand.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (eventThreads < 1 || eventThreads > 64) {
            throw new CliException(ExitCode.USAGE, "--event-threads: must be in 1..64, got " + eventThreads);
        }
        new BenchAgent(new UdpBenchNodes(VersionProvider.version(), eventThreads), context.io().out())
                .run(context.io().in());
        return ExitCode.OK;
    }
}
