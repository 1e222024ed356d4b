package org.p2pdns.node.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;

class NodeStoreTest {

    @TempDir
    Path dir;

    @Test
    void valuesPersistAcrossReopen() {
        NodeId k1 = NodeId.hashOf("a");
        NodeId k2 = NodeId.hashOf("b");
        NodeId peer = NodeId.hashOf("peer");
        try (NodeStore s = NodeStore.open(dir)) {
            s.values().put(new ValueStore.Entry(k1, new byte[] {1, 2, 3}, 5_000, 1_000, peer));
            s.values().put(new ValueStore.Entry(k2, new byte[] {4}, 9_000, 2_000, null));
            s.values().put(new ValueStore.Entry(k2, new byte[] {5, 6}, 9_500, 2_500, null));
            assertEquals(2, s.values().size());
        }
        try (NodeStore s = NodeStore.open(dir)) {
            ValueStore.Entry e1 = s.values().get(k1);
            assertArrayEquals(new byte[] {1, 2, 3}, e1.value());
            assertEquals(5_000, e1.expiresAtMillis());
            assertEquals(1_000, e1.storedAtMillis());
            assertEquals(peer, e1.fromPeer());
            ValueStore.Entry e2 = s.values().get(k2);
            assertArrayEquals(new byte[] {5, 6}, e2.value());
            assertNull(e2.fromPeer());
            assertEquals(2, s.values().entries().size());
            assertEquals(1, s.values().removeExpired(6_000));
            assertNull(s.values().get(k1));
            s.values().remove(k2);
            assertEquals(0, s.values().size());
        }
    }

    @Test
    void ownedOwnersAndSequences() {
        try (NodeStore s = NodeStore.open(dir)) {
            s.putOwned("example.p2p", new byte[] {7});
            s.rememberOwner("example.p2p", new byte[] {1, 1});
            s.raiseHighestSequence("example.p2p", 5);
            s.raiseHighestSequence("example.p2p", 3);
        }
        try (NodeStore s = NodeStore.open(dir)) {
            assertArrayEquals(new byte[] {7}, s.owned("example.p2p").orElseThrow());
            assertEquals(1, s.allOwned().size());
            assertArrayEquals(new byte[] {1, 1}, s.rememberedOwner("example.p2p").orElseThrow());
            assertEquals(5, s.highestSequence("example.p2p"));
            assertEquals(-1, s.highestSequence("other.p2p"));
            s.forgetOwner("example.p2p");
            assertTrue(s.rememberedOwner("example.p2p").isEmpty());
            assertEquals(-1, s.highestSequence("example.p2p"));
            s.removeOwned("example.p2p");
            assertTrue(s.owned("example.p2p").isEmpty());
        }
    }

    @Test
    void corruptFileIsAClearErrorNamingTheFile() throws Exception {
        byte[] junk = new byte[8192];
        new Random(1).nextBytes(junk);
        Files.write(dir.resolve(NodeStore.FILE_NAME), junk);
        StoreException e = assertThrows(StoreException.class, () -> NodeStore.open(dir));
        assertTrue(e.getMessage().contains(dir.resolve(NodeStore.FILE_NAME).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void truncatedFileAfterWritesIsAClearError() throws Exception {
        try (NodeStore s = NodeStore.open(dir)) {
            for (int i = 0; i < 50; i++) {
                s.values().put(new ValueStore.Entry(NodeId.hashOf("k" + i), new byte[100], 1, 1, null));
            }
        }
        Path f = dir.resolve(NodeStore.FILE_NAME);
        byte[] all = Files.readAllBytes(f);
        // overwrite both file headers: nothing left to recover from
        for (int i = 0; i < 8192 && i < all.length; i++) {
            all[i] = 'x';
        }
        Files.write(f, all);
        StoreException e = assertThrows(StoreException.class, () -> NodeStore.open(dir));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
