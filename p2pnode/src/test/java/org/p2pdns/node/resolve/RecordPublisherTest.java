package org.p2pdns.node.resolve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.record.InvalidNameException;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.ProofOfWork;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.RecordTooLargeException;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.time.VirtualScheduler;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

class RecordPublisherTest {

    @TempDir
    Path dir;
    final VirtualScheduler scheduler = new VirtualScheduler();
    final NetworkParams params = NetworkParams.TEST.withDifficulty(0, 10);
    final RecordPolicy policy = new RecordPolicy(params);
    final AtomicInteger powRuns = new AtomicInteger();
    final Executor pow = r -> {
        powRuns.incrementAndGet();
        r.run();
    };
    NodeStore store;
    ScriptedDht dht;
    RecordPublisher publisher;
    final OwnerKey a = TestRecords.keyA();

    @BeforeEach
    void setUp() {
        store = NodeStore.open(dir);
        dht = new ScriptedDht(policy, scheduler);
        publisher = new RecordPublisher(dht, store, params, scheduler, pow, Duration.ofHours(6), k -> Optional.empty());
    }

    @AfterEach
    void tearDown() {
        publisher.close();
        store.close();
    }

    <T> T run(CompletableFuture<T> f) throws Exception {
        scheduler.runFor(Duration.ZERO);
        assertTrue(f.isDone());
        return f.get();
    }

    @Test
    void publishSignsPersistsAndStores() throws Exception {
        PublishResult r = run(publisher.publish("Example.p2p.", TestRecords.sampleSet("example.p2p"),
                Duration.ofMinutes(5), a));
        assertTrue(r.ok(), r.toString());
        assertEquals(3, r.acks());
        SignedRecord rec = r.record();
        assertEquals("example.p2p", rec.name());
        assertEquals(300, rec.ttl());
        assertEquals(6 * 3600, rec.expiresAt() - rec.issuedAt());
        assertTrue(ProofOfWork.verify("example.p2p", a.publicKey(), rec.powNonce(), 10));
        assertEquals(StoreOutcome.STORED, policy.validate(rec.dhtKey(), rec.encoded(), null, scheduler.nowMillis()));
        assertArrayEquals(rec.encoded(), store.owned("example.p2p").orElseThrow());
        assertEquals(rec.sequence(), store.highestSequence("example.p2p"));
        assertEquals(1, powRuns.get());

        // an update: higher sequence, same proof of work (not recomputed)
        PublishResult u = run(publisher.publish("example.p2p", TestRecords.aRecord("example.p2p", 9),
                Duration.ofMinutes(1), a));
        assertTrue(u.ok(), u.toString());
        assertTrue(u.record().sequence() > rec.sequence());
        assertEquals(rec.powNonce(), u.record().powNonce());
        assertEquals(1, powRuns.get(), "proof of work reused");
    }

    @Test
    void refusalsAreReported() throws Exception {
        run(publisher.publish("example.p2p", TestRecords.aRecord("example.p2p", 1), Duration.ofMinutes(1), a));
        PublishResult other = run(publisher.publish("example.p2p", TestRecords.aRecord("example.p2p", 2),
                Duration.ofMinutes(1), TestRecords.keyB()));
        assertFalse(other.ok());
        assertEquals(0, other.acks());
        assertEquals(3, other.refused().get(StoreOutcome.WRONG_OWNER));
    }

    @Test
    void badInputFailsClearly() {
        assertCause(InvalidNameException.class, "belongs in its record set",
                publisher.publish("www.example.p2p", TestRecords.aRecord("example.p2p", 1), Duration.ofMinutes(1), a));
        assertCause(InvalidNameException.class, "not under the overlay TLD",
                publisher.publish("example.com", List.of(), Duration.ofMinutes(1), a));
        String selfB = TestRecords.keyB().selfCertifyingLabel() + ".p2p";
        assertCause(IllegalArgumentException.class, "only the key it names",
                publisher.publish(selfB, TestRecords.aRecord(selfB, 1), Duration.ofMinutes(1), a));
        List<Record> big = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            big.add(new TXTRecord(TestRecords.name("example.p2p"), DClass.IN, 60, "y".repeat(100) + i));
        }
        RecordTooLargeException tooLarge = assertCause(RecordTooLargeException.class, "bytes over the limit of 1000",
                publisher.publish("example.p2p", big, Duration.ofMinutes(1), a));
        assertTrue(tooLarge.size() > 1000);
        assertEquals(0, powRuns.get(), "no proof of work for a record that cannot be published");
        assertTrue(dht.puts.isEmpty());
    }

    @Test
    void republishesAndRenewsBeforeExpiry() throws Exception {
        publisher.start();
        SignedRecord first = run(publisher.publish("example.p2p", TestRecords.aRecord("example.p2p", 1),
                Duration.ofMinutes(1), a)).record();
        assertEquals(1, dht.puts.size());
        scheduler.runFor(params.republishInterval());
        assertEquals(2, dht.puts.size());
        assertArrayEquals(first.encoded(), dht.puts.get(1), "same signed record while young");
        scheduler.runFor(params.republishInterval().multipliedBy(2)); // 3 h of 6 h: half the lifetime left
        SignedRecord renewed = decode(dht.puts.get(dht.puts.size() - 1));
        assertTrue(renewed.sequence() > first.sequence(), "re-signed once half its lifetime has passed");
        assertTrue(renewed.expiresAt() > first.expiresAt());
        assertEquals(first.records(), renewed.records());
        assertEquals(first.powNonce(), renewed.powNonce());
        // a whole day later it is still alive and valid
        scheduler.runFor(Duration.ofHours(24));
        SignedRecord last = decode(dht.puts.get(dht.puts.size() - 1));
        assertEquals(StoreOutcome.STORED, policy.validate(last.dhtKey(), last.encoded(), null, scheduler.nowMillis()));

        assertTrue(publisher.lapse("example.p2p"));
        int puts = dht.puts.size();
        scheduler.runFor(params.republishInterval().multipliedBy(3));
        assertEquals(puts, dht.puts.size(), "a lapsed name is no longer republished");
        assertTrue(publisher.ownedNames().isEmpty());
    }

    @Test
    void aRestartedNodeRenewsWithTheKeyFromItsKeyring() throws Exception {
        SignedRecord first = run(publisher.publish("example.p2p", TestRecords.aRecord("example.p2p", 1),
                Duration.ofMinutes(1), a)).record();
        publisher.close();
        RecordPublisher restarted = new RecordPublisher(dht, store, params, scheduler, pow, Duration.ofHours(6),
                pub -> java.util.Arrays.equals(pub, a.publicKey()) ? Optional.of(a) : Optional.empty());
        restarted.start();
        scheduler.runFor(Duration.ofHours(4));
        SignedRecord renewed = decode(dht.puts.get(dht.puts.size() - 1));
        assertTrue(renewed.sequence() > first.sequence());
        restarted.close();
    }

    static SignedRecord decode(byte[] b) throws Exception {
        return RecordCodec.decode(b);
    }

    static <X extends Throwable> X assertCause(Class<X> type, String text, CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        X cause = assertInstanceOf(type, e.getCause());
        assertTrue(cause.getMessage().contains(text), cause.getMessage());
        return cause;
    }
}
