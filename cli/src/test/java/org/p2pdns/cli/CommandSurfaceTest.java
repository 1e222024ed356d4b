package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.control.ControlServer;
import org.p2pdns.node.control.ResolveReply;
import org.xbill.DNS.Type;

/** Every mode of p2p, its output and its exit codes, against the real control API and a node double. */
class CommandSurfaceTest {

    @TempDir
    Path home;

    Path data;
    FakeNode node;
    ControlServer server;
    RecordingLauncher launcher = new RecordingLauncher();
    CliHarness cli;

    /** Records what the command asked to launch. */
    static final class RecordingLauncher implements Launcher {
        final CompletableFuture<NodeConfig> started = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        final AtomicReference<NodeConfig> oneShot = new AtomicReference<>();

        @Override
        public Service startNode(NodeConfig config, Progress progress) {
            started.complete(config);
            return new Service() {
                @Override
                public String describe() {
                    return "node on port " + config.port();
                }

                @Override
                public void close() {
                    closed.complete(null);
                }
            };
        }

        @Override
        public Service startIntroServer(NodeConfig config, Progress progress) {
            return startNode(config, progress);
        }

        @Override
        public ResolveReply resolveOnce(NodeConfig config, String name, Progress progress) {
            oneShot.set(config);
            return new ResolveReply("NOT_FOUND", name + ".", List.of(), 0, 0, false, "no record");
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        data = home.resolve("data");
        Files.createDirectories(data);
        node = new FakeNode();
        cli = new CliHarness(home, Map.of("P2P_DATA_DIR", data.toString()), launcher);
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    void startControl() throws Exception {
        server = ControlServer.start(data, 0, node, Duration.ofSeconds(5));
    }

    @Test
    void helpShowsModesExamplesAndExitCodes() {
        CliHarness.Result r = cli.run("--help");
        assertEquals(0, r.code(), r.toString());
        for (String s : new String[] {"--start-node", "--query", "--register", "--lapse", "--accept-owner", "--status",
            "--intro-server", "p2p --accept-owner example.p2p",
            "Examples:", "Exit codes:", "NXDOMAIN", "--json", "--quiet"}) {
            assertTrue(r.out().contains(s), s + "\n" + r);
        }
        CliHarness.Result v = cli.run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("p2p "), v.toString());
    }

    @Test
    void everySubcommandHasHelp() {
        for (String[] args : new String[][] {{"keys", "--help"}, {"keys", "generate", "--help"},
            {"keys", "import", "-h"}, {"resolver", "--help"}, {"resolver", "setup", "--help"}, {"bench-agent", "--help"}}) {
            CliHarness.Result r = cli.run(args);
            assertEquals(0, r.code(), String.join(" ", args) + "\n" + r);
            assertTrue(r.out().startsWith("Usage: p2p " + args[0]), r.toString());
        }
    }

    @Test
    void usageErrorsAreOneLineWithCode2() {
        for (String[] args : new String[][] {
            {"--frobnicate"},
            {},
            {"--query"},
            {"--query", "exa mple.p2p"},
            {"--query", "example.com"},
            {"--query", "-bad-.p2p"},
            {"--query", "example.p2p", "--type", "NS"},
            {"--query", "example.p2p", "--status"},
            {"--port", "7700"},
            {"--start-node", "--port", "70000"},
            {"--start-node", "--dns", "127.0.0.1:53", "--no-dns"},
            {"--start-node", "--dns", "localhost:53"},
            {"--start-node", "--bootstrap", "10.0.0.1"},
            {"--status", "--bootstrap", "10.0.0.1:1"},
            {"--register", "example.p2p", "--a", "300.1.1.1"},
            {"--register", "example.p2p", "--aaaa", "10.0.0.1"},
            {"--register", "example.p2p"},
            {"--register", "example.p2p", "--a", "10.0.0.1", "--ttl", "0"},
            {"--register", "example.p2p", "--mx", "mail.example.p2p"},
            {"--register", "example.p2p", "--srv", "sip:tcp:10:5:99999:x.p2p"},
            {"--register", "example.p2p", "--cname", "a.p2p", "--a", "10.0.0.1"},
            {"--register", "example.p2p", "--zone-file", "/nonexistent/zone"},
        }) {
            CliHarness.Result r = cli.run(args);
            assertEquals(ExitCode.USAGE, r.code(), String.join(" ", args) + "\n" + r);
            assertTrue(r.oneLineError(), String.join(" ", args) + "\n" + r);
            assertTrue(r.out().isEmpty(), r.toString());
        }
    }

    @Test
    void badFlagValueNamesKeyAndRange() {
        CliHarness.Result r = cli.run("--start-node", "--port", "70000");
        assertTrue(r.err().contains("port") && r.err().contains("0..65535"), r.toString());
        assertFalse(launcher.started.isDone());
    }

    @Test
    void queryAgainstRunningNode() throws Exception {
        startControl();
        CliHarness.Result r = cli.run("--query", "Example.P2P.");
        assertEquals(0, r.code(), r.toString());
        assertEquals("example.p2p.\t300\tIN\tA\t192.0.2.10", r.out().strip());

        r = cli.run("--query", "example.p2p", "--type", "a");
        assertEquals(0, r.code(), r.toString());

        r = cli.run("--query", "example.p2p", "--type", "AAAA");
        assertEquals(ExitCode.NODATA, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());

        r = cli.run("--query", "nothing.p2p");
        assertEquals(ExitCode.NXDOMAIN, r.code(), r.toString());
        assertTrue(r.err().contains("NXDOMAIN"), r.toString());

        node.forced.put("slow.p2p.", ResolveStatus.TIMEOUT);
        node.forced.put("lonely.p2p.", ResolveStatus.NO_PEERS);
        node.forced.put("moved.p2p.", ResolveStatus.OWNER_CHANGED);
        node.forced.put("forged.p2p.", ResolveStatus.INVALID);
        assertEquals(ExitCode.TIMEOUT, cli.run("--query", "slow.p2p").code());
        assertEquals(ExitCode.TIMEOUT, cli.run("--query", "lonely.p2p").code());
        assertEquals(ExitCode.REFUSED, cli.run("--query", "moved.p2p").code());
        assertEquals(ExitCode.REFUSED, cli.run("--query", "forged.p2p").code());
        assertTrue(launcher.oneShot.get() == null, "a running node must be used, not a one-shot lookup");
    }

    @Test
    void queryJson() throws Exception {
        startControl();
        CliHarness.Result r = cli.run("--query", "example.p2p", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("FOUND", j.get("status").asText());
        assertEquals("192.0.2.10", j.get("records").get(0).get("data").asText());
        assertEquals("node", j.get("via").asText());

        r = cli.run("--query", "nothing.p2p", "--json");
        assertEquals(ExitCode.NXDOMAIN, r.code());
        assertEquals("NOT_FOUND", new ObjectMapper().readTree(r.out()).get("status").asText());
    }

    @Test
    void queryWithoutNode() {
        CliHarness.Result r = cli.run("--query", "example.p2p");
        assertEquals(ExitCode.NODE_UNREACHABLE, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());
        assertTrue(r.err().contains("--start-node"), r.toString());

        // with a bootstrap peer, a one-shot lookup runs with that configuration
        r = cli.run("--query", "example.p2p", "--bootstrap", "127.0.0.1:9");
        assertEquals(ExitCode.NXDOMAIN, r.code(), r.toString());
        assertEquals("127.0.0.1:9", launcher.oneShot.get().bootstrap().get(0).toString());
    }

    @Test
    void registerThenQuery() throws Exception {
        startControl();
        CliHarness.Result r = cli.run("--register", "shop.p2p", "--a", "192.0.2.1", "--a", "192.0.2.2",
                "--aaaa", "2001:db8::1", "--txt", "hello world", "--mx", "10:mail.shop.p2p",
                "--srv", "sip:tcp:10:5:5060:sip.shop.p2p", "--caa", "0 issue \"ca.example\"", "--ttl", "300");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("registered shop.p2p."), r.toString());
        List<org.xbill.DNS.Record> rs = node.names.get("shop.p2p.");
        assertEquals(7, rs.size());
        assertTrue(rs.stream().anyMatch(x -> x.getType() == Type.SRV
                && x.getName().toString().equals("_sip._tcp.shop.p2p.")), rs.toString());
        assertTrue(rs.stream().allMatch(x -> x.getTTL() == 300));

        r = cli.run("--query", "shop.p2p", "--type", "AAAA");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("2001:db8:0:0:0:0:0:1") || r.out().contains("2001:db8::1"), r.toString());
        r = cli.run("--query", "shop.p2p", "--type", "TXT");
        assertTrue(r.out().contains("\"hello world\""), r.toString());
    }

    @Test
    void registerFromZoneFile() throws Exception {
        startControl();
        Path zone = home.resolve("shop.zone");
        Files.writeString(zone, "$TTL 600\n@ IN A 192.0.2.7\nwww IN CNAME shop.p2p.\n@ IN TXT \"v=1\"\n");
        CliHarness.Result r = cli.run("--register", "shop.p2p", "--zone-file", zone.toString());
        assertEquals(0, r.code(), r.toString());
        List<org.xbill.DNS.Record> rs = node.names.get("shop.p2p.");
        assertEquals(3, rs.size(), rs.toString());
        assertTrue(rs.stream().anyMatch(x -> x.getName().toString().equals("www.shop.p2p.")));

        Files.writeString(zone, "@ IN A 192.0.2.7\nother.p2p. IN A 192.0.2.8\n");
        r = cli.run("--register", "shop.p2p", "--zone-file", zone.toString());
        assertEquals(ExitCode.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("not at or under"), r.toString());

        Files.writeString(zone, "@ IN NS ns.example.\n");
        assertEquals(ExitCode.USAGE, cli.run("--register", "shop.p2p", "--zone-file", zone.toString()).code());
        Files.writeString(zone, "@ IN A not-an-ip\n");
        r = cli.run("--register", "shop.p2p", "--zone-file", zone.toString());
        assertEquals(ExitCode.USAGE, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());
        Files.writeString(zone, "$INCLUDE /etc/passwd\n");
        assertEquals(ExitCode.USAGE, cli.run("--register", "shop.p2p", "--zone-file", zone.toString()).code());
    }

    @Test
    void registerRefusedAndWithoutNode() throws Exception {
        CliHarness.Result r = cli.run("--register", "shop.p2p", "--a", "192.0.2.1");
        assertEquals(ExitCode.NODE_UNREACHABLE, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());
        startControl();
        r = cli.run("--register", "taken.p2p", "--a", "192.0.2.1");
        assertEquals(ExitCode.REFUSED, r.code(), r.toString());
        assertTrue(r.err().contains("another owner"), r.toString());
        r = cli.run("--register", "shop.p2p", "--a", "192.0.2.1", "--json");
        assertEquals("PUBLISHED", new ObjectMapper().readTree(r.out()).get("status").asText());
    }

    @Test
    void lapse() throws Exception {
        startControl();
        CliHarness.Result r = cli.run("--lapse", "example.p2p");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("example.p2p"), node.lapsed);
        r = cli.run("--lapse", "other.p2p");
        assertEquals(ExitCode.FAILED, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());
    }

    @Test
    void acceptOwner() throws Exception {
        assertEquals(ExitCode.NODE_UNREACHABLE, cli.run("--accept-owner", "example.p2p").code());
        startControl();
        CliHarness.Result r = cli.run("--accept-owner", "example.p2p");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("example.p2p"), node.ownersAccepted);
        assertEquals("accepted the current owner of example.p2p.: the next query trusts the key it finds",
                r.out().strip(), r.toString());

        r = cli.run("--accept-owner", "example.p2p", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("OWNER_ACCEPTED", j.get("status").asText());
        assertEquals("example.p2p.", j.get("name").asText());

        for (String[] args : new String[][] {{"--accept-owner", "example.com"}, {"--accept-owner", "bad_-.p2p"},
            {"--accept-owner", "example.p2p", "--status"}, {"--accept-owner", "example.p2p", "--lapse", "x.p2p"},
            {"--accept-owner", "example.p2p", "--query", "example.p2p"}, {"--accept-owner"}}) {
            r = cli.run(args);
            assertEquals(ExitCode.USAGE, r.code(), String.join(" ", args) + "\n" + r);
            assertTrue(r.oneLineError(), r.toString());
        }
        assertEquals(2, node.ownersAccepted.size());
    }

    @Test
    void status() throws Exception {
        assertEquals(ExitCode.NODE_UNREACHABLE, cli.run("--status").code());
        startControl();
        CliHarness.Result r = cli.run("--status");
        assertEquals(0, r.code(), r.toString());
        for (String s : new String[] {"peers:          4", "routing table:  12", "records held:   7",
            "203.0.113.5:7700", "full-cone", "127.0.0.1:5354"}) {
            assertTrue(r.out().contains(s), s + "\n" + r);
        }
        JsonNode j = new ObjectMapper().readTree(cli.run("--status", "--json").out());
        assertEquals(12, j.get("routingTableSize").asInt());
    }

    @Test
    void wrongTokenIsUnreachableNotACrash() throws Exception {
        startControl();
        Files.writeString(data.resolve("control.token"), "0".repeat(64));
        CliHarness.Result r = cli.run("--status");
        assertEquals(ExitCode.NODE_UNREACHABLE, r.code(), r.toString());
        assertTrue(r.err().contains("token"), r.toString());
    }

    @Test
    void startNodeRunsUntilStopped() throws Exception {
        CompletableFuture<Void> stop = new CompletableFuture<>();
        CompletableFuture<CliHarness.Result> run = CompletableFuture.supplyAsync(() -> cli.run(stop,
                "--start-node", "--port", "0", "--no-dns", "--bootstrap", "127.0.0.1:7000", "--upnp"));
        NodeConfig c = launcher.started.get(10, TimeUnit.SECONDS);
        assertEquals(0, c.port());
        assertFalse(c.dnsEnabled());
        assertTrue(c.upnp());
        assertEquals(data, c.dataDir());
        assertFalse(launcher.closed.isDone());
        stop.complete(null);
        CliHarness.Result r = run.get(10, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.toString());
        assertTrue(launcher.closed.isDone());
        assertTrue(r.err().contains("node on port 0"), r.toString());
    }

    @Test
    void startNodeCreatesDataDirOwnerOnly() throws Exception {
        Path fresh = home.resolve("fresh");
        CompletableFuture<Void> stop = CompletableFuture.completedFuture(null);
        CliHarness.Result r = cli.run(stop, "--start-node", "--data-dir", fresh.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(fresh)));
    }

    @Test
    void dataDirAndConfigProblemsAreCode8() throws Exception {
        Path file = home.resolve("a-file");
        Files.writeString(file, "x");
        for (String[] args : new String[][] {
            {"--start-node", "--data-dir", file.toString()},
            {"--query", "example.p2p", "--data-dir", file.toString()},
            {"--status", "--data-dir", file.toString()},
        }) {
            CliHarness.Result r = cli.run(args);
            assertEquals(ExitCode.CONFIG, r.code(), r.toString());
            assertTrue(r.oneLineError(), r.toString());
            assertTrue(r.err().contains("not a directory"), r.toString());
        }
        Files.writeString(data.resolve("p2p.conf"), "query.timeout = forever\n");
        CliHarness.Result r = cli.run("--query", "example.p2p");
        assertEquals(ExitCode.CONFIG, r.code(), r.toString());
        assertTrue(r.err().contains("query.timeout") && r.err().contains("1..120"), r.toString());

        CliHarness envCli = new CliHarness(home, Map.of("P2P_DATA_DIR", home.resolve("d2").toString(),
                "P2P_PORT", "x"), launcher);
        r = envCli.run("--start-node");
        assertEquals(ExitCode.CONFIG, r.code(), r.toString());
        assertTrue(r.err().contains("P2P_PORT"), r.toString());
    }

    @Test
    void unreadableDataDir() throws Exception {
        Path locked = home.resolve("locked");
        Files.createDirectories(locked);
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(locked), "running as root: cannot lock");
            CliHarness.Result r = cli.run("--status", "--data-dir", locked.toString());
            assertEquals(ExitCode.CONFIG, r.code(), r.toString());
            assertTrue(r.oneLineError(), r.toString());
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        assertNotNull(locked);
    }
}
