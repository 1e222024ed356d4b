package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.dht.routing.RoutingTable;
import org.p2pdns.node.identity.NodeId;

/**
 * Adversarial (b): one IP runs 1,000 node ids (real DHT nodes, distinct ports) next to 100 honest nodes, joins, and
 * keeps talking for 21 virtual minutes (a bucket refresh round included). No honest routing table may hold more of the
 * attacker's ids than the per-prefix limits allow (2 per bucket, 10 per table, for the /24), and the honest network
 * keeps working.
 */
class AdversarialSybilTest {

    private static final int HONEST = 100;
    private static final int SYBILS = 1000;

    @Test
    void oneIpWithAThousandIdsStaysUnderThePrefixLimits() throws Exception {
        SimNetwork net = new SimNetwork(31, SimConfig.defaults());
        DhtConfig cfg = net.config().dht();
        for (int i = 0; i < HONEST; i++) {
            net.addNode(SimValuePolicy.INSTANCE);
        }
        net.bootstrapAll(Duration.ofMinutes(10));
        List<SimNode> honest = new ArrayList<>(net.nodes());

        InetAddress attackerIp = InetAddress.getByName("10.250.0.1");
        Random rnd = new Random(5);
        for (int i = 0; i < SYBILS; i++) {
            byte[] key = new byte[32];
            rnd.nextBytes(key);
            net.addNode(Contact.of(key, new InetSocketAddress(attackerIp, 20000 + i)), SimValuePolicy.INSTANCE,
                    InMemoryValueStore::new, cfg);
        }
        // they join through honest nodes; many never become "ready" (the prefix limits turn them away), so they
        // are started by hand rather than through bootstrapAll, which waits for every node to be ready
        for (SimNode s : net.nodes().subList(HONEST, HONEST + SYBILS)) {
            net.start(s, List.of(honest.get(rnd.nextInt(HONEST)).contact().address(),
                    honest.get(rnd.nextInt(HONEST)).contact().address()));
        }
        net.scheduler().runFor(Duration.ofMinutes(5));
        // the Sybils also ping every honest node directly, as often as they like
        for (int round = 0; round < 2; round++) {
            for (SimNode s : net.nodes().subList(HONEST, HONEST + SYBILS)) {
                SimNode target = honest.get(rnd.nextInt(HONEST));
                s.dht().get(target.contact().id(), v -> { });
            }
            net.scheduler().runFor(Duration.ofMinutes(8));
        }

        int worstTable = 0;
        int worstBucket = 0;
        for (SimNode h : honest) {
            RoutingTable t = h.dht().routingTable();
            int inTable = 0;
            for (int b : t.nonEmptyBuckets()) {
                int inBucket = 0;
                for (Contact c : t.bucketContacts(b)) {
                    if (c.address().getAddress().equals(attackerIp)) {
                        inBucket++;
                    }
                }
                worstBucket = Math.max(worstBucket, inBucket);
                inTable += inBucket;
            }
            worstTable = Math.max(worstTable, inTable);
        }
        System.out.printf("adversarial (b): %d Sybil ids on one IP vs %d honest nodes: at most %d in one honest "
                + "table (limit %d), at most %d in one bucket (limit %d)%n", SYBILS, HONEST, worstTable,
                cfg.maxPerPrefixPerTable(), worstBucket, cfg.maxPerPrefixPerBucket());
        assertTrue(worstTable > 0, "no Sybil got in anywhere: the attack did not run");
        assertTrue(worstTable <= cfg.maxPerPrefixPerTable(), "per-table limit broken: " + worstTable);
        assertTrue(worstBucket <= cfg.maxPerPrefixPerBucket(), "per-bucket limit broken: " + worstBucket);

        long exp = net.scheduler().nowMillis() + 3_600_000;
        NodeId key = NodeId.random(rnd);
        AdversarialRecordsTest.await(net, honest.get(1).dht().put(key, SimValuePolicy.value(1, exp, "still works")));
        GetResult g = AdversarialRecordsTest.await(net, honest.get(77).dht().get(key, v -> { }));
        assertEquals(GetResult.Status.FOUND, g.status());
    }
}
