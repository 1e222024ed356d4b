package org.p2pdns.node.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.record.OwnerKey;

class OwnerKeyringTest {

    @TempDir
    Path dir;

    @Test
    void generateListLoadExportImport() throws Exception {
        OwnerKeyring ring = new OwnerKeyring(dir, new SecureRandom());
        OwnerKeyring.Entry shop = ring.generate("shop");
        ring.generate("blog");
        List<OwnerKeyring.Entry> all = ring.list();
        assertEquals(List.of("blog", "shop"), all.stream().map(OwnerKeyring.Entry::alias).toList());
        OwnerKey loaded = ring.load("shop");
        assertArrayEquals(shop.publicKey(), loaded.publicKey());
        assertEquals(52, shop.label().length());
        assertEquals(loaded, ring.findByPublicKey(shop.publicKey()).orElseThrow());

        Path f = ring.directory().resolve("shop.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ring.directory())));

        String text = ring.export("shop");
        assertTrue(text.startsWith("p2pdns-owner-key-v1\nalias: shop\npublic: " + shop.label() + "\nseed: "), text);
        OwnerKeyring other = new OwnerKeyring(dir.resolve("other"), new SecureRandom());
        OwnerKeyring.Entry imported = other.importKey(text, null);
        assertEquals("shop", imported.alias());
        assertEquals(loaded, other.load("shop"));
        assertEquals("copy", other.importKey(text, "copy").alias());
    }

    @Test
    void refusesBadInput() throws Exception {
        OwnerKeyring ring = new OwnerKeyring(dir, new SecureRandom());
        ring.generate("a");
        assertThrows(FileAlreadyExistsException.class, () -> ring.generate("a"));
        assertThrows(IllegalArgumentException.class, () -> ring.generate("../evil"));
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> ring.load("nope"));
        assertTrue(missing.getMessage().contains("no owner key with alias 'nope'"));
        String text = ring.export("a");
        // change the first character of the public key to a different one (a fixed replacement would be a no-op
        // whenever the random key already starts with it)
        int at = text.indexOf("public: ") + "public: ".length();
        char first = text.charAt(at);
        String wrongPub = text.substring(0, at) + (first == '7' ? '6' : '7') + text.substring(at + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.importKey(wrongPub, "b"));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ring.importKey("hello", "b"));
        assertThrows(IllegalArgumentException.class, () -> ring.importKey(text.replaceFirst("seed: ..", "seed: "), "b"));
        Files.writeString(ring.directory().resolve("broken.key"), "garbage");
        IOException io = assertThrows(IOException.class, () -> ring.load("broken"));
        assertTrue(io.getMessage().contains("broken.key"), io.getMessage());
    }
}
