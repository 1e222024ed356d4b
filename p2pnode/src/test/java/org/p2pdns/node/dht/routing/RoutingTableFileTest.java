package org.p2pdns.node.dht.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.dht.Contact;

class RoutingTableFileTest {

    @TempDir
    Path dir;

    static List<Contact> contacts(int n) throws Exception {
        Random r = new Random(1);
        List<Contact> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[32];
            r.nextBytes(key);
            String ip = i % 2 == 0 ? "10.1." + i + ".1" : "2001:db8::" + Integer.toHexString(i + 1);
            out.add(Contact.of(key, new InetSocketAddress(InetAddress.getByName(ip), 1000 + i)));
        }
        return out;
    }

    @Test
    void roundTrip() throws Exception {
        Path f = dir.resolve(RoutingTableFile.FILE_NAME);
        List<Contact> cs = contacts(150);
        RoutingTableFile.save(f, cs, 12345);
        RoutingTableFile.Saved s = RoutingTableFile.load(f);
        assertEquals(cs, s.contacts());
        assertEquals(12345, s.savedAtMillis());
        // overwrite in place
        RoutingTableFile.save(f, cs.subList(0, 3), 99);
        assertEquals(cs.subList(0, 3), RoutingTableFile.load(f).contacts());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void missingFileIsEmpty() throws Exception {
        assertTrue(RoutingTableFile.load(dir.resolve("none")).contacts().isEmpty());
    }

    @Test
    void everyCorruptionIsAClearErrorNeverACrash() throws Exception {
        Path f = dir.resolve(RoutingTableFile.FILE_NAME);
        RoutingTableFile.save(f, contacts(5), 1);
        byte[] good = Files.readAllBytes(f);
        Random r = new Random(2);
        for (int i = 0; i < 400; i++) {
            byte[] bad = good.clone();
            if (i % 3 == 0) {
                bad = java.util.Arrays.copyOf(bad, r.nextInt(bad.length));
            } else {
                bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255));
            }
            Files.write(f, bad);
            assertThrows(RoutingTableFile.CorruptFileException.class, () -> RoutingTableFile.load(f));
            if (i < 3) {
                assertTrue(RoutingTableFile.loadOrEmpty(f).isEmpty());
            }
        }
        Files.write(f, "not a routing table".getBytes());
        var e = assertThrows(RoutingTableFile.CorruptFileException.class, () -> RoutingTableFile.load(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
