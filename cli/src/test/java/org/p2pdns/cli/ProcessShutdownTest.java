package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.P2PNode;
import org.p2pdns.node.config.ConfigLoader;
import org.p2pdns.node.config.DataDirLayout;

/** {@code p2p --start-node} as its own process: SIGTERM stops it cleanly (exit 0, routing table saved, port file gone). */
class ProcessShutdownTest {

    @TempDir
    Path tmp;

    @Test
    void sigtermStopsTheNodeCleanly() throws Exception {
        // a peer in this JVM, so that the process has a routing table to save
        P2PNode peer = P2PNode.start(ConfigLoader.load(tmp.resolve("peer"), Map0.TEST, java.util.Map.of()),
                new P2PNode.Options(null, false, null, "test"));
        Path dir = tmp.resolve("proc");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.p2pdns.cli.Main", "--start-node", "--port", "0",
                "--no-dns", "--bootstrap", "127.0.0.1:" + peer.udpAddress().getPort(), "--data-dir", dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(Map0.TEST);
        Process p = pb.start();
        try {
            List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> running = new CompletableFuture<>();
            CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        output.add(line);
                        if (line.contains("running; Ctrl-C stops it")) {
                            running.complete(null);
                        }
                    }
                } catch (java.io.IOException e) {
                    running.completeExceptionally(e);
                }
            });
            running.get(60, TimeUnit.SECONDS);
            assertTrue(Files.exists(dir.resolve(DataDirLayout.CONTROL_PORT)), String.join("\n", output));

            // SIGTERM through the handle: Process.destroy() would also close our end of its output
            assertTrue(p.toHandle().destroy());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the node did not stop within 30 s");
            drained.get(10, TimeUnit.SECONDS);
            assertEquals(0, p.exitValue(), String.join("\n", output));
            // (stderr and the log share the stream: a line may be interleaved with a log line, so no exact match)
            assertTrue(String.join("\n", output).contains("stopping"), String.join("\n", output));
            assertFalse(Files.exists(dir.resolve(DataDirLayout.CONTROL_PORT)));
            assertTrue(org.p2pdns.node.dht.routing.RoutingTableFile.load(dir.resolve(DataDirLayout.ROUTING_TABLE))
                    .contacts().stream().anyMatch(c -> c.address().getPort() == peer.udpAddress().getPort()),
                    "the saved routing table holds the peer");
        } finally {
            p.destroyForcibly();
            peer.close();
        }
    }

    /** The test network's environment. */
    static final class Map0 {
        static final java.util.Map<String, String> TEST = java.util.Map.of("P2P_NETWORK_ID_DIFFICULTY", "0",
                "P2P_NETWORK_NAME_DIFFICULTY", "0", "P2P_BIND", "127.0.0.1", "P2P_PORT", "0",
                "P2P_DNS_ENABLED", "false");
    }
}
