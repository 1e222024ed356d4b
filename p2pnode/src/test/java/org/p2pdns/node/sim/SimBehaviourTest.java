package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtStats;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.identity.NodeId;

/** Many-node behaviour on the simulator: determinism, churn, loss, bootstrap retries, rejoin, prefix limits. */
class SimBehaviourTest {

    static <T> T await(SimNetwork net, CompletableFuture<T> f) {
        assertTrue(net.scheduler().runUntil(f::isDone, Duration.ofMinutes(2)), "future did not complete");
        return f.join();
    }

    static SimNetwork network(long seed, int n, SimConfig cfg) {
        SimNetwork net = new SimNetwork(seed, cfg);
        for (int i = 0; i < n; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        net.bootstrapAll(Duration.ofMinutes(10));
        return net;
    }

    /** A run mixing joins, puts, loss, churn and gets; returns a fingerprint of everything observable. */
    static List<Object> scenario(long seed) {
        SimNetwork net = network(seed, 150, SimConfig.defaults().withLoss(0.02));
        long exp = net.scheduler().nowMillis() + 3_600_000;
        List<Object> trace = new ArrayList<>();
        List<NodeId> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            NodeId key = NodeId.random(net.random());
            keys.add(key);
            PutResult r = await(net, net.nodes().get(i).dht().put(key, SimValuePolicy.value(i, exp, "v")));
            trace.add(r.acks());
            trace.add(r.storedAt());
        }
        for (int i = 0; i < 30; i++) {
            net.kill(net.nodes().get(net.random().nextInt(150)));
        }
        for (NodeId key : keys) {
            SimNode reader = net.aliveNodes().get(net.random().nextInt(net.aliveNodes().size()));
            GetResult g = await(net, reader.dht().get(key, v -> { }));
            trace.add(g.status());
            trace.add(g.contacted());
            trace.add(g.firstValueMillis());
            trace.add(await(net, reader.dht().findClosest(key)));
        }
        trace.add(net.scheduler().executedTasks());
        trace.add(net.messagesDelivered());
        trace.add(net.messagesDropped());
        trace.add(net.scheduler().nowMillis());
        return trace;
    }

    @Test
    void sameSeedSameTrace() {
        List<Object> a = scenario(77);
        List<Object> b = scenario(77);
        assertEquals(a, b);
        assertFalse(a.equals(scenario(78)), "another seed gives another trace");
    }

    @Test
    void getsSucceedAfter30PercentOfNodesDieAtOnce() {
        SimNetwork net = network(5, 300, SimConfig.defaults());
        long exp = net.scheduler().nowMillis() + 3_600_000;
        List<NodeId> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            NodeId key = NodeId.random(net.random());
            keys.add(key);
            await(net, net.nodes().get(net.random().nextInt(300)).dht().put(key, SimValuePolicy.value(1, exp, "c")));
        }
        List<SimNode> all = new ArrayList<>(net.nodes());
        Collections.shuffle(all, net.random());
        for (SimNode n : all.subList(0, 90)) {
            net.kill(n);
        }
        List<SimNode> alive = net.aliveNodes();
        int found = 0;
        int closestFound = 0;
        int overlap = 0;
        for (NodeId key : keys) {
            SimNode reader = alive.get(net.random().nextInt(alive.size()));
            GetResult g = await(net, reader.dht().get(key, v -> { }));
            if (g.status() == GetResult.Status.FOUND) {
                found++;
            }
            NodeId target = NodeId.random(net.random());
            List<Contact> got = await(net, reader.dht().findClosest(target));
            List<Contact> truth = new ArrayList<>();
            for (SimNode n : net.trueClosest(target, 21)) {
                if (n != reader && truth.size() < 20) {
                    truth.add(n.contact());
                }
            }
            for (Contact c : got) {
                assertTrue(net.nodeAt(c.address()).alive(), "a lookup returned a dead node");
                if (truth.contains(c)) {
                    overlap++;
                }
            }
            if (!got.isEmpty() && got.get(0).equals(truth.get(0))) {
                closestFound++;
            }
        }
        assertEquals(keys.size(), found, "every value still found");
        // right after a mass failure, peers still list dead contacts among their k closest, which can hide the
        // farthest few of the true k closest live nodes until tables repair; the closest ones are always found
        assertTrue(closestFound >= keys.size() - 1, "closest live node found in " + closestFound + "/" + keys.size());
        assertTrue(overlap >= keys.size() * 20 * 85 / 100, "overlap with the true k closest: " + overlap);
    }

    @Test
    void putAndGetUnderFivePercentLoss() {
        SimNetwork net = network(6, 200, SimConfig.defaults().withLoss(0.05));
        long exp = net.scheduler().nowMillis() + 3_600_000;
        for (int i = 0; i < 20; i++) {
            NodeId key = NodeId.random(net.random());
            PutResult p = await(net, net.nodes().get(i).dht().put(key, SimValuePolicy.value(1, exp, "l")));
            assertTrue(p.acks() >= 10, "acks " + p.acks());
            GetResult g = await(net, net.nodes().get(199 - i).dht().get(key, v -> { }));
            assertEquals(GetResult.Status.FOUND, g.status());
        }
        assertTrue(net.messagesDropped() > 0);
    }

    @Test
    void bootstrapRetriesUntilAContactAnswers() {
        SimNetwork net = network(8, 60, SimConfig.defaults());
        // the first contact drops everything (dead), the second is down at first and comes back later
        SimNode blackHole = net.nodes().get(1);
        SimNode late = net.nodes().get(2);
        net.kill(blackHole);
        net.kill(late);
        SimNode joiner = net.addNode(SimValuePolicy.INSTANCE);
        net.start(joiner, List.of(blackHole.contact().address(), late.contact().address()));
        net.scheduler().runFor(Duration.ofSeconds(20));
        assertFalse(joiner.dht().isReady());
        assertEquals(0, joiner.dht().routingTable().size());
        assertTrue(joiner.dht().stats().get(DhtStats.Counter.JOIN_ATTEMPTS) >= 3, "retried");
        net.revive(late);
        assertTrue(net.scheduler().runUntil(() -> joiner.dht().isReady(), Duration.ofMinutes(3)));
        assertTrue(joiner.dht().routingTable().size() >= 20, "healthy table: " + joiner.dht().routingTable().size());
    }

    @Test
    void aLoneFounderSaysNotFoundButAnIsolatedJoinerSaysNoPeers() {
        SimNetwork net = new SimNetwork(12, SimConfig.defaults());
        SimNode founder = net.addNode(SimValuePolicy.INSTANCE);
        net.start(founder, List.of());
        SimNode dead = net.addNode(SimValuePolicy.INSTANCE);
        net.kill(dead);
        SimNode isolated = net.addNode(SimValuePolicy.INSTANCE);
        net.start(isolated, List.of(dead.contact().address()));
        net.scheduler().runFor(Duration.ofSeconds(5));
        NodeId key = NodeId.random(net.random());
        assertTrue(founder.dht().isFounder());
        assertFalse(isolated.dht().isFounder());
        // the founder is the whole network: what it does not hold does not exist
        assertEquals(GetResult.Status.NOT_FOUND, await(net, founder.dht().get(key, v -> { })).status());
        // the isolated node has somewhere to ask but cannot reach it: it must not claim the name does not exist
        assertEquals(GetResult.Status.NO_PEERS, await(net, isolated.dht().get(key, v -> { })).status());
        long exp = net.scheduler().nowMillis() + 3_600_000;
        await(net, founder.dht().put(key, SimValuePolicy.value(1, exp, "v")));
        assertEquals(GetResult.Status.FOUND, await(net, founder.dht().get(key, v -> { })).status());
    }

    @Test
    void aLookupThatReachesNobodyIsATimeoutNotNotFound() {
        SimNetwork net = network(14, 30, SimConfig.defaults());
        SimNode reader = net.nodes().get(0);
        for (SimNode n : net.nodes()) {
            if (n != reader) {
                net.kill(n);
            }
        }
        NodeId key = NodeId.random(net.random());
        // its table is full of contacts, all dead: nobody said the key does not exist
        assertEquals(GetResult.Status.TIMEOUT, await(net, reader.dht().get(key, v -> { })).status());
    }

    @Test
    void contactsLearnedAfterStartJoinTheTable() {
        SimNetwork net = network(13, 40, SimConfig.defaults());
        // a node that started a network of its own, then hears of peers (as from an introduction server's list)
        SimNode late = net.addNode(SimValuePolicy.INSTANCE);
        net.start(late, List.of());
        net.scheduler().runFor(Duration.ofSeconds(5));
        assertEquals(0, late.dht().routingTable().size());
        NodeId key = NodeId.random(net.random());
        long exp = net.scheduler().nowMillis() + 3_600_000;
        await(net, net.nodes().get(5).dht().put(key, SimValuePolicy.value(3, exp, "v")));
        late.dht().addContacts(List.of(net.nodes().get(1).contact(), net.nodes().get(2).contact(), late.contact()));
        net.scheduler().runFor(Duration.ofSeconds(1));
        assertEquals(2, late.dht().routingTable().size(), "the two peers, never itself");
        assertEquals(GetResult.Status.FOUND, await(net, late.dht().get(key, v -> { })).status());
    }

    @Test
    void joinSucceedsWhenTheFirstContactIsOverloaded() {
        SimNetwork net = network(9, 60, SimConfig.defaults());
        SimNode overloaded = net.nodes().get(1);
        net.kill(overloaded);
        SimNode joiner = net.addNode(SimValuePolicy.INSTANCE);
        net.start(joiner, List.of(overloaded.contact().address(), net.nodes().get(3).contact().address()));
        assertTrue(net.scheduler().runUntil(() -> joiner.dht().isReady(), Duration.ofMinutes(1)));
        assertTrue(joiner.dht().routingTable().size() >= 20);
    }

    @Test
    void restartRejoinsFromThePersistedTableAlone() {
        SimNetwork net = network(10, 100, SimConfig.defaults());
        SimNode n = net.nodes().get(50);
        int before = n.dht().routingTable().size();
        net.kill(n);
        net.scheduler().runFor(Duration.ofSeconds(30));
        long t0 = net.scheduler().nowMillis();
        net.revive(n, List.<InetSocketAddress>of());
        assertTrue(net.scheduler().runUntil(() -> n.dht().isReady(), Duration.ofSeconds(30)));
        assertTrue(net.scheduler().nowMillis() - t0 < 5000, "rejoined at once");
        assertTrue(n.dht().routingTable().size() >= Math.min(before, 20));
        // and it works: a put from the restarted node is readable elsewhere
        long exp = net.scheduler().nowMillis() + 3_600_000;
        NodeId key = NodeId.random(net.random());
        assertTrue(await(net, n.dht().put(key, SimValuePolicy.value(1, exp, "r"))).acks() >= 15);
        assertEquals(GetResult.Status.FOUND, await(net, net.nodes().get(7).dht().get(key, v -> { })).status());
    }

    @Test
    void manyNodesInOnePrefixCannotCrowdATable() {
        SimNetwork net = network(12, 100, SimConfig.defaults());
        // 40 nodes on one /24 (think: one attacker's subnet), ports differ
        List<SimNode> crowd = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] key = new byte[32];
            net.random().nextBytes(key);
            Contact c = Contact.of(key, new InetSocketAddress(
                    SimNetwork.addressOf(5000).getAddress(), 5000 + i));
            SimNode s = net.addNode(c, SimValuePolicy.INSTANCE, InMemoryValueStore::new, net.config().dht());
            crowd.add(s);
        }
        net.bootstrapAll(Duration.ofMinutes(10));
        int limit = net.config().dht().maxPerPrefixPerTable();
        long refused = 0;
        for (SimNode n : net.nodes().subList(0, 100)) {
            long inCrowd = n.dht().routingTable().contacts().stream()
                    .filter(c -> crowd.stream().anyMatch(s -> s.contact().id().equals(c.id()))).count();
            assertTrue(inCrowd <= limit, "table holds " + inCrowd + " of one /24");
            refused += n.dht().stats().get(DhtStats.Counter.CONTACT_PREFIX_LIMIT);
        }
        assertTrue(refused > 0, "the limit was exercised");
    }

    @Test
    void disjointPathLookupsFindTheTrueClosest() {
        SimConfig cfg = SimConfig.defaults().withDht(SimConfig.defaults().dht().withDisjointPaths(3));
        SimNetwork net = network(13, 300, cfg);
        int exact = 0;
        for (int i = 0; i < 50; i++) {
            NodeId target = NodeId.random(net.random());
            SimNode from = net.nodes().get(net.random().nextInt(300));
            List<Contact> got = await(net, from.dht().findClosest(target));
            List<Contact> truth = new ArrayList<>();
            for (SimNode n : net.trueClosest(target, 21)) {
                if (n != from && truth.size() < 20) {
                    truth.add(n.contact());
                }
            }
            if (got.equals(truth)) {
                exact++;
            }
        }
        assertTrue(exact >= 49, exact + "/50");
    }

    @Test
    void partitionAndHeal() {
        SimNetwork net = network(14, 100, SimConfig.defaults());
        List<SimNode> a = net.nodes().subList(0, 50);
        List<SimNode> b = net.nodes().subList(50, 100);
        net.partition(a, b);
        long exp = net.scheduler().nowMillis() + 3_600_000;
        NodeId key = NodeId.random(net.random());
        await(net, a.get(0).dht().put(key, SimValuePolicy.value(1, exp, "p")));
        assertEquals(GetResult.Status.FOUND, await(net, a.get(1).dht().get(key, v -> { })).status());
        GetResult cut = await(net, b.get(0).dht().get(key, v -> { }));
        assertTrue(cut.status() != GetResult.Status.FOUND, "other side cannot see it: " + cut.status());
        net.heal();
        assertEquals(GetResult.Status.FOUND, await(net, b.get(1).dht().get(key, v -> { })).status());
    }

    @Test
    void fiveHundredNodesStartedAtOnceAllHoldTwentyContactsWithinTenSeconds() {
        SimNetwork net = new SimNetwork(15, SimConfig.defaults());
        for (int i = 0; i < 500; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        SimNode seed = net.nodes().get(0);
        net.start(seed, List.of());
        for (SimNode n : net.nodes().subList(1, 500)) {
            net.start(n, List.of(seed.contact().address()));
        }
        long t0 = net.scheduler().nowMillis();
        boolean all = net.scheduler().runUntil(() -> net.nodes().stream()
                .allMatch(n -> n.dht().isReady() && n.dht().routingTable().size() >= 20), Duration.ofSeconds(10));
        long min = net.nodes().stream().mapToInt(n -> n.dht().routingTable().size()).min().orElse(0);
        assertTrue(all, "after " + (net.scheduler().nowMillis() - t0) + " ms the smallest table holds " + min);
    }

    @Test
    void theJoinsBucketRefreshesAreSpreadOutAndTheSameSeedGivesTheSameSchedule() {
        List<Long> first = joinRefreshSchedule(21);
        assertEquals(first, joinRefreshSchedule(21));
        long total = first.stream().mapToLong(Long::longValue).sum();
        assertTrue(total > 0, "some farther buckets were still empty after the joins: " + first);
        // started at random moments over 30 s, not at once with the self lookups: no second holds more than a tenth
        // of them (measured: at most 17 of 275 in one second), and the last ones start in the last third of the window
        long max = first.stream().mapToLong(Long::longValue).max().orElse(0);
        assertTrue(max * 10 <= total, "refreshes per second " + first);
        assertTrue(first.subList(20, 30).stream().mapToLong(Long::longValue).sum() > 0, "refreshes per second " + first);
        // the joins end within two seconds, their refreshes 30 s after that at the latest
        assertEquals(0, first.subList(32, first.size()).stream().mapToLong(Long::longValue).sum(), "" + first);
    }

    /** 200 nodes started at once: bucket refreshes started after the joins, per virtual second over 40 s. */
    private static List<Long> joinRefreshSchedule(long seed) {
        SimNetwork net = new SimNetwork(seed, SimConfig.defaults());
        for (int i = 0; i < 200; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        SimNode founder = net.nodes().get(0);
        net.start(founder, List.of());
        for (SimNode n : net.nodes().subList(1, 200)) {
            net.start(n, List.of(founder.contact().address()));
        }
        List<Long> perSecond = new ArrayList<>();
        long before = 0;
        for (int s = 0; s < 40; s++) {
            net.scheduler().runFor(Duration.ofSeconds(1));
            long now = net.nodes().stream().mapToLong(n -> n.dht().stats().get(DhtStats.Counter.JOIN_REFRESHES)).sum();
            perSecond.add(now - before);
            before = now;
        }
        assertTrue(net.nodes().stream().allMatch(n -> n.dht().isSettled()), "every join and its refreshes ended");
        return perSecond;
    }

    @Test
    void aNodeWhoseJoinLookupHadFailuresKeepsJoiningUntilItHoldsKContacts() {
        SimNetwork net = network(23, 60, SimConfig.defaults());
        SimNode late = net.addNode(SimValuePolicy.INSTANCE);
        // most of the network cannot be reached while the newcomer joins (overloaded, or cut off)
        List<SimNode> unreachable = net.nodes().subList(20, 60);
        net.partition(List.of(late), unreachable);
        net.start(late, List.of(net.nodes().get(0).contact().address()));
        assertTrue(net.scheduler().runUntil(() -> late.dht().isReady(), Duration.ofSeconds(30)));
        int atReady = late.dht().routingTable().size();
        assertTrue(atReady < 20, "the lookup ran out of reachable peers: " + atReady);
        long attempts = late.dht().stats().get(DhtStats.Counter.JOIN_ATTEMPTS);
        // ready (its lookup found nobody else to ask), but some requests failed: it tries again, with backoff
        net.heal();
        // (within seconds: the join's bucket refreshes alone, spread over 30 s, would take longer)
        assertTrue(net.scheduler().runUntil(() -> late.dht().routingTable().size() >= 20, Duration.ofSeconds(4)),
                "table " + late.dht().routingTable().size());
        assertTrue(late.dht().stats().get(DhtStats.Counter.JOIN_ATTEMPTS) > attempts);
        // and then stops: a full table needs no more joining
        long done = late.dht().stats().get(DhtStats.Counter.JOIN_ATTEMPTS);
        net.scheduler().runFor(Duration.ofMinutes(5));
        assertEquals(done, late.dht().stats().get(DhtStats.Counter.JOIN_ATTEMPTS));
    }

    @Test
    void idleNodesRefreshStaleBucketsAndDropDeadContacts() {
        SimNetwork net = network(16, 80, SimConfig.defaults());
        SimNode n = net.nodes().get(40);
        long lookupsBefore = n.dht().stats().get(DhtStats.Counter.LOOKUPS_STARTED);
        List<SimNode> dead = new ArrayList<>();
        for (Contact c : n.dht().routingTable().contacts().subList(0, 10)) {
            SimNode d = net.nodeAt(c.address());
            net.kill(d);
            dead.add(d);
        }
        // no traffic but maintenance: after the refresh interval, stale buckets are looked up again
        net.scheduler().runFor(Duration.ofMinutes(20));
        assertTrue(n.dht().stats().get(DhtStats.Counter.LOOKUPS_STARTED) > lookupsBefore, "refreshed");
        long stillThere = dead.stream().filter(d -> n.dht().routingTable().contains(d.contact().id())).count();
        assertTrue(stillThere < dead.size(), "refresh lookups found dead contacts: " + stillThere + " left");
        assertTrue(n.dht().routingTable().size() >= 20);
    }
}
