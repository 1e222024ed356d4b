package org.p2pdns.node.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.dht.LookupResult;
import org.p2pdns.node.identity.NodeId;

/**
 * Simulator benchmark (run by scripts/sim-bench.sh): joins N nodes, then runs lookups from random nodes to random
 * targets and prints join time, hops p50/p99, exactness against the brute-force oracle, messages per lookup, lookup
 * latency in virtual time and heap per node. Arguments: nodes lookups seed [killFraction].
 */
public final class SimBench {

    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        double kill = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        System.out.println(run(nodes, lookups, seed, kill));
    }

    /** Runs one benchmark and returns its report. */
    public static String run(int nodes, int lookups, long seed, double killFraction) {
        SimNetwork net = new SimNetwork(seed, SimConfig.defaults());
        for (int i = 0; i < nodes; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long v0 = net.scheduler().nowMillis();
        net.bootstrapAll(Duration.ofHours(2));
        long joinReal = (System.nanoTime() - t0) / 1_000_000;
        long joinCpu = (mx.getCurrentThreadCpuTime() - c0) / 1_000_000;
        long joinVirtual = net.scheduler().nowMillis() - v0;
        long joinMessages = net.messagesDelivered();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        int minTable = Integer.MAX_VALUE;
        long sumTable = 0;
        for (SimNode n : net.nodes()) {
            minTable = Math.min(minTable, n.dht().routingTable().size());
            sumTable += n.dht().routingTable().size();
        }
        int killed = 0;
        if (killFraction > 0) {
            List<SimNode> all = new ArrayList<>(net.nodes());
            Collections.shuffle(all, net.random());
            killed = (int) (nodes * killFraction);
            for (int i = 0; i < killed; i++) {
                net.kill(all.get(i));
            }
        }
        int k = net.config().dht().k();
        List<Integer> hops = new ArrayList<>();
        List<Long> latency = new ArrayList<>();
        List<Long> messages = new ArrayList<>();
        int exact = 0;
        int closestFound = 0;
        long t1 = System.nanoTime();
        long c1 = mx.getCurrentThreadCpuTime();
        List<SimNode> alive = net.aliveNodes();
        for (int i = 0; i < lookups; i++) {
            NodeId target = NodeId.random(net.random());
            SimNode from = alive.get(net.random().nextInt(alive.size()));
            long m0 = net.messagesDelivered();
            long s0 = net.scheduler().nowMillis();
            CompletableFuture<LookupResult> f = from.dht().lookup(target);
            net.scheduler().runUntil(f::isDone, Duration.ofMinutes(1));
            LookupResult r = f.join();
            latency.add(net.scheduler().nowMillis() - s0);
            messages.add(2L * r.contacted());
            hops.add(r.hops());
            List<NodeId> truth = new ArrayList<>();
            for (SimNode n : net.trueClosest(target, k + 1)) {
                if (!n.contact().id().equals(from.contact().id()) && truth.size() < k) {
                    truth.add(n.contact().id());
                }
            }
            List<NodeId> got = new ArrayList<>();
            r.closest().forEach(c -> got.add(c.id()));
            if (got.equals(truth)) {
                exact++;
            }
            if (!got.isEmpty() && got.get(0).equals(truth.get(0))) {
                closestFound++;
            }
        }
        long lookupReal = (System.nanoTime() - t1) / 1_000_000;
        long lookupCpu = (mx.getCurrentThreadCpuTime() - c1) / 1_000_000;
        Collections.sort(hops);
        Collections.sort(latency);
        Collections.sort(messages);
        return String.format("nodes=%d seed=%d idDifficulty=%d (simulation: no proof of work)%n"
                        + "join: %d ms CPU (%d ms real), %d ms virtual, %d messages (%.0f per node); tables min %d avg %.1f; "
                        + "heap after join %.1f MB (%.1f KB per node)%n"
                        + "killed=%d lookups=%d in %d ms CPU (%d ms real): exact k-closest %.2f%%, closest found %.2f%%, "
                        + "hops p50 %d p99 %d, messages per lookup p50 %d p99 %d, virtual latency p50 %d ms p99 %d ms",
                nodes, seed, net.config().dht().idDifficultyBits(), joinCpu, joinReal, joinVirtual, joinMessages,
                joinMessages / (double) nodes, minTable, sumTable / (double) nodes, heap / 1e6, heap / 1e3 / nodes,
                killed, lookups, lookupCpu, lookupReal, 100.0 * exact / lookups, 100.0 * closestFound / lookups, pct(hops, 50),
                pct(hops, 99), pct(messages, 50), pct(messages, 99), pct(latency, 50), pct(latency, 99));
    }

    private static <T extends Number> long pct(List<T> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))).longValue();
    }
}
