package org.p2pdns.dns.bench;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.p2pdns.dns.BridgeConfig;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.DnsBridge;
import org.p2pdns.dns.testing.UdpClient;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.resolve.RecordsBench;
import org.p2pdns.node.resolve.RecordsBench.Node;
import org.p2pdns.node.util.NettyLeakDetection;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Cold resolution through the DNS bridge on a loopback network (issue #4: "p50 at most 15 ms through a 200-node
 * network"): NODES real nodes in one JVM on 127.0.0.1, built and joined as {@link RecordsBench} builds them (real UDP,
 * Noise sessions, test network), NAMES names published from random joined nodes, then the real {@link DnsBridge} on
 * one node's resolver, wired as {@code p2p --start-node} wires it but with forwarding off. It sends RESOLVES A queries
 * over UDP for published names and RESOLVES/5 for names nobody published, in a seeded random order, one at a time,
 * with the bridge's cache and the node resolver's cache cleared before each, so that every answer is a DHT lookup
 * (checked on the bridge's counters: a cache miss and a resolver call per query, no cache hit). Prints the DNS round
 * trip p50/p95/p99/max of each set, the rcodes, the wrong answers and the counters. Exits 1 if an answer was wrong or
 * a cache answered. Run with scripts/bench-dns-cold.sh [NODES] [NAMES] [RESOLVES].
 */
public final class ColdResolveBench {

    /** Longest the query phase may take; the queries left then are not sent (and reported). */
    static final Duration QUERY_BUDGET = Duration.ofMinutes(5);

    /** A reply not here by then is lost; the bridge answers SERVFAIL itself after its 5 s resolve timeout. */
    private static final int REPLY_WAIT_MS = 10_000;

    /**
     * One query and its answer.
     *
     * @param published whether the name was published (else NOERROR would be wrong: NXDOMAIN is expected)
     * @param rcode     the response code, or -1 if no reply came within {@link #REPLY_WAIT_MS}
     * @param addresses the A records of the answer section, as dotted quads
     * @param correct   NOERROR with exactly the published addresses, or NXDOMAIN for a name nobody published
     */
    public record Answer(String name, boolean published, int rcode, List<String> addresses, double millis,
                         boolean correct) {
    }

    /**
     * What a run measured.
     *
     * @param counters the bridge's counters after the queries (the bridge answered nothing else)
     * @param unsent   queries not sent because {@link #QUERY_BUDGET} ran out
     */
    public record Result(List<Answer> answers, Map<Counter, Long> counters, int unsent) {

        public List<Double> millis(boolean published) {
            return answers.stream().filter(a -> a.published() == published).map(Answer::millis).toList();
        }

        public long wrong() {
            return answers.stream().filter(a -> !a.correct()).count();
        }

        /** True if every query missed the bridge's cache and went to the node's resolver, none shared a resolution. */
        public boolean allCold() {
            long n = answers.size();
            return counters.get(Counter.CACHE_MISSES) == n && counters.get(Counter.RESOLVER_CALLS) == n
                    && counters.get(Counter.CACHE_HITS) == 0 && counters.get(Counter.CACHE_HITS_FAST) == 0
                    && counters.get(Counter.COALESCED) == 0 && counters.get(Counter.STALE_SERVED) == 0;
        }
    }

    private ColdResolveBench() {
    }

    public static void main(String[] argv) throws Exception {
        RecordsBench.Args args = RecordsBench.Args.parse(argv, 500, "ColdResolveBench");
        int nodes = args.nodes();
        int names = args.names();
        int resolves = args.resolves();
        NettyLeakDetection.configure(); // as the p2p command runs the bridge
        int missing = Math.max(1, resolves / 5);
        System.out.printf("cold DNS bench: %d nodes on 127.0.0.1 (real UDP, Noise), test network (no proof of work),"
                + " %d names, %d queries for published names and %d for missing names%n", nodes, names, resolves,
                missing);
        Result r = run(nodes, names, resolves, missing, 1);
        report("published names", r, true);
        report("missing names", r, false);
        Map<String, Integer> rcodes = new TreeMap<>();
        r.answers().forEach(a -> rcodes.merge(a.rcode() < 0 ? "no reply" : Rcode.string(a.rcode()), 1, Integer::sum));
        System.out.println("rcodes: " + rcodes);
        Map<Counter, Long> nonZero = new EnumMap<>(Counter.class);
        r.counters().forEach((c, v) -> {
            if (v != 0) {
                nonZero.put(c, v);
            }
        });
        System.out.println("bridge counters: " + nonZero);
        System.out.printf("cold: %s (%d queries, %d cache misses, %d resolver calls, %d cache hits)%n",
                r.allCold() ? "yes, every query was a DHT lookup" : "NO, a cache answered", r.answers().size(),
                r.counters().get(Counter.CACHE_MISSES), r.counters().get(Counter.RESOLVER_CALLS),
                r.counters().get(Counter.CACHE_HITS) + r.counters().get(Counter.CACHE_HITS_FAST));
        r.answers().stream().filter(a -> !a.correct()).limit(5).forEach(a -> System.out.printf(
                "  wrong: %s (%s) rcode %s, addresses %s%n", a.name(), a.published() ? "published" : "missing",
                a.rcode() < 0 ? "none" : Rcode.string(a.rcode()), a.addresses()));
        if (r.unsent() > 0) {
            System.out.printf("warning: %d queries not sent, the %d s budget ran out%n", r.unsent(),
                    QUERY_BUDGET.toSeconds());
        }
        if (r.wrong() > 0 || !r.allCold()) {
            System.exit(1);
        }
    }

    private static void report(String label, Result r, boolean published) {
        List<Double> ms = r.millis(published);
        long right = r.answers().stream().filter(a -> a.published() == published && a.correct()).count();
        System.out.printf(Locale.ROOT, "%s: %d queries, %d answered right (%s); DNS round trip p50 %.2f ms, p95 %.2f ms,"
                        + " p99 %.2f ms, max %.1f ms%n", label, ms.size(), right,
                published ? "NOERROR with the published address" : "NXDOMAIN", RecordsBench.pct(ms, 50),
                RecordsBench.pct(ms, 95), RecordsBench.pct(ms, 99), RecordsBench.pct(ms, 100));
    }

    /**
     * Starts the network and the bridge, publishes {@code names} names, asks {@code existing} queries for published
     * names (round robin) and {@code missing} for distinct unpublished names, in an order shuffled with {@code seed},
     * and stops everything. Deterministic in what it asks, not in how long it takes.
     */
    public static Result run(int nodes, int names, int existing, int missing, long seed) throws Exception {
        NetworkParams params = NetworkParams.TEST;
        Random random = new Random(seed);
        EventLoopGroup io = RecordsBench.newIoGroup();
        List<Node> all = new ArrayList<>();
        try {
            RecordsBench.startNetwork(nodes, params, io, random, all);
            Map<String, List<Record>> published = RecordsBench.publishNames(all, names, random);
            if (published.isEmpty()) {
                throw new IllegalStateException("no name was stored");
            }
            List<String> plan = new ArrayList<>();
            List<String> publishedNames = new ArrayList<>(published.keySet());
            for (int i = 0; i < existing; i++) {
                plan.add(publishedNames.get(i % publishedNames.size()));
            }
            for (int i = 0; i < missing; i++) {
                plan.add("missing-" + i + "." + params.tld());
            }
            Collections.shuffle(plan, random);

            List<Node> joined = all.stream().filter(n -> n.dht().isReady()).toList();
            Node host = joined.get(random.nextInt(joined.size()));
            // as cli's DefaultLauncher.BRIDGE starts it on the node's resolver, here on an ephemeral loopback port
            BridgeConfig config = BridgeConfig.defaults()
                    .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .withZone(params.tld() + ".")
                    .withForwarding(false, List.of());
            try (DnsBridge bridge = DnsBridge.start(config, host.resolver());
                 UdpClient client = new UdpClient(bridge.udpAddress())) {
                System.out.printf("bridge on node %d, udp %s, forwarding off%n", host.index(), bridge.udpAddress());
                List<Answer> answers = new ArrayList<>();
                long deadline = System.nanoTime() + QUERY_BUDGET.toNanos();
                int sent = 0;
                for (String name : plan) {
                    if (System.nanoTime() > deadline) {
                        break;
                    }
                    bridge.clearCache();
                    host.resolver().clearCache();
                    answers.add(ask(client, name, published.get(name), random.nextInt(0x10000)));
                    sent++;
                }
                return new Result(List.copyOf(answers), bridge.stats().snapshot(), plan.size() - sent);
            }
        } finally {
            all.forEach(Node::close);
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** One A query for {@code name}; {@code expected} is what was published there, null if nothing was. */
    private static Answer ask(UdpClient client, String name, List<Record> expected, int id) throws IOException {
        Message query = UdpClient.query(name + ".", Type.A, id);
        byte[] wire = query.toWire();
        long start = System.nanoTime();
        long until = start + TimeUnit.MILLISECONDS.toNanos(REPLY_WAIT_MS);
        client.send(wire);
        while (true) {
            long left = (until - System.nanoTime()) / 1_000_000;
            byte[] reply = left > 0 ? client.receive((int) left) : null;
            double ms = (System.nanoTime() - start) / 1e6;
            if (reply == null) {
                return new Answer(name, expected != null, -1, List.of(), ms, false);
            }
            Message m = new Message(reply);
            // trust a reply only if its id and question match (a late reply to an earlier query is skipped)
            if (m.getHeader().getID() != id || !query.getQuestion().equals(m.getQuestion())) {
                continue;
            }
            List<String> addresses = addresses(m.getSection(Section.ANSWER));
            boolean correct = expected == null
                    ? m.getRcode() == Rcode.NXDOMAIN
                    : m.getRcode() == Rcode.NOERROR && addresses.equals(addresses(expected));
            return new Answer(name, expected != null, m.getRcode(), addresses, ms, correct);
        }
    }

    private static List<String> addresses(List<Record> records) {
        return records.stream().filter(r -> r instanceof ARecord).map(r -> ((ARecord) r).getAddress()
                .getHostAddress()).sorted().toList();
    }
}
