package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolver subcommands on a scratch file-system root (the system's own files are never touched by tests). */
class ResolverCommandTest {

    @TempDir
    Path home;

    @Test
    void setupStatusUndoOnAScratchRoot() throws Exception {
        Path root = home.resolve("root");
        Files.createDirectories(root.resolve("etc/dnsmasq.d"));
        Files.writeString(root.resolve("etc/resolv.conf"), "nameserver 127.0.0.1\n");
        // a non-existent "systemctl" path: the reload fails and is reported, the setup still happens
        CliHarness cli = new CliHarness(home, Map.of("P2P_DATA_DIR", home.resolve("data").toString(),
                "P2P_DNS_ADDRESS", "127.0.0.1:5399"), null);
        CliHarness.Result r = cli.run("resolver", "--root", root.toString(), "setup");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.readString(root.resolve("etc/dnsmasq.d/p2pdns-p2p.conf")).contains("server=/p2p/127.0.0.1#5399"));
        r = cli.run("resolver", "--root", root.toString(), "status");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("configuration in place"), r.toString());
        r = cli.run("resolver", "--root", root.toString(), "undo");
        assertEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(root.resolve("etc/dnsmasq.d/p2pdns-p2p.conf")));
        r = cli.run("resolver", "--root", root.toString(), "status");
        assertEquals(ExitCode.FAILED, r.code(), r.toString());
        r = cli.run("resolver", "--root", root.toString(), "undo");
        assertEquals(ExitCode.FAILED, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());
        r = cli.run("resolver", "frob");
        assertEquals(ExitCode.USAGE, r.code(), r.toString());
    }
}
