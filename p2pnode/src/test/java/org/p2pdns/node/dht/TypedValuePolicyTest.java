package org.p2pdns.node.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.nat.NatMapping;
import org.p2pdns.node.nat.ReachabilityInfo;
import org.p2pdns.node.reach.ReachPolicy;
import org.p2pdns.node.reach.ReachRecord;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.StoreMessage;
import org.p2pdns.node.wire.StoreResultMessage;

/** One DHT validating both kinds of value: STOREs of domain records and reachability records, each under its key. */
class TypedValuePolicyTest {

    static final long T0 = 1767225600L;
    final Random random = new Random(21);
    final VirtualScheduler scheduler = new VirtualScheduler((T0 + 60) * 1000);
    final RecordPolicy records = new RecordPolicy(NetworkParams.TEST.withDifficulty(0, 8));
    final TypedValuePolicy policy = ReachPolicy.alongside(records);
    RecordingTransport transport;
    DhtNode node;

    Contact contact(String ip) throws Exception {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return Contact.of(key, new InetSocketAddress(InetAddress.getByName(ip), 4000));
    }

    StoreOutcome store(Contact from, NodeId key, byte[] value) {
        transport.receive(from, new FindNodeMessage(1, NodeId.random(random)));
        scheduler.runFor(Duration.ofMillis(1));
        byte[] token = null;
        for (RecordingTransport.Sent s : transport.sent) {
            if (from.equals(s.to()) && s.message() instanceof NodesMessage n) {
                token = n.token();
            }
        }
        long id = random.nextLong();
        transport.receive(from, new StoreMessage(id, key, token, value));
        scheduler.runFor(Duration.ofMillis(1));
        for (RecordingTransport.Sent s : transport.sent) {
            if (s.message() instanceof StoreResultMessage r && r.requestId() == id) {
                return r.outcome();
            }
        }
        throw new AssertionError("no STORE_RESULT");
    }

    @Test
    void bothKindsValidatedUnderTheirOwnKeysOnly() throws Exception {
        Contact self = contact("192.0.2.1");
        transport = new RecordingTransport(self);
        node = new DhtNode(DhtConfig.defaults(NetworkParams.TEST), self, transport, scheduler, random, policy,
                new InMemoryValueStore());
        node.start(List.of());
        scheduler.runFor(Duration.ofMillis(1));
        Contact peer = contact("192.0.2.2");

        SignedRecord record = TestRecords.vector1();
        ReachRecord reach = ReachRecord.sign(TestRecords.SEED_A, 1, T0, T0 + 300, new ReachabilityInfo(
                NatMapping.ENDPOINT_DEPENDENT, new InetSocketAddress("203.0.113.9", 4000),
                List.of(new InetSocketAddress("198.51.100.20", 7460))));
        // each under the other's key: refused by the kind's own key binding
        assertEquals(StoreOutcome.KEY_MISMATCH, store(peer, record.dhtKey(), reach.encoded()));
        assertEquals(StoreOutcome.KEY_MISMATCH, store(peer, reach.dhtKey(), record.encoded()));
        // each under its own key: stored
        assertEquals(StoreOutcome.STORED, store(peer, record.dhtKey(), record.encoded()));
        assertEquals(StoreOutcome.STORED, store(peer, reach.dhtKey(), reach.encoded()));
        // the held reachability record is not replaced by an older one; a value of no known kind is malformed
        ReachRecord older = ReachRecord.sign(TestRecords.SEED_A, 0, T0, T0 + 300, reach.info());
        assertEquals(StoreOutcome.OLD_SEQUENCE, store(peer, reach.dhtKey(), older.encoded()));
        byte[] forged = reach.encoded();
        forged[forged.length - 2] ^= 4;
        ReachRecord newer = ReachRecord.sign(TestRecords.SEED_A, 2, T0, T0 + 300, reach.info());
        byte[] forgedNewer = newer.encoded();
        forgedNewer[forgedNewer.length - 2] ^= 4;
        assertEquals(StoreOutcome.BAD_SIGNATURE, store(peer, reach.dhtKey(), forgedNewer));
        assertEquals(StoreOutcome.MALFORMED, store(peer, reach.dhtKey(), new byte[]{0x07, 1, 2}));

        assertEquals(1L, policy.verdicts(ReachRecord.TYPE).get(StoreOutcome.STORED));
        assertEquals(1L, policy.verdicts(ReachRecord.TYPE).get(StoreOutcome.KEY_MISMATCH));
        assertEquals(1L, policy.verdicts(ReachRecord.TYPE).get(StoreOutcome.OLD_SEQUENCE));
        assertEquals(1L, policy.verdicts(RecordCodec.VERSION).get(StoreOutcome.KEY_MISMATCH));
        assertEquals(1L, node.stats().storesReceived(StoreOutcome.BAD_SIGNATURE));
        assertEquals(reach.expiresAtMillis(), policy.expiresAtMillis(reach.encoded()));
        assertEquals(record.expiresAtMillis(), policy.expiresAtMillis(record.encoded()));
        assertTrue(policy.compareNewer(reach.encoded(), record.encoded()) > 0, "a total order across kinds");
    }
}
