package org.p2pdns.node.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.transport.MessageTransport;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.StoreMessage;
import org.p2pdns.node.wire.StoreResultMessage;
import org.p2pdns.node.wire.WireException;

/**
 * Adversarial (d): STORE floods against one honest node holding real signed records. One peer flooding at 200/s hits
 * its rate limit and its per-peer quota; many ids in one /24 hit the per-prefix quota; many prefixes hit the store's
 * cap; 10,000 fresh ids do not grow the rate-limit table without bound. Honest peers still store throughout.
 */
class AdversarialStoreFloodTest {

    private static final NetworkParams PARAMS = NetworkParams.TEST;
    private static final int PER_PEER = 100;
    private static final int PER_PREFIX = 200;
    private static final int RATE = 10;
    private static final int MAX_VALUES = 1000;

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final Map<Long, StoreOutcome> outcomes = new HashMap<>();
    private final Map<Long, byte[]> tokens = new HashMap<>();
    private final Random random = new Random(99);
    private final OwnerKey owner = OwnerKey.fromSeed(TestRecords.SEED_B);
    private final InMemoryValueStore store = new InMemoryValueStore();
    private MessageHandler handler;
    private DhtNode node;
    private long nextId = 1;
    private int names;

    private final MessageTransport transport = new MessageTransport() {
        private final Contact self = contact(new InetSocketAddress("10.0.0.1", 4000));

        @Override
        public Contact self() {
            return self;
        }

        @Override
        public void send(Contact to, byte[] message) {
            DhtMessage m;
            try {
                m = DhtCodec.decode(message);
            } catch (WireException e) {
                throw new AssertionError(e);
            }
            if (m instanceof StoreResultMessage r) {
                outcomes.put(r.requestId(), r.outcome());
            } else if (m instanceof NodesMessage n) {
                tokens.put(n.requestId(), n.token());
            }
        }

        @Override
        public void sendToAddress(InetSocketAddress to, byte[] message) {
            throw new AssertionError("the node under attack starts no bootstrap here");
        }

        @Override
        public void setHandler(MessageHandler h) {
            handler = h;
        }
    };

    private Contact contact(InetSocketAddress a) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return Contact.of(key, a);
    }

    private void start() {
        DhtConfig cfg = DhtConfig.defaults(PARAMS).withStoreLimits(PER_PEER, PER_PREFIX, RATE, MAX_VALUES);
        node = new DhtNode(cfg, transport.self(), transport, scheduler, new Random(5), new RecordPolicy(PARAMS),
                store);
        node.start(List.of());
        scheduler.runFor(Duration.ofSeconds(1));
    }

    private byte[] token(Contact peer) {
        long id = nextId++;
        handler.onMessage(peer, DhtCodec.encode(new FindNodeMessage(id, peer.id())));
        return tokens.get(id);
    }

    /** A valid record for a fresh name, issued now. */
    private SignedRecord record() {
        String name = "flood" + names++ + ".p2p";
        long now = scheduler.nowMillis() / 1000;
        return SignedRecord.sign(name, owner, 1, now, now + 3600, 60, 0, TestRecords.aRecord(name, 1));
    }

    private StoreOutcome store(Contact peer, byte[] token) {
        SignedRecord r = record();
        long id = nextId++;
        handler.onMessage(peer, DhtCodec.encode(new StoreMessage(id, r.dhtKey(), token, r.encoded())));
        return outcomes.get(id);
    }

    private static InetSocketAddress at(String ip) {
        return new InetSocketAddress(ip, 4000);
    }

    @Test
    void onePeerFloodingHitsItsRateLimitAndQuota() {
        start();
        Contact attacker = contact(at("10.66.0.1"));
        byte[] token = token(attacker);
        Map<StoreOutcome, Integer> seen = new EnumMap<>(StoreOutcome.class);
        for (int i = 0; i < 2000; i++) {      // 200 STOREs a second for 10 s
            seen.merge(store(attacker, token), 1, Integer::sum);
            scheduler.runFor(Duration.ofMillis(5));
        }
        // burst 4x10 + 10/s for 10 s = at most 140 admitted by rate, of which at most 100 fit the quota
        assertEquals(PER_PEER, seen.getOrDefault(StoreOutcome.STORED, 0), seen.toString());
        assertTrue(seen.getOrDefault(StoreOutcome.RATE_LIMITED, 0) >= 1850, seen.toString());
        assertTrue(seen.getOrDefault(StoreOutcome.QUOTA_EXCEEDED, 0) >= 1, seen.toString());
        assertEquals(PER_PEER, store.size());

        Contact honest = contact(at("192.0.2.7"));
        assertEquals(StoreOutcome.STORED, store(honest, token(honest)), "an honest peer is shut out");
    }

    @Test
    void manyIdsInOnePrefixShareOneQuotaAndManyPrefixesHitTheCap() {
        start();
        Map<StoreOutcome, Integer> seen = new EnumMap<>(StoreOutcome.class);
        for (int i = 0; i < 300; i++) {       // 300 Sybil ids in 10.66.1.0/24, 5 values each, slowly
            Contact sybil = contact(at("10.66.1." + (1 + i % 250)));
            byte[] t = token(sybil);
            for (int j = 0; j < 5; j++) {
                seen.merge(store(sybil, t), 1, Integer::sum);
            }
            scheduler.runFor(Duration.ofSeconds(1));
        }
        assertEquals(PER_PREFIX, seen.getOrDefault(StoreOutcome.STORED, 0), seen.toString());
        assertEquals(PER_PREFIX, store.size());

        Map<StoreOutcome, Integer> wide = new EnumMap<>(StoreOutcome.class);
        for (int p = 0; p < 60; p++) {        // 60 prefixes x 20 values = 1,200 > the 1,000 cap
            Contact c = contact(at("10.67." + p + ".1"));
            byte[] t = token(c);
            for (int j = 0; j < 20; j++) {
                wide.merge(store(c, t), 1, Integer::sum);
            }
            scheduler.runFor(Duration.ofSeconds(5));
        }
        assertEquals(MAX_VALUES, store.size(), wide.toString());
        assertTrue(wide.getOrDefault(StoreOutcome.STORE_FAILED, 0) >= 200, wide.toString());
    }

    @Test
    void tenThousandFreshIdsDoNotGrowStateWithoutBound() {
        start();
        List<Contact> ids = new ArrayList<>();
        Map<StoreOutcome, Integer> seen = new EnumMap<>(StoreOutcome.class);
        for (int i = 0; i < 10_000; i++) {
            Contact c = contact(at("10." + (70 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256)));
            ids.add(c);
            seen.merge(store(c, token(c)), 1, Integer::sum);
            if (i % 100 == 0) {
                scheduler.runFor(Duration.ofMillis(50));
            }
        }
        assertTrue(store.size() <= MAX_VALUES, "store grew to " + store.size());
        assertEquals(MAX_VALUES, store.size(), seen.toString());
        scheduler.runFor(Duration.ofSeconds(10));
        // the node still answers and still judges: an honest update of a held record goes through
        Contact honest = contact(at("192.0.2.8"));
        long id = nextId++;
        handler.onMessage(honest, DhtCodec.encode(new FindNodeMessage(id, honest.id())));
        assertTrue(tokens.containsKey(id), "the node stopped answering");
        assertEquals(StoreOutcome.STORE_FAILED, store(honest, tokens.get(id)), "a full store must refuse new keys");
    }
}
