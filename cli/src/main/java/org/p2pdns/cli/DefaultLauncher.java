package org.p2pdns.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.p2pdns.dns.BridgeConfig;
import org.p2pdns.dns.DnsBridge;
import org.p2pdns.intro.IntroServer;
import org.p2pdns.intro.IntroServerConfig;
import org.p2pdns.node.P2PNode;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.control.ResolveReply;

/** The real launcher: assembles a {@link P2PNode} with the DNS bridge, or an introduction server. */
final class DefaultLauncher implements Launcher {

    /** How long --start-node waits for the initial join before it reports "running" anyway. */
    static final int JOIN_WAIT_SECONDS = 15;

    /** The bridge module's {@link DnsBridge} as the node's bridge. */
    static final P2PNode.BridgeFactory BRIDGE = (bind, tld, resolver, readPacing) -> {
        BridgeConfig d = BridgeConfig.defaults();
        DnsBridge b = DnsBridge.start(d.withBindAddress(bind).withZone(tld + ".")
                .withReadPacing(readPacing, d.readPacingWait()), resolver);
        return new P2PNode.Bridge() {
            @Override
            public InetSocketAddress address() {
                return b.udpAddress();
            }

            @Override
            public void close() {
                b.close();
            }
        };
    };

    /** Progress of a node start, for people. */
    static P2PNode.Listener listener(Progress progress) {
        return new P2PNode.Listener() {
            private long lastReport;

            @Override
            public void step(String message) {
                progress.step(message);
            }

            @Override
            public void proofOfWork(String what, long attempts, long expected) {
                // at most one line per 2^16 attempts, so a fast proof prints nothing
                long bucket = attempts >> 16;
                if (bucket > lastReport) {
                    lastReport = bucket;
                    progress.step(String.format("proof of work for the %s: %,d attempts (about %,d expected)", what,
                            attempts, expected));
                }
            }
        };
    }

    @Override
    public Service startNode(NodeConfig config, Progress progress) throws Exception {
        P2PNode node;
        try {
            node = P2PNode.start(config, new P2PNode.Options(BRIDGE, true, listener(progress),
                    VersionProvider.version()));
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot start the node: " + e.getMessage());
        }
        // wait (bounded) for the initial join, so that "running" means reachable through the network
        try {
            node.joined().get(JOIN_WAIT_SECONDS, TimeUnit.SECONDS);
            progress.step("joined the network");
        } catch (TimeoutException e) {
            progress.warn("not joined after " + JOIN_WAIT_SECONDS + " s; still trying in the background");
        } catch (InterruptedException e) {
            node.close();
            throw e;
        }
        return new Service() {
            @Override
            public String describe() {
                return "node " + node.identity().id().shortHex() + " on udp " + hostPort(node.udpAddress())
                        + (node.bridgeAddress() == null ? ", no DNS bridge" : ", DNS bridge on "
                        + hostPort(node.bridgeAddress())) + ", control API on 127.0.0.1:" + node.controlPort();
            }

            @Override
            public void close() {
                node.close();
            }
        };
    }

    @Override
    public Service startIntroServer(NodeConfig config, Progress progress) throws Exception {
        IntroServerConfig c = IntroServerConfig.from(config);
        IntroServer server;
        try {
            server = IntroServer.start(c);
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot start the introduction server: " + e.getMessage());
        }
        return new Service() {
            @Override
            public String describe() {
                return "introduction server on udp " + hostPort(server.address())
                        + (server.stunAddress() == null ? ", no STUN" : ", STUN on udp " + hostPort(server.stunAddress()));
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    @Override
    public ResolveReply resolveOnce(NodeConfig config, String name, Progress progress) throws Exception {
        // the data directory (created if missing) keeps the temporary node's identity, so that the next one-shot
        // lookup skips the proof of work; a temporary directory when the data directory cannot be written
        Path dir = config.dataDir();
        boolean temporary = false;
        try {
            org.p2pdns.node.config.DataDirLayout.ensureWritable(dir);
        } catch (IOException e) {
            progress.detail("cannot use " + dir + " (" + e.getMessage() + "): using a temporary directory");
            dir = Files.createTempDirectory("p2p-query");
            temporary = true;
        }
        try {
            NodeConfig oneShot = config.withDataDir(dir).withPort(0).withDns(false);
            try (P2PNode node = P2PNode.start(oneShot, new P2PNode.Options(null, false, listener(progress),
                    VersionProvider.version()))) {
                long deadline = System.nanoTime() + config.queryTimeout().toNanos();
                try {
                    node.joined().get(config.queryTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    return ResolveReply.of(Resolution.of(org.p2pdns.node.api.ResolveStatus.TIMEOUT, name + ".",
                            "could not join the network within " + config.queryTimeout().toSeconds() + " s"));
                }
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                try {
                    return ResolveReply.of(node.resolve(name).get(left + 1000, TimeUnit.MILLISECONDS));
                } catch (TimeoutException e) {
                    return ResolveReply.of(Resolution.of(org.p2pdns.node.api.ResolveStatus.TIMEOUT, name + ".",
                            "no answer within " + config.queryTimeout().toSeconds() + " s"));
                } catch (ExecutionException e) {
                    throw new CliException(ExitCode.FAILED, "lookup failed: " + Commands.oneLine(e));
                }
            } catch (IOException e) {
                throw new CliException(ExitCode.FAILED, "cannot start a temporary node: " + e.getMessage());
            }
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
