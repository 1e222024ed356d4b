package org.p2pdns.node.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;

/** kill -9 a real process while it stores values: every value it acknowledged is there after reopening. */
class NodeStoreCrashTest {

    @TempDir
    Path dir;

    @Test
    void acknowledgedValuesSurviveKillNine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StoreCrashChild.class.getName(), dir.toString(), "100000")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        AtomicInteger lastAck = new AtomicInteger(-1);
        CompletableFuture<Void> enough = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("ack ")) {
                        lastAck.set(Integer.parseInt(line.substring(4)));
                        if (lastAck.get() >= 300) {
                            enough.complete(null);
                        }
                    }
                }
            } catch (Exception e) {
                enough.completeExceptionally(e);
            }
            enough.completeExceptionally(new IllegalStateException("child ended after ack " + lastAck.get()));
        });
        reader.start();
        try {
            enough.get(60, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
        }
        int acked = lastAck.get();
        assertTrue(acked >= 300, "acks: " + acked);
        try (NodeStore store = NodeStore.open(dir)) {
            for (int i = 0; i <= acked; i++) {
                ValueStore.Entry e = store.values().get(NodeId.hashOf("key-" + i));
                assertNotNull(e, "acknowledged value " + i + " of " + acked + " lost");
                assertArrayEquals(StoreCrashChild.value(i), e.value());
                assertEquals(i, store.highestSequence("n" + i + ".p2p"));
            }
            assertTrue(store.values().size() >= acked + 1);
        }
    }
}
