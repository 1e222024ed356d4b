package org.p2pdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The system resolver (glibc, through {@code getent}) reaches a published overlay name through the bridge: inside a
 * network namespace the test creates, with {@code /etc/netns/<ns>/resolv.conf} pointing at a bridge on port 53.
 * Skipped only when not root or when {@code ip} is missing.
 */
class SystemResolverNetnsTest {

    @Test
    void getentResolvesAPublishedNameThroughTheBridge() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "needs iproute2 (ip)");
        String ns = "p2pdns-t" + ProcessHandle.current().pid();
        Path etc = Path.of("/etc/netns", ns);
        Process bridge = null;
        try {
            run("ip", "netns", "add", ns);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            Files.createDirectories(etc);
            // the stub's patience: a loaded machine's freshly started bridge JVM can take over 2 s for its first answer
            Files.writeString(etc.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            bridge = new ProcessBuilder("ip", "netns", "exec", ns, java, "-cp", System.getProperty("java.class.path"),
                    NetnsBridgeMain.class.getName(), "127.0.0.1", "53", "published.p2p", "192.0.2.77")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(bridge.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return "error " + e;
                }
            }).get(60, TimeUnit.SECONDS);
            assertTrue(ready != null && ready.startsWith("READY"), "bridge child said: " + ready);

            List<String> found = run("ip", "netns", "exec", ns, "getent", "hosts", "published.p2p");
            assertEquals(1, found.size(), found.toString());
            assertTrue(found.get(0).matches("192\\.0\\.2\\.77\\s+published\\.p2p"), found.toString());
            // getaddrinfo too (ahostsv4 would skip DNS: AI_ADDRCONFIG sees only loopback in the namespace)
            List<String> www = run("ip", "netns", "exec", ns, "getent", "ahosts", "published.p2p");
            assertTrue(www.stream().anyMatch(l -> l.startsWith("192.0.2.77")), www.toString());
            Process missing = new ProcessBuilder("ip", "netns", "exec", ns, "getent", "hosts", "unpublished.p2p")
                    .redirectErrorStream(true).start();
            missing.getInputStream().readAllBytes();
            assertTrue(missing.waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, missing.exitValue(), "getent: key not found (NXDOMAIN)");
        } finally {
            if (bridge != null) {
                bridge.destroy(); // by pid: `ip netns exec` execs java in place
                if (!bridge.waitFor(10, TimeUnit.SECONDS)) {
                    bridge.destroyForcibly();
                }
            }
            new ProcessBuilder("ip", "netns", "delete", ns).start().waitFor(10, TimeUnit.SECONDS);
            if (Files.exists(etc)) {
                try (Stream<Path> s = Files.walk(etc)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        assertTrue(!Files.exists(etc));
    }

    private static List<String> run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text);
        }
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.trim());
            }
        }
        return lines;
    }
}
