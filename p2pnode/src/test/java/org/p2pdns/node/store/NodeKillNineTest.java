package org.p2pdns.node.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.SecureTransport;
import org.p2pdns.node.transport.TransportConfig;
import org.p2pdns.node.transport.TransportStats;
import org.p2pdns.node.transport.UdpTransport;

/**
 * kill -9 a real node process while records are being stored to it over UDP: after restart (reopening its store)
 * every record it acknowledged is there, and the store opens cleanly.
 */
class NodeKillNineTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRecordSurvivesKillNine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                DhtNodeChild.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        NetworkParams params = NetworkParams.TEST;
        EventLoopScheduler scheduler = new EventLoopScheduler("parent-node");
        UdpTransport udp = null;
        DhtNode dht = null;
        Map<NodeId, byte[]> acked = new ConcurrentHashMap<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.US_ASCII));
            String[] ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(60, TimeUnit.SECONDS).split(" ");
            InetSocketAddress childAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(ready[1]));
            NodeId childId = NodeId.ofPublicKey(HexFormat.of().parseHex(ready[2]));

            TransportStats stats = new TransportStats();
            udp = UdpTransport.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), scheduler, stats);
            SecureTransport transport = new SecureTransport(NodeIdentity.generate(new Random(5)), udp, scheduler,
                    new Random(6), TransportConfig.forNetwork(params), stats);
            udp.setReceiver(transport);
            RecordPolicy policy = new RecordPolicy(params);
            dht = new DhtNode(DhtConfig.defaults(params), transport.self(), transport, scheduler, new Random(7),
                    policy, NodeStore.inMemory().values());
            dht.start(List.of(childAddress));

            OwnerKey owner = TestRecords.keyA();
            AtomicBoolean killed = new AtomicBoolean();
            CompletableFuture<Void> enough = new CompletableFuture<>();
            DhtNode parent = dht;
            long now = System.currentTimeMillis() / 1000;
            // store records one after another; kill -9 the child once 40 were acknowledged, while stores go on
            Runnable[] next = new Runnable[1];
            int[] i = {0};
            next[0] = () -> {
                if (killed.get() || i[0] >= 5_000) {
                    return;
                }
                String name = "crash-" + i[0]++ + ".p2p";
                SignedRecord r = SignedRecord.sign(name, owner, 1, now, now + 3600, 60, 0,
                        TestRecords.aRecord(name, i[0] % 250));
                parent.put(r.dhtKey(), r.encoded()).whenComplete((PutResult p, Throwable e) -> {
                    if (p != null && p.storedAt().stream().map(Contact::id).anyMatch(childId::equals)) {
                        acked.put(r.dhtKey(), r.encoded());
                        if (acked.size() >= 40) {
                            enough.complete(null);
                        }
                    }
                    next[0].run();
                });
            };
            next[0].run();
            enough.get(60, TimeUnit.SECONDS);
            child.destroyForcibly(); // SIGKILL
            killed.set(true);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
            if (dht != null) {
                dht.stop();
            }
            if (udp != null) {
                udp.close();
            }
            scheduler.close();
        }
        // the restarted node's store: opens cleanly and holds every acknowledged record
        Map<NodeId, byte[]> expected = Map.copyOf(acked);
        try (NodeStore reopened = NodeStore.open(dir)) {
            for (Map.Entry<NodeId, byte[]> e : expected.entrySet()) {
                ValueStore.Entry held = reopened.values().get(e.getKey());
                assertNotNull(held, "acknowledged record lost: " + e.getKey());
                assertArrayEquals(e.getValue(), held.value());
            }
            assertTrue(expected.size() >= 40);
        }
    }
}
