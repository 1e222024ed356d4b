package org.p2pdns.node.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.time.VirtualScheduler;

class RecordResolverTest {

    @TempDir
    Path dir;
    final VirtualScheduler scheduler = new VirtualScheduler();
    final NetworkParams params = NetworkParams.TEST;
    final RecordPolicy policy = new RecordPolicy(params);
    NodeStore store;
    ScriptedDht dht;
    RecordResolver resolver;
    long t0;

    @BeforeEach
    void setUp() {
        store = NodeStore.open(dir);
        dht = new ScriptedDht(policy, scheduler);
        resolver = new RecordResolver(dht, policy, store, store.values(), scheduler,
                new RecordResolver.Config(Duration.ofSeconds(5), Duration.ofMillis(100)));
        t0 = scheduler.nowMillis() / 1000;
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    SignedRecord rec(OwnerKey k, long seq, long ttl) {
        return SignedRecord.sign("example.p2p", k, seq, t0, t0 + 3600, ttl, 0,
                TestRecords.aRecord("example.p2p", (int) seq));
    }

    CompletableFuture<Resolution> start(String name) {
        CompletableFuture<Resolution> f = resolver.resolve(name);
        scheduler.runFor(Duration.ZERO);
        return f;
    }

    @Test
    void answersWithTheFirstValidRecordBeforeTheLookupEnds() throws Exception {
        CompletableFuture<Resolution> f = start("www.Example.p2p");
        assertFalse(f.isDone());
        dht.lastGet().deliver(rec(TestRecords.keyA(), 3, 300).encoded());
        assertTrue(f.isDone(), "must not wait for the lookup to end");
        Resolution r = f.get();
        assertEquals(ResolveStatus.FOUND, r.status());
        assertEquals("example.p2p.", r.name());
        assertEquals(3, r.sequence());
        assertEquals(300, r.ttlSeconds());
        assertEquals(1, r.records().size());
        assertEquals(3, store.highestSequence("example.p2p"));
        // a second resolution within the TTL comes from the cache, no lookup
        int gets = dht.gets.size();
        scheduler.runFor(Duration.ofSeconds(100));
        Resolution cached = start("example.p2p").get();
        assertEquals(ResolveStatus.FOUND, cached.status());
        assertEquals(200, cached.ttlSeconds());
        assertEquals(gets, dht.gets.size());
    }

    @Test
    void ttlIsCappedByExpiry() throws Exception {
        scheduler.runFor(Duration.ofSeconds(3600 - 100));
        CompletableFuture<Resolution> f = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyA(), 1, 300).encoded());
        assertEquals(100, f.get().ttlSeconds());
    }

    @Test
    void waitsPastAnOlderRecordForANewerOne() throws Exception {
        store.raiseHighestSequence("example.p2p", 5);
        store.rememberOwner("example.p2p", TestRecords.keyA().publicKey());
        CompletableFuture<Resolution> f = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyA(), 4, 60).encoded());
        assertFalse(f.isDone(), "an older record than seen before must not be the answer");
        dht.lastGet().deliver(rec(TestRecords.keyA(), 5, 60).encoded());
        assertEquals(5, f.get().sequence());

        resolver.clearCache();
        CompletableFuture<Resolution> g = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyA(), 2, 60).encoded());
        dht.lastGet().end(GetResult.Status.FOUND);
        Resolution r = g.get();
        assertEquals(ResolveStatus.INVALID, r.status());
        assertTrue(r.detail().contains("older than the highest sequence"), r.detail());
    }

    @Test
    void refusesASilentOwnerChange() throws Exception {
        CompletableFuture<Resolution> f = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyA(), 1, 60).encoded());
        assertEquals(ResolveStatus.FOUND, f.get().status());
        resolver.clearCache();

        // another key's record first, then the remembered owner's: the owner's record is the answer
        CompletableFuture<Resolution> other = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyB(), 9, 60).encoded());
        assertFalse(other.isDone(), "one node's answer must not hide the remembered owner's record");
        dht.lastGet().deliver(rec(TestRecords.keyA(), 2, 60).encoded());
        assertEquals(2, other.get().sequence());
        resolver.clearCache();

        CompletableFuture<Resolution> g = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyB(), 9, 60).encoded());
        dht.lastGet().end(GetResult.Status.FOUND);
        Resolution r = g.get();
        assertEquals(ResolveStatus.OWNER_CHANGED, r.status());
        assertTrue(r.detail().contains("p2p --accept-owner example.p2p"), r.detail());
        assertTrue(r.detail().contains(TestRecords.keyB().selfCertifyingLabel()), r.detail());

        resolver.acceptNewOwner("www.example.p2p");
        CompletableFuture<Resolution> h = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyB(), 3, 60).encoded());
        Resolution accepted = h.get();
        assertEquals(ResolveStatus.FOUND, accepted.status());
        assertEquals(3, accepted.sequence());
    }

    @Test
    void ignoresInvalidValuesFromTheDht() throws Exception {
        CompletableFuture<Resolution> f = start("example.p2p");
        byte[] forged = rec(TestRecords.keyA(), 1, 60).encoded();
        forged[forged.length - 1] ^= 1;
        dht.lastGet().deliver(forged);
        dht.lastGet().deliver(new byte[] {1, 2, 3});
        assertFalse(f.isDone());
        dht.lastGet().end(GetResult.Status.ALL_INVALID);
        assertEquals(ResolveStatus.INVALID, f.get().status());
    }

    @Test
    void mapsLookupStatuses() throws Exception {
        for (GetResult.Status s : new GetResult.Status[] {GetResult.Status.NOT_FOUND, GetResult.Status.TIMEOUT,
                GetResult.Status.NO_PEERS, GetResult.Status.ALL_INVALID}) {
            CompletableFuture<Resolution> f = start("example.p2p");
            dht.lastGet().end(s);
            Resolution r = f.get();
            ResolveStatus expected = switch (s) {
                case NOT_FOUND -> ResolveStatus.NOT_FOUND;
                case TIMEOUT -> ResolveStatus.TIMEOUT;
                case NO_PEERS -> ResolveStatus.NO_PEERS;
                default -> ResolveStatus.INVALID;
            };
            assertEquals(expected, r.status(), s.name());
            assertFalse(r.detail().isEmpty());
        }
        assertEquals(ResolveStatus.BAD_NAME, start("example.com").get().status());
        assertEquals(ResolveStatus.BAD_NAME, start("a..p2p").get().status());
    }

    @Test
    void ownTimeLimitAndStaleAnswers() throws Exception {
        CompletableFuture<Resolution> f = start("example.p2p");
        scheduler.runFor(Duration.ofSeconds(5));
        assertEquals(ResolveStatus.TIMEOUT, f.get().status(), "the DHT never answered");

        CompletableFuture<Resolution> g = start("example.p2p");
        dht.lastGet().deliver(rec(TestRecords.keyA(), 1, 60).encoded());
        assertEquals(ResolveStatus.FOUND, g.get().status());
        scheduler.runFor(Duration.ofSeconds(120)); // past the TTL: the next resolution asks the DHT
        CompletableFuture<Resolution> h = start("example.p2p");
        assertFalse(h.isDone());
        dht.lastGet().end(GetResult.Status.NO_PEERS);
        Resolution stale = h.get();
        assertEquals(ResolveStatus.FOUND, stale.status());
        assertTrue(stale.stale());
        assertEquals(RecordResolver.STALE_TTL_SECONDS, stale.ttlSeconds());
    }

    @Test
    void ownReplicaWaitsAGraceForANewerRecord() throws Exception {
        SignedRecord v1 = rec(TestRecords.keyA(), 1, 60);
        SignedRecord v2 = rec(TestRecords.keyA(), 2, 60);
        store.values().put(new ValueStore.Entry(v1.dhtKey(), v1.encoded(), v1.expiresAtMillis(), 0, null));

        CompletableFuture<Resolution> f = start("example.p2p");
        dht.lastGet().deliver(v1.encoded());
        assertFalse(f.isDone(), "our own replica may be stale: wait for the network a little");
        scheduler.runFor(Duration.ofMillis(50));
        dht.lastGet().deliver(v2.encoded());
        assertEquals(2, f.get().sequence());

        resolver.clearCache();
        CompletableFuture<Resolution> g = start("example.p2p");
        dht.lastGet().deliver(v2.encoded()); // not our replica (we hold v1): answered at once
        assertTrue(g.isDone());

        resolver.acceptNewOwner("example.p2p");
        CompletableFuture<Resolution> h = start("example.p2p");
        dht.lastGet().deliver(v1.encoded());
        scheduler.runFor(Duration.ofMillis(99));
        assertFalse(h.isDone());
        scheduler.runFor(Duration.ofMillis(1));
        assertEquals(1, h.get().sequence(), "nothing newer within the grace: our replica is the answer");

        resolver.acceptNewOwner("example.p2p");
        CompletableFuture<Resolution> i = start("example.p2p");
        dht.lastGet().deliver(v1.encoded());
        dht.lastGet().end(GetResult.Status.FOUND);
        assertTrue(i.isDone(), "the lookup ended: no reason to wait longer");
        assertEquals(1, i.get().sequence());

        dht.amongClosest = true;
        resolver.acceptNewOwner("example.p2p");
        CompletableFuture<Resolution> j = start("example.p2p");
        dht.lastGet().deliver(v1.encoded());
        assertTrue(j.isDone(), "a replica among the k closest gets the owner's republish: answer at once");
    }
}
