package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.config.NodeConfig;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Real nodes started through the CLI entry point on 127.0.0.1 (test network: proof of work off): register on one,
 * query on another through the CLI, and resolve through the first node's DNS bridge with dnsjava and with dig.
 */
class EndToEndTest {

    @TempDir
    Path home;

    /** The real launcher, telling the test when a node is up. */
    static final class Watched implements Launcher {
        final DefaultLauncher real = new DefaultLauncher();
        final CompletableFuture<Void> up = new CompletableFuture<>();

        @Override
        public Service startNode(NodeConfig config, Progress progress) throws Exception {
            Service s = real.startNode(config, progress);
            up.complete(null);
            return s;
        }

        @Override
        public Service startIntroServer(NodeConfig config, Progress progress) throws Exception {
            Service s = real.startIntroServer(config, progress);
            up.complete(null);
            return s;
        }

        @Override
        public org.p2pdns.node.control.ResolveReply resolveOnce(NodeConfig config, String name, Progress progress)
                throws Exception {
            return real.resolveOnce(config, name, progress);
        }
    }

    static Map<String, String> testEnv(Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("P2P_NETWORK_ID_DIFFICULTY", "0");
        env.put("P2P_NETWORK_NAME_DIFFICULTY", "0");
        env.put("P2P_BIND", "127.0.0.1");
        env.put("P2P_DNS_ADDRESS", "127.0.0.1:0");
        env.put("P2P_DATA_DIR", home.resolve("default").toString());
        return env;
    }

    @Test
    void registerOnOneNodeQueryOnAnotherAndDigTheBridge() throws Exception {
        Map<String, String> env = testEnv(home);
        Path a = home.resolve("a");
        Path b = home.resolve("b");
        Watched la = new Watched();
        Watched lb = new Watched();
        CompletableFuture<Void> stopA = new CompletableFuture<>();
        CompletableFuture<Void> stopB = new CompletableFuture<>();
        CliHarness cliA = new CliHarness(home, env, la);
        CliHarness cliB = new CliHarness(home, env, lb);
        CompletableFuture<CliHarness.Result> nodeA = CompletableFuture.supplyAsync(() -> cliA.run(stopA,
                "--start-node", "--port", "0", "--data-dir", a.toString()));
        try {
            la.up.get(30, TimeUnit.SECONDS);
            JsonNode statusA = new ObjectMapper().readTree(cliA.run("--status", "--json", "--data-dir", a.toString())
                    .out());
            String udpA = statusA.get("localAddress").asText();
            String bridge = statusA.get("bridgeAddress").asText();
            CompletableFuture<CliHarness.Result> nodeB = CompletableFuture.supplyAsync(() -> cliB.run(stopB,
                    "--start-node", "--port", "0", "--no-dns", "--bootstrap", udpA, "--data-dir", b.toString()));
            try {
                lb.up.get(30, TimeUnit.SECONDS);

                CliHarness.Result r = cliB.run("--register", "e2e.p2p", "--a", "192.0.2.77", "--txt", "end to end",
                        "--data-dir", b.toString());
                assertEquals(0, r.code(), r.toString());
                assertTrue(r.out().contains("registered e2e.p2p."), r.toString());

                r = cliA.run("--query", "e2e.p2p", "--type", "A", "--data-dir", a.toString());
                assertEquals(0, r.code(), r.toString());
                assertEquals("e2e.p2p.\t3600\tIN\tA\t192.0.2.77", r.out().strip());
                r = cliA.run("--query", "missing.p2p", "--data-dir", a.toString());
                assertEquals(ExitCode.NXDOMAIN, r.code(), r.toString());

                // the bridge, asked by an ordinary DNS client
                int port = Integer.parseInt(bridge.substring(bridge.lastIndexOf(':') + 1));
                SimpleResolver dns = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
                dns.setTimeout(Duration.ofSeconds(10));
                Message m = dns.send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString("e2e.p2p."),
                        Type.A, org.xbill.DNS.DClass.IN)));
                assertEquals(Rcode.NOERROR, m.getRcode(), m.toString());
                assertEquals("192.0.2.77", m.getSection(Section.ANSWER).get(0).rdataToString());

                String dig = Dig.run(port, "e2e.p2p", "TXT");
                if (dig != null) {
                    assertEquals("\"end to end\"", dig.strip());
                }

                // status of B shows its owned name and its one peer
                JsonNode statusB = new ObjectMapper().readTree(cliB.run("--status", "--json", "--data-dir",
                        b.toString()).out());
                assertEquals(List.of("e2e.p2p"), List.of(statusB.get("ownedNames").get(0).asText()
                        .replaceAll("\\.$", "")));
                assertEquals(1, statusB.get("routingTableSize").asInt());

                // without a running node for its data directory, a query is a one-shot lookup through a bootstrap peer
                r = cliA.run("--query", "e2e.p2p", "--type", "A", "--json", "--bootstrap", udpA, "--data-dir",
                        home.resolve("nothing-here").toString());
                assertEquals(0, r.code(), r.toString());
                JsonNode oneShot = new ObjectMapper().readTree(r.out());
                assertEquals("one-shot", oneShot.get("via").asText());
                assertEquals("192.0.2.77", oneShot.get("records").get(0).get("data").asText());
                // its identity stays for the next one-shot lookup; no node is left running there
                assertTrue(java.nio.file.Files.exists(home.resolve("nothing-here").resolve("node.key")));
                assertEquals(ExitCode.NODE_UNREACHABLE, cliA.run("--status", "--data-dir",
                        home.resolve("nothing-here").toString()).code());
            } finally {
                stopB.complete(null);
                assertEquals(0, nodeB.get(30, TimeUnit.SECONDS).code());
            }
        } finally {
            stopA.complete(null);
            assertEquals(0, nodeA.get(30, TimeUnit.SECONDS).code());
        }
        // after a clean stop no node answers for the data directory
        assertEquals(ExitCode.NODE_UNREACHABLE, cliA.run("--status", "--data-dir", a.toString()).code());
    }
}
