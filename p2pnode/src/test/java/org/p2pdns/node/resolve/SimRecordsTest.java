package org.p2pdns.node.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.ProofOfWork;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.sim.SimNode;

/** The record layer on the deterministic simulator (virtual time, fixed seeds). */
class SimRecordsTest {

    RecordWorld world;

    @AfterEach
    void tearDown() {
        if (world != null) {
            world.close();
        }
    }

    Resolution resolve(int node, String name) {
        return world.await(world.resolvers.get(node).resolve(name));
    }

    PublishResult publish(int node, String name, int lastByte, OwnerKey key) {
        return world.await(world.publishers.get(node).publish(name, TestRecords.aRecord(name, lastByte),
                Duration.ofMinutes(1), key));
    }

    @Test
    void aNamePublishedAtOneNodeResolvesAtAHundredOthers() {
        world = new RecordWorld(11, 101, NetworkParams.TEST);
        OwnerKey a = TestRecords.keyA();
        PublishResult p = world.await(world.publishers.get(0).publish("example.p2p",
                TestRecords.sampleSet("example.p2p"), Duration.ofMinutes(5), a));
        assertTrue(p.acks() >= 18 && p.refused().isEmpty(), p.toString());
        String self = a.selfCertifyingLabel() + ".p2p";
        assertTrue(publish(0, self, 7, a).ok());
        int found = 0;
        for (int i = 1; i <= 100; i++) {
            Resolution r = resolve(i, "www.example.p2p");
            Resolution s = resolve(i, self);
            if (r.status() == ResolveStatus.FOUND && r.records().equals(p.record().records())
                    && s.status() == ResolveStatus.FOUND && s.sequence() > 0) {
                found++;
            }
        }
        assertEquals(100, found, "resolved at every one of the 100 other nodes");
        assertEquals(ResolveStatus.NOT_FOUND, resolve(5, "nobody.p2p").status());
    }

    @Test
    void forgedRecordsAreRefusedByStoringNodesAndResolvers() {
        NetworkParams params = NetworkParams.TEST.withDifficulty(0, 6);
        world = new RecordWorld(12, 60, params);
        OwnerKey a = TestRecords.keyA();
        OwnerKey b = TestRecords.keyB();
        SignedRecord legit = publish(0, "example.p2p", 1, a).record();
        long s = legit.sequence();
        long now = world.net.scheduler().nowMillis() / 1000;
        long nonceA = legit.powNonce();
        long nonceB = ProofOfWork.solve("example.p2p", b.publicKey(), 6, ProofOfWork.Progress.NONE);
        NodeId key = legit.dhtKey();

        byte[] forged = sign(a, s + 1, now, now + 3600, nonceA).encoded();
        forged[forged.length - 5] ^= 1;
        assertRefused(forged, StoreOutcome.BAD_SIGNATURE, key);
        assertRefused(sign(b, s + 1, now, now + 3600, nonceB).encoded(), StoreOutcome.WRONG_OWNER, key);
        assertRefused(sign(a, s - 1, now, now + 3600, nonceA).encoded(), StoreOutcome.OLD_SEQUENCE, key);
        assertRefused(sign(a, s + 1, now - 7200, now - 3600, nonceA).encoded(), StoreOutcome.EXPIRED, key);
        assertRefused(sign(a, s + 1, now, now + 3600, RecordPolicyTestSupport.badNonce("example.p2p", a, 6))
                .encoded(), StoreOutcome.BAD_PROOF_OF_WORK, key);
        // oversized values never leave the sender: the DHT refuses them before any STORE
        CompletionException tooBig = assertThrows(CompletionException.class,
                () -> world.node(5).dht().put(key, new byte[1001]).join());
        assertTrue(tooBig.getCause() instanceof IllegalArgumentException);
        assertEquals(StoreOutcome.TOO_LARGE, world.policy.validate(key, new byte[1001], null, now * 1000));

        for (int i = 20; i < 40; i++) {
            Resolution r = resolve(i, "example.p2p");
            assertEquals(ResolveStatus.FOUND, r.status());
            assertEquals(s, r.sequence(), "node " + i + " got the owner's record");
        }

        // malicious storing nodes serve forgeries: resolvers drop them
        SignedRecord other = publish(1, "mixed.p2p", 2, b).record();
        List<SimNode> closest = world.net.trueClosest(other.dhtKey(), 20);
        byte[] fake = SignedRecord.sign("mixed.p2p", b, other.sequence() + 5, now, now + 3600, 60, 0,
                TestRecords.aRecord("mixed.p2p", 66)).encoded();
        fake[fake.length - 1] ^= 1;
        for (SimNode n : closest.subList(0, 10)) {
            n.store().put(new ValueStore.Entry(other.dhtKey(), fake, (now + 3600) * 1000, now * 1000, null));
        }
        List<Integer> honest = new ArrayList<>();
        for (int i = 0; i < 60 && honest.size() < 10; i++) {
            if (!closest.subList(0, 10).contains(world.node(i))) {
                honest.add(i); // a node's own store is trusted by its DHT: resolve where the forgeries are not
            }
        }
        for (int i : honest) {
            Resolution r = resolve(i, "mixed.p2p");
            assertEquals(ResolveStatus.FOUND, r.status(), r.detail());
            assertEquals(other.sequence(), r.sequence());
        }
        NodeId victim = OverlayName.dhtKey("victim.p2p");
        byte[] onlyForged = SignedRecord.sign("victim.p2p", a, 1, now, now + 3600, 60, 0,
                TestRecords.aRecord("victim.p2p", 1)).encoded();
        onlyForged[onlyForged.length - 1] ^= 1;
        for (SimNode n : world.net.trueClosest(victim, 20)) {
            n.store().put(new ValueStore.Entry(victim, onlyForged, (now + 3600) * 1000, now * 1000, null));
        }
        Resolution r = resolve(55, "victim.p2p");
        assertEquals(ResolveStatus.INVALID, r.status(), r.detail());
    }

    private SignedRecord sign(OwnerKey k, long seq, long issued, long expires, long nonce) {
        return SignedRecord.sign("example.p2p", k, seq, issued, expires, 60, nonce,
                TestRecords.aRecord("example.p2p", (int) (seq % 250)));
    }

    private void assertRefused(byte[] value, StoreOutcome expected, NodeId key) {
        PutResult r = world.await(world.node(5).dht().put(key, value));
        assertEquals(0, r.acks(), expected + ": " + r.outcomes());
        Integer count = r.outcomes().get(expected);
        assertTrue(count != null && count >= 15, expected + " expected from the storing nodes, got " + r.outcomes());
    }

    @Test
    void anUpdateReachesEveryResolverWithinOneRepublishPeriod() {
        world = new RecordWorld(13, 101, NetworkParams.TEST);
        OwnerKey a = TestRecords.keyA();
        world.publishers.get(0).start();
        SignedRecord v1 = publish(0, "example.p2p", 1, a).record();
        for (int i = 1; i <= 100; i++) {
            assertEquals(v1.sequence(), resolve(i, "example.p2p").sequence());
        }
        // five of the closest replicas miss the update
        List<SimNode> missed = new ArrayList<>();
        for (SimNode n : world.net.trueClosest(v1.dhtKey(), 20)) {
            if (n.index() != 0 && missed.size() < 5) {
                missed.add(n);
                world.net.kill(n);
            }
        }
        SignedRecord v2 = publish(0, "example.p2p", 2, a).record();
        missed.forEach(world.net::revive);
        world.run(world.params.republishInterval());
        int updated = 0;
        for (int i = 1; i <= 100; i++) {
            Resolution r = resolve(i, "example.p2p");
            if (r.status() == ResolveStatus.FOUND && r.sequence() == v2.sequence()) {
                updated++;
            } else {
                ValueStore.Entry e = world.node(i).store().get(v1.dhtKey());
            }
        }
        assertEquals(100, updated, "every resolver sees the update within one republish period");
    }

    @Test
    void thirtyPercentOfNodesKilledThousandNames() {
        world = new RecordWorld(14, 200, NetworkParams.TEST);
        int publishers = 10;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String name = "name-" + i + ".p2p";
            names.add(name);
            OwnerKey k = OwnerKey.fromSeed(seed(i % publishers));
            PublishResult p = publish(i % publishers, name, i % 250, k);
            assertTrue(p.acks() > 0, name + ": " + p);
        }
        List<SimNode> candidates = new ArrayList<>(world.net.nodes().subList(publishers, 200));
        Collections.shuffle(candidates, world.net.random());
        candidates.subList(0, 60).forEach(world.net::kill);
        List<Integer> live = new ArrayList<>();
        world.net.aliveNodes().forEach(n -> live.add(n.index()));

        int found = resolveAll(names, live);
        assertTrue(found >= 990, "after killing 30% without republish, " + found + " of 1000 names resolve");

        for (int p = 0; p < publishers; p++) {
            world.await(world.publishers.get(p).republishAll());
        }
        world.resolvers.forEach(RecordResolver::clearCache);
        assertEquals(1000, resolveAll(names, live), "after the next republish every name resolves");
    }

    private int resolveAll(List<String> names, List<Integer> live) {
        int found = 0;
        for (int i = 0; i < names.size(); i++) {
            int node = live.get(world.net.random().nextInt(live.size()));
            Resolution r = resolve(node, names.get(i));
            if (r.status() == ResolveStatus.FOUND) {
                found++;
            }
        }
        return found;
    }

    private static byte[] seed(int i) {
        byte[] s = new byte[32];
        s[0] = (byte) i;
        s[31] = 7;
        return s;
    }

    @Test
    void afterAPartitionHealsBothSidesResolveTheNewestRecord() {
        world = new RecordWorld(15, 100, NetworkParams.TEST);
        OwnerKey a = TestRecords.keyA();
        world.publishers.get(0).start();
        SignedRecord v1 = publish(0, "example.p2p", 1, a).record();
        List<SimNode> sideA = world.net.nodes().subList(0, 50);
        List<SimNode> sideB = world.net.nodes().subList(50, 100);
        for (int i = 0; i < 100; i += 10) {
            assertEquals(v1.sequence(), resolve(i, "example.p2p").sequence());
        }
        world.net.partition(sideA, sideB);
        SignedRecord v2 = publish(0, "example.p2p", 2, a).record();
        world.run(Duration.ofMinutes(10));
        world.net.heal();
        world.run(world.params.republishInterval());
        // the owner's republish reached the k closest on both sides of the healed partition
        for (SimNode n : world.net.trueClosest(v1.dhtKey(), 20)) {
            ValueStore.Entry e = n.store().get(v1.dhtKey());
            assertTrue(e != null && java.util.Arrays.equals(e.value(), v2.encoded()),
                    "replica " + n.index() + " holds the newest record");
        }
        Map<String, Integer> bySide = new java.util.TreeMap<>();
        for (int i = 0; i < 100; i++) {
            world.resolvers.get(i).clearCache();
            Resolution r = resolve(i, "example.p2p");
            if (r.status() == ResolveStatus.FOUND && r.sequence() == v2.sequence()) {
                bySide.merge(i < 50 ? "A" : "B", 1, Integer::sum);
            }
        }
        // copies of the old record left during the partition on B-side nodes outside the k closest are replaced by
        // those nodes' own replication lookups (which find the newer record), so they no longer answer first
        assertEquals(Map.of("A", 50, "B", 50), bySide);
    }

    @Test
    void sameSeedSameTrace() {
        assertEquals(trace(21), trace(21));
    }

    /** A small scenario's fingerprint: tasks run, virtual time, and what every node resolved. */
    private List<Long> trace(long seed) {
        RecordWorld w = new RecordWorld(seed, 30, NetworkParams.TEST);
        try {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String name = "t" + i + ".p2p";
                w.await(w.publishers.get(i).publish(name, TestRecords.aRecord(name, i), Duration.ofMinutes(1),
                        OwnerKey.fromSeed(seed(i))));
            }
            for (int n = 0; n < 30; n++) {
                Resolution r = w.await(w.resolvers.get(n).resolve("t" + (n % 3) + ".p2p"));
                out.add(r.sequence());
            }
            out.add(w.net.scheduler().executedTasks());
            out.add(w.net.scheduler().nowMillis());
            return out;
        } finally {
            w.close();
        }
    }
}
