package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {

    @TempDir
    Path home;

    @Test
    void generateListExportImport() throws Exception {
        Path a = home.resolve("a");
        Path b = home.resolve("b");
        CliHarness cliA = new CliHarness(home, Map.of("P2P_DATA_DIR", a.toString()), null);
        CliHarness cliB = new CliHarness(home, Map.of("P2P_DATA_DIR", b.toString()), null);

        CliHarness.Result r = cliA.run("keys", "list");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.out());

        r = cliA.run("keys", "generate", "shop");
        assertEquals(0, r.code(), r.toString());
        String label = r.out().strip().replaceAll(".*: ", "");
        assertEquals(52, label.length(), r.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(a.resolve("owner-keys/shop.key"))));

        r = cliA.run("keys", "generate", "shop");
        assertEquals(ExitCode.FAILED, r.code(), r.toString());
        assertTrue(r.oneLineError() && r.err().contains("already exists"), r.toString());
        r = cliA.run("keys", "generate", "bad alias");
        assertEquals(ExitCode.USAGE, r.code(), r.toString());

        r = cliA.run("keys", "list", "--json");
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertEquals("shop", list.get(0).get("alias").asText());
        assertEquals(label, list.get(0).get("publicKey").asText());

        r = cliA.run("keys", "export", "shop");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("seed: "), r.toString());
        Path export = home.resolve("shop.txt");
        Files.writeString(export, r.out());

        r = cliB.run("keys", "import", export.toString(), "--alias", "backup");
        assertEquals(0, r.code(), r.toString());
        r = cliB.run("keys", "list");
        assertEquals("backup\t" + label, r.out().strip());

        r = cliA.run("keys", "export", "nope");
        assertEquals(ExitCode.FAILED, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());
        Files.writeString(export, "p2pdns-owner-key-v1\nalias: x\npublic: abc\nseed: 00\n");
        r = cliB.run("keys", "import", export.toString());
        assertEquals(ExitCode.USAGE, r.code(), r.toString());
        assertTrue(r.oneLineError(), r.toString());
        r = cliB.run("keys", "import", home.resolve("missing").toString());
        assertEquals(ExitCode.USAGE, r.code(), r.toString());
    }
}
