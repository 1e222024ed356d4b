package org.p2pdns.intro.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lab tests (root only; skipped otherwise): two node processes behind two NAT routers connect through our
 * introduction server in the lab's "internet", for every pair of NAT modes, and exchange messages. Writes the table
 * of results to target/natlab-results.md.
 */
class NatLabTest {

    static final String INTRO = "198.51.100.20:7460";
    static final String STUN = "198.51.100.20:3478,198.51.100.10:3478";
    static final List<String> MODES = List.of("cone", "restricted", "fullcone", "symmetric");
    /** Pairs the reference lab could not punch (APDF cone vs symmetric, symmetric vs symmetric): relay expected. */
    static final Set<String> RELAY_EXPECTED = Set.of("cone/symmetric", "symmetric/cone", "symmetric/symmetric");

    @BeforeAll
    static void requireLab() {
        Assumptions.assumeTrue(NatLab.available(), "NAT lab needs root, iproute2, nftables, coturn, miniupnpd");
    }

    static String labId(int n) {
        return String.valueOf((ProcessHandle.current().pid() * 10 + n) % 100_000);
    }

    record Outcome(String modeA, String modeB, String kind, long setupMs, int pongs, String mappingA,
                   String mappingB, String detail) {
    }

    @Test
    void everyPairOfNatModesConnects() throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        try (NatLab lab = NatLab.up(labId(1))) {
            lab.run("stun", lab.id());
            NatLab.Proc server = lab.start("pub", NatLab.java("org.p2pdns.intro.IntroServerMain",
                    "--bind", "198.51.100.20", "--port", "7460", "--stun-port", "3478", "--id-difficulty", "0"));
            assertNotNull(server.await("intro-server listening", 30), server.output());
            int seed = 100;
            for (int i = 0; i < MODES.size(); i++) {
                for (int j = i; j < MODES.size(); j++) {
                    Outcome o = runPair(lab, MODES.get(i), MODES.get(j), seed += 2);
                    if (!RELAY_EXPECTED.contains(MODES.get(i) + "/" + MODES.get(j)) && !o.kind().equals("PUNCHED")) {
                        // a punchable pair gets one more attempt: on a loaded machine a punch can miss its budget
                        System.out.println("retrying " + MODES.get(i) + "/" + MODES.get(j) + " after " + o.kind());
                        o = runPair(lab, MODES.get(i), MODES.get(j), seed += 2);
                    }
                    outcomes.add(o);
                }
            }
        }
        StringBuilder table = new StringBuilder("| natA | natB | result | setup ms | pings answered | "
                + "mapping A / B |\n| --- | --- | --- | --- | --- | --- |\n");
        for (Outcome o : outcomes) {
            table.append(String.format("| %s | %s | %s | %d | %d/5 | %s / %s |%n", o.modeA(), o.modeB(), o.kind(),
                    o.setupMs(), o.pongs(), o.mappingA(), o.mappingB()));
        }
        Path out = Path.of("target", "natlab-results.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString());
        System.out.println(table);
        for (Outcome o : outcomes) {
            String pair = o.modeA() + "/" + o.modeB();
            assertEquals(5, o.pongs(), pair + " did not exchange messages: " + o.detail());
            if (RELAY_EXPECTED.contains(pair)) {
                assertEquals("RELAYED", o.kind(), pair + ": " + o.detail());
            } else {
                assertEquals("PUNCHED", o.kind(), pair + " should punch: " + o.detail());
            }
        }
    }

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

    static String field(String line, String name) {
        Matcher m = FIELD.matcher(line == null ? "" : line);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return "?";
    }

    private static String[] args(String[] extra, String... base) {
        String[] all = java.util.Arrays.copyOf(extra, extra.length + base.length);
        System.arraycopy(base, 0, all, extra.length, base.length);
        return all;
    }

    private Outcome runPair(NatLab lab, String modeA, String modeB, int seed, String... extra) throws Exception {
        lab.nat("A", modeA);
        lab.nat("B", modeB);
        try (NatLab.Proc b = lab.start("hostB", NatLab.java("org.p2pdns.intro.lab.LabNode", args(extra, "--seed",
                String.valueOf(seed + 1), "--intro", INTRO, "--stun", STUN, "responder")))) {
            String readyB = b.await("READY", 30);
            assertNotNull(readyB, "responder in hostB did not start:\n" + b.output());
            try (NatLab.Proc a = lab.start("hostA", NatLab.java("org.p2pdns.intro.lab.LabNode", args(extra, "--seed",
                    String.valueOf(seed), "--intro", INTRO, "--stun", STUN, "initiator", field(readyB, "id"))))) {
                String readyA = a.await("READY", 30);
                String result = a.await("RESULT", 40);
                b.closeStdin();
                b.waitFor(10);
                String detail = "A: " + a.output() + "\nB: " + b.output();
                if (result == null) {
                    return new Outcome(modeA, modeB, "FAILED", -1, 0, field(readyA, "mapping"),
                            field(readyB, "mapping"), detail);
                }
                String pongs = field(result, "pongs");
                return new Outcome(modeA, modeB, field(result, "kind"),
                        Long.parseLong(field(result, "setupMs").replace("?", "-1")),
                        pongs.equals("?") ? 0 : Integer.parseInt(pongs),
                        field(readyA, "mapping"), field(readyB, "mapping"), detail);
            }
        }
    }

    /**
     * The full stack (UdpTransport, NAT traversal, SecureTransport, DhtNode, records) behind the NATs, for every pair
     * of modes: hostA joins hostB's DHT through the path the chain found and publishes a name; hostB resolves it.
     */
    @Test
    void nameEstablishedThroughTheNatsResolvesOnTheOtherSide() throws Exception {
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < MODES.size(); i++) {
            for (int j = i; j < MODES.size(); j++) {
                String pair = MODES.get(i) + "/" + MODES.get(j);
                pairs.add(new String[]{MODES.get(i), MODES.get(j), RELAY_EXPECTED.contains(pair) ? "RELAYED"
                        : "PUNCHED"});
            }
        }
        StringBuilder table = new StringBuilder("| natA | natB | path | setup ms | STORE acks | resolved on hostB |\n"
                + "| --- | --- | --- | --- | --- | --- |\n");
        try (NatLab lab = NatLab.up(labId(4))) {
            NatLab.Proc server = lab.start("pub", NatLab.java("org.p2pdns.intro.IntroServerMain",
                    "--bind", "198.51.100.20", "--port", "7460", "--stun-port", "-1", "--id-difficulty", "0"));
            assertNotNull(server.await("intro-server listening", 30), server.output());
            int seed = 500;
            for (String[] pair : pairs) {
                lab.nat("A", pair[0]);
                lab.nat("B", pair[1]);
                seed += 2;
                try (NatLab.Proc b = lab.start("hostB", NatLab.java("org.p2pdns.intro.lab.LabDhtNode", "--seed",
                        String.valueOf(seed + 1), "--intro", INTRO, "responder"))) {
                    String readyB = b.await("READY", 30);
                    assertNotNull(readyB, b.output());
                    String name = "lab-" + pair[0] + "-" + pair[1] + ".p2p";
                    try (NatLab.Proc a = lab.start("hostA", NatLab.java("org.p2pdns.intro.lab.LabDhtNode",
                            "--seed", String.valueOf(seed), "--intro", INTRO, "initiator", field(readyB, "id"),
                            name, "192.0.2.10"))) {
                        String result = a.await("RESULT", 60);
                        assertNotNull(result, a.output());
                        // the direct-wherever-possible rule is asserted by everyPairOfNatModesConnects; here the
                        // point is that the full stack connects and resolves: a pair that can punch may still, rarely,
                        // fall back to the relay when the DHT's own first packets race the punch (it then upgrades to
                        // direct in the background), so only the relay-only pairs are held to their path kind
                        String kind = field(result, "kind");
                        if (pair[2].equals("RELAYED")) {
                            assertEquals("RELAYED", kind, result + "\n" + a.output());
                        } else {
                            assertTrue(kind.equals("PUNCHED") || kind.equals("RELAYED"), result + "\n" + a.output());
                        }
                        b.send("resolve " + name);
                        String resolved = b.await("RESOLVED", 30);
                        assertNotNull(resolved, b.output());
                        assertEquals("FOUND", field(resolved, "status"), resolved + "\nA: " + a.output());
                        assertEquals("A:192.0.2.10", field(resolved, "records"), resolved);
                        table.append(String.format("| %s | %s | %s | %s | %s | %s |%n", pair[0], pair[1],
                                field(result, "kind"), field(result, "setupMs"), field(result, "acks"),
                                field(resolved, "status") + " " + field(resolved, "records")));
                        a.closeStdin();
                        b.closeStdin();
                    }
                }
            }
        }
        Files.writeString(Path.of("target", "natlab-dht-results.md"), table.toString());
        System.out.println(table);
    }

    /**
     * The DHT is only given the other node's public address (a plain contact, as the introduction server's sample or a
     * saved routing table provides): the NAT layer notices the send, runs the chain by itself and routes the address.
     */
    @Test
    void dhtReachesAPlainContactBehindANat() throws Exception {
        List<String[]> pairs = List.of(new String[]{"cone", "cone", "PUNCHED"},
                new String[]{"restricted", "symmetric", "PUNCHED"},
                new String[]{"symmetric", "symmetric", "RELAYED"});
        StringBuilder table = new StringBuilder("| natA | natB | path found by itself | DHT join ms | STORE acks | "
                + "resolved on hostB |\n| --- | --- | --- | --- | --- | --- |\n");
        try (NatLab lab = NatLab.up(labId(6))) {
            NatLab.Proc server = lab.start("pub", NatLab.java("org.p2pdns.intro.IntroServerMain",
                    "--bind", "198.51.100.20", "--port", "7460", "--stun-port", "-1"));
            assertNotNull(server.await("intro-server listening", 30), server.output());
            int seed = 900;
            for (String[] pair : pairs) {
                lab.nat("A", pair[0]);
                lab.nat("B", pair[1]);
                seed += 2;
                try (NatLab.Proc b = lab.start("hostB", NatLab.java("org.p2pdns.intro.lab.LabDhtNode", "--seed",
                        String.valueOf(seed + 1), "--intro", INTRO, "responder"))) {
                    String readyB = b.await("READY", 30);
                    assertNotNull(readyB, b.output());
                    String name = "plain-" + pair[0] + "-" + pair[1] + ".p2p";
                    try (NatLab.Proc a = lab.start("hostA", NatLab.java("org.p2pdns.intro.lab.LabDhtNode",
                            "--seed", String.valueOf(seed), "--intro", INTRO, "contact", field(readyB, "observed"),
                            name, "192.0.2.10"))) {
                        String result = a.await("RESULT", 60);
                        assertNotNull(result, a.output());
                        // the direct-wherever-possible rule is asserted by everyPairOfNatModesConnects; here the
                        // point is that the full stack connects and resolves: a pair that can punch may still, rarely,
                        // fall back to the relay when the DHT's own first packets race the punch (it then upgrades to
                        // direct in the background), so only the relay-only pairs are held to their path kind
                        String kind = field(result, "kind");
                        if (pair[2].equals("RELAYED")) {
                            assertEquals("RELAYED", kind, result + "\n" + a.output());
                        } else {
                            assertTrue(kind.equals("PUNCHED") || kind.equals("RELAYED"), result + "\n" + a.output());
                        }
                        assertEquals("2", field(result, "acks"), "both nodes store: " + result);
                        assertTrue(Long.parseLong(field(result, "joinMs")) < 10_000, "slow join: " + result);
                        b.send("resolve " + name);
                        String resolved = b.await("RESOLVED", 30);
                        assertNotNull(resolved, b.output());
                        assertEquals("FOUND", field(resolved, "status"), resolved + "\nA: " + a.output());
                        table.append(String.format("| %s | %s | %s | %s | %s | %s |%n", pair[0], pair[1],
                                field(result, "kind"), field(result, "joinMs"), field(result, "acks"),
                                field(resolved, "status") + " " + field(resolved, "records")));
                        a.closeStdin();
                        b.closeStdin();
                    }
                }
            }
        }
        Files.writeString(Path.of("target", "natlab-plain-contact-results.md"), table.toString());
        System.out.println(table);
    }

    static final String INTRO_2 = "198.51.100.21:7460";
    static final String PUBLIC_NODE = "198.51.100.30:7470";

    /**
     * Nodes registered at different introduction servers, that know each other only through the DHT: hostA registers at
     * S1 (198.51.100.20) only, hostB at S2 (198.51.100.21) only, both join through a public node P in pub. A publishes
     * its reachability record; B looks A's id up, gets A's contact from P, and its handshake to A goes unanswered (A's
     * NAT drops it): B's NAT layer finds S1 in A's record, registers there as a guest and gets a punched path
     * (restricted/restricted) or S1's relay (symmetric/symmetric). Then a name A publishes is stored at B (a STORE
     * over that path) and resolves on B.
     */
    @Test
    void peersBehindDifferentServersReachEachOtherThroughTheDht() throws Exception {
        List<String[]> pairs = List.of(new String[]{"restricted", "restricted", "PUNCHED"},
                new String[]{"symmetric", "symmetric", "RELAYED"});
        StringBuilder table = new StringBuilder("| natA (S1) | natB (S2) | path B found | via | setup ms (lookup to "
                + "reply) | chain ms | mapping A / B | stored at B | resolved on hostB |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        try (NatLab lab = NatLab.up(labId(7))) {
            lab.run("stun", lab.id());
            for (String ip : List.of("198.51.100.20", "198.51.100.21")) {
                NatLab.Proc server = lab.start("pub", NatLab.java("org.p2pdns.intro.IntroServerMain",
                        "--bind", ip, "--port", "7460", "--stun-port", "3478", "--id-difficulty", "0"));
                assertNotNull(server.await("intro-server listening", 30), server.output());
            }
            NatLab.Proc p = lab.start("pub", NatLab.java("org.p2pdns.intro.lab.LabReachNode", "--seed", "1000",
                    "--bind", PUBLIC_NODE, "public"));
            assertNotNull(p.await("READY", 30), p.output());
            int seed = 1100;
            for (String[] pair : pairs) {
                lab.nat("A", pair[0]);
                lab.nat("B", pair[1]);
                seed += 2;
                String name = "reach-" + pair[0] + "-" + pair[1] + ".p2p";
                try (NatLab.Proc a = lab.start("hostA", NatLab.java("org.p2pdns.intro.lab.LabReachNode", "--seed",
                        String.valueOf(seed), "--intro", INTRO, "--stun", "198.51.100.20:3478,198.51.100.10:3478",
                        "--boot", PUBLIC_NODE, "node"))) {
                    String readyA = a.await("READY", 30);
                    assertNotNull(readyA, a.output());
                    a.send("published");
                    String pub = a.await("PUBLISHED_REACH", 40);
                    assertNotNull(pub, a.output());
                    assertTrue(pub.contains("servers=[/198.51.100.20:7460]"), pub);
                    try (NatLab.Proc b = lab.start("hostB", NatLab.java("org.p2pdns.intro.lab.LabReachNode",
                            "--seed", String.valueOf(seed + 1), "--intro", INTRO_2, "--stun",
                            "198.51.100.21:3478,198.51.100.10:3478", "--boot", PUBLIC_NODE, "node"))) {
                        String readyB = b.await("READY", 30);
                        assertNotNull(readyB, b.output());
                        b.send("reach " + field(readyA, "id"));
                        String reached = b.await("REACHED", 90);
                        String detail = "\nA: " + a.output() + "\nB: " + b.output();
                        assertNotNull(reached, detail);
                        assertEquals("true", field(reached, "ok"), reached + detail);
                        assertEquals(pair[2], field(reached, "kind"), reached + detail);
                        assertEquals("198.51.100.20", field(reached, "via"), "A's server: " + reached);
                        assertTrue(field(reached, "guests").contains("198.51.100.20"), "a guest at S1: " + reached);
                        a.send("publish " + name + " 192.0.2.10");
                        String stored = a.await("STORED", 40);
                        assertNotNull(stored, a.output());
                        boolean atB = field(stored, "peers").contains(field(readyB, "id").substring(0, 8));
                        assertTrue(atB, "B stored A's record over the path: " + stored + detail);
                        b.send("resolve " + name);
                        String resolved = b.await("RESOLVED", 40);
                        assertNotNull(resolved, b.output());
                        assertEquals("FOUND", field(resolved, "status"), resolved + detail);
                        assertEquals("A:192.0.2.10", field(resolved, "records"), resolved);
                        table.append(String.format("| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s |%n", pair[0],
                                pair[1], field(reached, "kind"), "S1", field(reached, "setupMs"),
                                field(reached, "chainMs"), field(readyA, "mapping"), field(readyB, "mapping"),
                                atB ? "yes" : "no", field(resolved, "status") + " " + field(resolved, "records")));
                        System.out.println(pair[0] + "/" + pair[1] + ": " + reached);
                        b.closeStdin();
                    }
                    a.closeStdin();
                }
            }
            p.closeStdin();
        }
        Path out = Path.of("target", "natlab-reach-results.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString());
        System.out.println(table);
    }

    /**
     * With NAT mappings that expire after 2 s idle, keepalives every 0.5 s keep a punched path usable across a 5 s
     * pause; without them (keepalive 1 h) the same path is dead after the pause. (Registrations refresh every 0.5 s
     * here so that the path to the introduction server stays open in both runs.)
     */
    @Test
    void keepalivesHoldTheMappingOpen() throws Exception {
        try (NatLab lab = NatLab.up(labId(5))) {
            NatLab.Proc server = lab.start("pub", NatLab.java("org.p2pdns.intro.IntroServerMain",
                    "--bind", "198.51.100.20", "--port", "7460", "--stun-port", "3478", "--id-difficulty", "0"));
            assertNotNull(server.await("intro-server listening", 30), server.output());
            lab.nat("A", "cone");
            lab.nat("B", "cone");
            for (String router : List.of("natA", "natB")) {
                for (String key : List.of("net.netfilter.nf_conntrack_udp_timeout",
                        "net.netfilter.nf_conntrack_udp_timeout_stream")) {
                    lab.run("exec", lab.id(), router, "sysctl", "-qw", key + "=2");
                }
            }
            Outcome held = runPair(lab, "cone", "cone", 700, "--keepalive-ms", "500", "--pause-ms", "5000",
                    "--refresh-ms", "500");
            assertEquals("PUNCHED", held.kind(), held.detail());
            assertEquals(5, held.pongs(), "keepalives should hold the mapping: " + held.detail());
            Outcome lost = runPair(lab, "cone", "cone", 710, "--keepalive-ms", "3600000", "--pause-ms", "5000",
                    "--refresh-ms", "500");
            assertEquals("PUNCHED", lost.kind(), lost.detail());
            assertEquals(0, lost.pongs(), "without keepalives the 2 s mapping should have expired: " + lost.detail());
        }
    }

    /**
     * The lab must build in under a second. Measured as the best of up to 3 builds: one build on a loaded machine can
     * be held up by the scheduler (a one-off), a lab that got slow is slow every time.
     */
    @Test
    void labBuildsFastAndTearsDownCleanly() throws Exception {
        List<Long> ups = new ArrayList<>();
        while (ups.size() < 3 && (ups.isEmpty() || java.util.Collections.min(ups) >= 1000)) {
            long t0 = System.nanoTime();
            NatLab lab = NatLab.up(labId(2));
            long upMs = (System.nanoTime() - t0) / 1_000_000;
            lab.close();
            ups.add(upMs);
            System.out.println("natlab up took " + upMs + " ms");
            Process p = new ProcessBuilder("ip", "netns", "list").start();
            String list = new String(p.getInputStream().readAllBytes());
            assertTrue(!list.contains("nl" + lab.id() + "-"), "namespaces left behind: " + list);
        }
        assertTrue(java.util.Collections.min(ups) < 1000, "lab up took " + ups + " ms (the lab must build in under a"
                + " second)");
    }
}
