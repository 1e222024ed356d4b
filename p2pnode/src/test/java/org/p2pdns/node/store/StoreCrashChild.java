package org.p2pdns.node.store;

import java.nio.file.Path;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;

/** Child process of {@link NodeStoreCrashTest}: stores values one by one and prints "ack i" after each put returns. */
public final class StoreCrashChild {
    private StoreCrashChild() {
    }

    public static void main(String[] args) {
        NodeStore store = NodeStore.open(Path.of(args[0]));
        int max = Integer.parseInt(args[1]);
        System.out.println("open");
        System.out.flush();
        for (int i = 0; i < max; i++) {
            NodeId key = NodeId.hashOf("key-" + i);
            store.values().put(new ValueStore.Entry(key, value(i), Long.MAX_VALUE, i, null));
            store.raiseHighestSequence("n" + i + ".p2p", i);
            System.out.println("ack " + i);
            System.out.flush();
        }
        // never closes: the parent kills this process
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static byte[] value(int i) {
        return ("value number " + i + " ").repeat(1 + i % 20).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
