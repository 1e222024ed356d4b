package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;

/**
 * Clocks skewed between nodes: every node of a 60-node network judges records with its own clock, a third of them
 * 5 minutes slow, a third 5 minutes fast (an injected per-node clock offset on the record policy; the simulator's
 * shared scheduler keeps message timing). Records signed by a fast or a slow owner stay valid everywhere and resolve
 * from every node; a record issued 16 minutes in the future (beyond the 10-minute tolerance) is refused everywhere.
 */
class FaultClockSkewTest {

    private static final long FIVE_MIN = Duration.ofMinutes(5).toMillis();

    /** The record policy as seen through a node's skewed clock. */
    private record Skewed(RecordPolicy inner, long offsetMillis) implements ValuePolicy {
        @Override
        public StoreOutcome validate(NodeId key, byte[] value, byte[] held, long nowMillis) {
            return inner.validate(key, value, held, nowMillis + offsetMillis);
        }

        @Override
        public int compareNewer(byte[] a, byte[] b) {
            return inner.compareNewer(a, b);
        }

        @Override
        public long expiresAtMillis(byte[] value) {
            return inner.expiresAtMillis(value);
        }
    }

    @Test
    void recordsStayValidAcrossFiveMinutesOfSkew() {
        RecordPolicy policy = new RecordPolicy(NetworkParams.TEST);
        SimNetwork net = new SimNetwork(55, SimConfig.defaults());
        for (int i = 0; i < 60; i++) {
            long offset = (i % 3 - 1) * FIVE_MIN;   // -5 min, 0, +5 min
            net.addNode(new Skewed(policy, offset));
        }
        net.bootstrapAll(Duration.ofMinutes(10));
        Random rnd = new Random(1);
        OwnerKey owner = OwnerKey.fromSeed(TestRecords.SEED_A);
        long trueNow = net.scheduler().nowMillis();

        int resolved = 0;
        int lookups = 0;
        for (int publisherSkew = -1; publisherSkew <= 1; publisherSkew++) {
            long issued = (trueNow + publisherSkew * FIVE_MIN) / 1000;
            String name = "skew" + (publisherSkew + 1) + ".p2p";
            SignedRecord r = SignedRecord.sign(name, owner, 1, issued, issued + 3600, 60, 0,
                    TestRecords.aRecord(name, 5));
            // the publisher is a node whose clock matches the skew it signed with
            SimNode publisher = net.nodes().get(3 * rnd.nextInt(20) + publisherSkew + 1);
            PutResult put = AdversarialRecordsTest.await(net, publisher.dht().put(r.dhtKey(), r.encoded()));
            assertTrue(put.acks() >= 15, name + ": only " + put.acks() + " acks " + put.outcomes());
            for (SimNode reader : net.nodes()) {
                GetResult g = AdversarialRecordsTest.await(net, reader.dht().get(r.dhtKey(), v -> { }));
                lookups++;
                if (g.status() == GetResult.Status.FOUND && Arrays.equals(g.value(), r.encoded())) {
                    resolved++;
                }
            }
        }
        System.out.printf("fault (clock skew -5/0/+5 min): %d/%d lookups resolved%n", resolved, lookups);
        assertEquals(lookups, resolved);

        long future = (net.scheduler().nowMillis() + Duration.ofMinutes(16).toMillis()) / 1000;
        SignedRecord ahead = SignedRecord.sign("ahead.p2p", owner, 1, future, future + 3600, 60, 0,
                TestRecords.aRecord("ahead.p2p", 6));
        PutResult put = AdversarialRecordsTest.await(net, net.nodes().get(2).dht().put(ahead.dhtKey(),
                ahead.encoded()));
        assertEquals(0, put.acks(), "a record issued beyond the tolerance was stored: " + put.outcomes());
        assertTrue(put.outcomes().getOrDefault(StoreOutcome.EXPIRED, 0) > 0, put.outcomes().toString());
    }
}
