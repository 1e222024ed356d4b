package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.util.TestPorts;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Runs the README's example lines ({@code scripts/p2p ...} through the CLI entry point, {@code dig ...} with dig or
 * dnsjava), in order, on a test network: every literal port becomes a free port (the same literal, the same free
 * port) and every {@code /tmp/...} directory a temporary one. Long-running lines run in the background until the end.
 * Only {@code mvn -B verify} (this build) and {@code scripts/cluster.sh} (separate processes) are not run here.
 */
class ReadmeExamplesTest {

    static final Path README = Path.of("..", "README.md");

    @TempDir
    Path home;

    final Map<String, String> ports = new HashMap<>();

    private final java.util.Random portChoice = new java.util.Random();

    String freePort(String literal) {
        String port = ports.get(literal);
        if (port == null) {
            port = String.valueOf(pickFreePort());
            ports.put(literal, port);
        }
        return port;
    }

    /** A port free for TCP and UDP on loopback, below the ephemeral range (see {@link TestPorts}). */
    private int pickFreePort() {
        return TestPorts.freeLoopbackPort(portChoice, p -> ports.containsValue(String.valueOf(p)));
    }

    static List<String> exampleLines() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(README)) {
            if (line.startsWith("    scripts/p2p ") || line.startsWith("    dig ")) {
                out.add(line.strip());
            }
        }
        return out;
    }

    /** Splits a shell line into words (double quotes only, which is all the README uses). */
    static List<String> words(String line) {
        List<String> w = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) {
            w.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return w;
    }

    String rewrite(String word) {
        if (word.startsWith("/tmp/")) {
            return home.resolve(word.substring(5)).toString();
        }
        Matcher m = Pattern.compile("(^|:)(\\d{4,5})$").matcher(word);
        if (m.find()) {
            return word.substring(0, m.start(2)) + freePort(m.group(2));
        }
        return word;
    }

    @Test
    void everyExampleRuns() throws Exception {
        List<String> lines = exampleLines();
        assertTrue(lines.size() >= 8, "README examples: " + lines);
        Map<String, String> env = new HashMap<>(EndToEndTest.testEnv(home));
        env.put("P2P_PORT", freePort("7700"));
        env.put("P2P_DNS_ADDRESS", "127.0.0.1:" + freePort("5354"));
        Map<String, CompletableFuture<Void>> stops = new LinkedHashMap<>();
        Map<String, CompletableFuture<CliHarness.Result>> running = new LinkedHashMap<>();
        try {
            for (String line : lines) {
                List<String> w = words(line);
                List<String> args = new ArrayList<>();
                for (String x : w.subList(1, w.size())) {
                    args.add(rewrite(x));
                }
                if (w.get(0).equals("dig")) {
                    dig(line, args);
                    continue;
                }
                String[] a = args.toArray(new String[0]);
                if (args.contains("--start-node") || args.contains("--intro-server")) {
                    EndToEndTest.Watched launcher = new EndToEndTest.Watched();
                    CompletableFuture<Void> stop = new CompletableFuture<>();
                    CliHarness cli = new CliHarness(home, env, launcher);
                    stops.put(line, stop);
                    running.put(line, CompletableFuture.supplyAsync(() -> cli.run(stop, a)));
                    launcher.up.get(60, TimeUnit.SECONDS);
                    assertFalse(running.get(line).isDone(), line + " ended early: " + (running.get(line).isDone()
                            ? running.get(line).join() : ""));
                    continue;
                }
                CliHarness.Result r = new CliHarness(home, env, null).run(a);
                assertEquals(0, r.code(), line + "\n" + r);
            }
        } finally {
            stops.values().forEach(s -> s.complete(null));
            for (var e : running.entrySet()) {
                assertEquals(0, e.getValue().get(30, TimeUnit.SECONDS).code(), e.getKey());
            }
        }
    }

    /** {@code dig @IP -p PORT NAME TYPE}: the real dig when present, else the same query with dnsjava. */
    private void dig(String line, List<String> args) throws Exception {
        int port = Integer.parseInt(args.get(args.indexOf("-p") + 1));
        String name = args.get(args.indexOf("-p") + 2);
        String type = args.get(args.indexOf("-p") + 3);
        String viaDig = Dig.run(port, name, type);
        if (viaDig != null) {
            assertFalse(viaDig.isBlank(), line + ": dig printed nothing");
            assertTrue(viaDig.strip().matches("[0-9.]+"), line + ": " + viaDig);
        }
        SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        r.setTimeout(Duration.ofSeconds(10));
        Message m = r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name + "."),
                Type.value(type), org.xbill.DNS.DClass.IN)));
        assertEquals(Rcode.NOERROR, m.getRcode(), line + "\n" + m);
        assertFalse(m.getSection(org.xbill.DNS.Section.ANSWER).isEmpty(), line + "\n" + m);
    }
}
