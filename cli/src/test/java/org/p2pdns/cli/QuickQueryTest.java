package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.control.ControlServer;

/** The quick query path answers exactly like the full picocli path, and steps aside for everything else. */
class QuickQueryTest {

    @TempDir
    Path home;
    Path data;
    ControlServer server;
    FakeNode node;

    @BeforeEach
    void setUp() throws Exception {
        data = home.resolve("data");
        Files.createDirectories(data);
        node = new FakeNode();
        node.forced.put("slow.p2p.", ResolveStatus.TIMEOUT);
        server = ControlServer.start(data, 0, node, Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    record Run(Integer code, String out, String err) {
    }

    Run run(String[] args, boolean quick) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out, true), new PrintWriter(err, true), new ByteArrayInputStream(new byte[0]),
                Map.of("P2P_DATA_DIR", data.toString()), home);
        P2pCommand.Context ctx = new P2pCommand.Context(io, null, new CompletableFuture<>());
        Integer code = quick ? QuickQuery.run(args, ctx) : Integer.valueOf(FullCommand.commandLine(ctx).execute(args));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void sameOutputAndCodeBothWays() {
        String[][] cases = {
            {"--query", "example.p2p"},
            {"--query=example.p2p", "--type=a"},
            {"--query", "example.p2p", "--type", "AAAA"},
            {"--query", "example.p2p", "--json"},
            {"--json", "--query", "nothing.p2p", "-q"},
            {"--query", "slow.p2p", "-v"},
            {"--query", "www.example.p2p", "--data-dir", data.toString()},
            {"--query", "example.com"},
            {"--query", "bad..p2p"},
        };
        for (String[] c : cases) {
            Run q = run(c, true);
            Run full = run(c, false);
            assertNotNull(q.code(), String.join(" ", c));
            assertEquals(full, q, String.join(" ", c));
        }
    }

    @Test
    void stepsAsideForAnythingElse() {
        String[][] cases = {
            {"--status"},
            {"--query", "example.p2p", "--bootstrap", "127.0.0.1:1"},
            {"--query", "example.p2p", "--type", "NS"},
            {"--query", "example.p2p", "--query", "x.p2p"},
            {"--query"},
            {"--query", "example.p2p", "extra"},
            {"--json=yes", "--query", "example.p2p"},
        };
        for (String[] c : cases) {
            assertNull(QuickQuery.parse(c), String.join(" ", c));
        }
        server.close();
        // no running node: the quick path steps aside (the full path decides about a one-shot lookup)
        assertNull(run(new String[] {"--query", "example.p2p"}, true).code());
    }
}
