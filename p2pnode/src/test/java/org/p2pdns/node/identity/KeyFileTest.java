package org.p2pdns.node.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripWithOwnerOnlyPermissions() throws Exception {
        Path dir = tmp.resolve("data/sub");
        Path file = KeyFile.inDataDir(dir);
        NodeIdentity id = NodeIdentity.generate(new Random(1));
        KeyFile.create(file, id);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(KeyFile.SIZE, Files.size(file));
        assertEquals(id, KeyFile.load(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }

    @Test
    void loadOrCreateCreatesOnlyWhenMissing() throws Exception {
        Path file = tmp.resolve("node.key");
        AtomicInteger generated = new AtomicInteger();
        NodeIdentity first = KeyFile.loadOrCreate(file, () -> {
            generated.incrementAndGet();
            return NodeIdentity.generate(new Random(2));
        });
        NodeIdentity second = KeyFile.loadOrCreate(file, () -> {
            generated.incrementAndGet();
            return NodeIdentity.generate(new Random(3));
        });
        assertEquals(first, second);
        assertEquals(1, generated.get());
    }

    @Test
    void loadOrGenerateChecksTheNetworksProofOfWork() throws Exception {
        Path dir = tmp.resolve("data");
        NodeIdentity id = KeyFile.loadOrGenerate(dir, 6, new Random(4), IdProofOfWork.Progress.NONE);
        assertTrue(id.satisfies(6));
        assertEquals(id, KeyFile.loadOrGenerate(dir, 6, new Random(5), IdProofOfWork.Progress.NONE));
        byte[] before = Files.readAllBytes(KeyFile.inDataDir(dir));
        int work = IdProofOfWork.workBits(id.id());
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> KeyFile.loadOrGenerate(dir, work + 1, new Random(5), IdProofOfWork.Progress.NONE));
        assertTrue(e.getMessage().contains("requires " + (work + 1)), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(KeyFile.inDataDir(dir)));
    }

    @Test
    void createNeverOverwrites() throws Exception {
        Path file = tmp.resolve("node.key");
        KeyFile.create(file, NodeIdentity.generate(new Random(1)));
        byte[] before = Files.readAllBytes(file);
        assertThrows(KeyFileException.class, () -> KeyFile.create(file, NodeIdentity.generate(new Random(2))));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void corruptFileIsAClearErrorAndIsNeverReplaced() throws Exception {
        Path file = tmp.resolve("node.key");
        KeyFile.create(file, NodeIdentity.generate(new Random(1)));
        byte[] good = Files.readAllBytes(file);
        for (int i = 0; i < KeyFile.SIZE; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file, bad);
            KeyFileException e = assertThrows(KeyFileException.class,
                    () -> KeyFile.loadOrCreate(file, () -> NodeIdentity.generate(new Random(9))), "byte " + i);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertEquals(file, e.path());
            assertArrayEquals(bad, Files.readAllBytes(file), "file untouched");
        }
    }

    @Test
    void truncatedAndForeignFiles() throws Exception {
        Path file = tmp.resolve("node.key");
        KeyFile.create(file, NodeIdentity.generate(new Random(1)));
        byte[] good = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(good, 40));
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(file));
        assertTrue(e.getMessage().contains("40 bytes"), e.getMessage());
        Files.write(file, new byte[0]);
        assertThrows(KeyFileException.class, () -> KeyFile.loadOrCreate(file, () -> {
            throw new AssertionError("must not generate for an existing file");
        }));
        assertEquals(0, Files.size(file));
        byte[] foreign = good.clone();
        foreign[0] = 'X';
        Files.write(file, foreign);
        e = assertThrows(KeyFileException.class, () -> KeyFile.load(file));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        byte[] future = good.clone();
        future[4] = 2;
        Files.write(file, future);
        e = assertThrows(KeyFileException.class, () -> KeyFile.load(file));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void groupOrWorldReadableKeyIsRefusedWithTheFix() throws Exception {
        Path file = tmp.resolve("node.key");
        NodeIdentity id = NodeIdentity.generate(new Random(1));
        KeyFile.create(file, id);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(file));
        assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "not fixed");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(id, KeyFile.load(file));
    }

    @Test
    void unreadableOrNonRegularFile() throws Exception {
        Path missing = tmp.resolve("missing.key");
        assertThrows(KeyFileException.class, () -> KeyFile.load(missing));
        Path dir = tmp.resolve("adir");
        Files.createDirectory(dir);
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.loadOrCreate(dir, () -> {
            throw new AssertionError("must not generate");
        }));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertTrue(Files.isDirectory(dir));
        // owner without read permission (root bypasses permission checks, so only assert when it applies)
        Path file = tmp.resolve("node.key");
        KeyFile.create(file, NodeIdentity.generate(new Random(1)));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("-w-------"));
        if (!Files.isReadable(file)) {
            e = assertThrows(KeyFileException.class, () -> KeyFile.load(file));
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
        }
        assertFalse(Files.isDirectory(file));
    }
}
