package org.p2pdns.node.store;

import java.nio.file.Path;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;

/**
 * Child process of {@link FaultDiskFullTest}, run on a tiny filesystem: stores values until a write fails, printing
 * "ack i" after each put returns and "error CLASS MESSAGE" for the failure; then reads back every acknowledged value
 * ("read N") and tries one more write ("after CLASS" or "after ok"), so the parent can check what a node still serves.
 */
public final class FaultDiskFullChild {
    private FaultDiskFullChild() {
    }

    public static void main(String[] args) {
        NodeStore store = NodeStore.open(Path.of(args[0]));
        System.out.println("open");
        int acked = 0;
        for (int i = 0; i < 100_000; i++) {
            try {
                store.values().put(new ValueStore.Entry(key(i), StoreCrashChild.value(i), Long.MAX_VALUE, i, null));
            } catch (RuntimeException e) {
                System.out.println("error " + e.getClass().getName() + " " + e.getMessage());
                break;
            }
            acked = i + 1;
            System.out.println("ack " + i);
        }
        int read = 0;
        try {
            for (int i = 0; i < acked; i++) {
                ValueStore.Entry e = store.values().get(key(i));
                if (e != null && java.util.Arrays.equals(e.value(), StoreCrashChild.value(i))) {
                    read++;
                }
            }
            System.out.println("read " + read);
        } catch (RuntimeException e) {
            System.out.println("read-error " + e.getClass().getName() + " " + e.getMessage());
        }
        try {
            store.values().put(new ValueStore.Entry(key(-1), new byte[] {1}, Long.MAX_VALUE, 0, null));
            System.out.println("after ok");
        } catch (RuntimeException e) {
            System.out.println("after " + e.getClass().getName());
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static NodeId key(int i) {
        return NodeId.hashOf("key-" + i);
    }
}
