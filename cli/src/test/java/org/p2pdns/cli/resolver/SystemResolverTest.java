package org.p2pdns.cli.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.config.HostPort;

class SystemResolverTest {

    @TempDir
    Path root;
    @TempDir
    Path data;

    final List<List<String>> commands = new ArrayList<>();
    final List<String> log = new ArrayList<>();

    SystemResolver resolver() {
        return new SystemResolver(root, data, cmd -> {
            commands.add(cmd);
            return 0;
        });
    }

    void systemdResolved() throws Exception {
        Files.createDirectories(root.resolve("run/systemd/resolve"));
        Files.writeString(root.resolve("run/systemd/resolve/stub-resolv.conf"), "nameserver 127.0.0.53\n");
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/stub-resolv.conf"));
    }

    @Test
    void systemdResolvedDropInAndUndo() throws Exception {
        systemdResolved();
        SystemResolver r = resolver();
        assertEquals(SystemResolver.Method.SYSTEMD_RESOLVED, r.detect());
        r.setup("p2p", HostPort.parse("127.0.0.1:5354"), log);
        Path dropIn = root.resolve("etc/systemd/resolved.conf.d/p2pdns-p2p.conf");
        String text = Files.readString(dropIn);
        assertTrue(text.contains("[Resolve]\nDNS=127.0.0.1:5354\nDomains=~p2p\n"), text);
        assertEquals(List.of(List.of("systemctl", "restart", "systemd-resolved")), commands);
        assertTrue(r.inPlace(r.manifest()));

        SystemResolver.ResolverException again = assertThrows(SystemResolver.ResolverException.class,
                () -> r.setup("p2p", HostPort.parse("127.0.0.1:5354"), log));
        assertTrue(again.getMessage().contains("already"));

        r.undo(log);
        assertFalse(Files.exists(dropIn));
        assertTrue(Files.isDirectory(dropIn.getParent()));
        assertNull(r.manifest());
        assertEquals(2, commands.size());
        assertThrows(SystemResolver.ResolverException.class, () -> r.undo(log));
    }

    @Test
    void undoRestoresAPreexistingFileExactly() throws Exception {
        systemdResolved();
        Path dropIn = root.resolve("etc/systemd/resolved.conf.d/p2pdns-p2p.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, "# mine\n[Resolve]\nDNS=10.0.0.1\n");
        Files.setPosixFilePermissions(dropIn, PosixFilePermissions.fromString("rw-r-----"));
        SystemResolver r = resolver();
        r.setup("p2p", HostPort.parse("127.0.0.1:5354"), log);
        assertTrue(Files.readString(dropIn).contains("Domains=~p2p"));
        Files.writeString(dropIn, "edited by someone\n");
        assertFalse(r.inPlace(r.manifest()));
        r.undo(log);
        assertEquals("# mine\n[Resolve]\nDNS=10.0.0.1\n", Files.readString(dropIn));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dropIn)));
    }

    @Test
    void dnsmasqGetsAServerLineForTheZoneOnly() throws Exception {
        Files.createDirectories(root.resolve("etc/dnsmasq.d"));
        Files.writeString(root.resolve("etc/resolv.conf"), "nameserver 127.0.0.1\n");
        SystemResolver r = resolver();
        assertEquals(SystemResolver.Method.DNSMASQ, r.detect());
        r.setup("p2p", HostPort.parse("127.0.0.1:5354"), log);
        Path conf = root.resolve("etc/dnsmasq.d/p2pdns-p2p.conf");
        assertTrue(Files.readString(conf).endsWith("server=/p2p/127.0.0.1#5354\n"));
        assertEquals(List.of(List.of("systemctl", "restart", "dnsmasq")), commands);
        r.undo(log);
        assertFalse(Files.exists(conf));
        assertEquals("nameserver 127.0.0.1\n", Files.readString(root.resolve("etc/resolv.conf")));
    }

    @Test
    void plainResolvConfIsRefusedUntouched() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/resolv.conf"), "nameserver 192.0.2.1\n");
        SystemResolver r = resolver();
        assertEquals(SystemResolver.Method.PLAIN_RESOLV_CONF, r.detect());
        SystemResolver.ResolverException e = assertThrows(SystemResolver.ResolverException.class,
                () -> r.setup("p2p", HostPort.parse("127.0.0.1:5354"), log));
        assertTrue(e.getMessage().contains("plain /etc/resolv.conf"), e.getMessage());
        assertEquals("nameserver 192.0.2.1\n", Files.readString(root.resolve("etc/resolv.conf")));
        assertNull(r.manifest());
        assertTrue(commands.isEmpty());
    }

    @Test
    void failedReloadIsReportedNotFatal() throws Exception {
        systemdResolved();
        SystemResolver r = new SystemResolver(root, data, cmd -> {
            throw new java.io.IOException("no systemctl");
        });
        r.setup("p2p", HostPort.parse("127.0.0.1:5354"), log);
        assertTrue(log.stream().anyMatch(l -> l.contains("restart the resolver yourself")), log.toString());
    }
}
