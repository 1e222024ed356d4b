package org.p2pdns.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsWhenNothingIsGiven() {
        NodeConfig c = ConfigLoader.load(dir, Map.of(), Map.of());
        assertEquals(7700, c.port());
        assertEquals("0.0.0.0", c.bind());
        assertTrue(c.dnsEnabled());
        assertEquals(new HostPort("127.0.0.1", 5354), c.dnsAddress());
        assertFalse(c.upnp());
        assertEquals(List.of(), c.bootstrap());
        assertEquals(NetworkParams.DEFAULT, c.network());
        assertEquals(Duration.ofSeconds(10), c.queryTimeout());
        assertEquals(3478, c.stunPort());
        assertEquals(30_000, c.dnsReadPacing(), "reads are paced from 30,000 queries/s");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Files.writeString(dir.resolve("p2p.conf"), "# comment\nport = 1000\nupnp=yes\nbootstrap = a.example:1, 10.0.0.1:2\n"
                + "dns.address = 127.0.0.1:5400\n");
        NodeConfig fileOnly = ConfigLoader.load(dir, Map.of(), Map.of());
        assertEquals(1000, fileOnly.port());
        assertTrue(fileOnly.upnp());
        assertEquals(List.of(new HostPort("a.example", 1), new HostPort("10.0.0.1", 2)), fileOnly.bootstrap());
        assertEquals(5400, fileOnly.dnsAddress().port());

        NodeConfig env = ConfigLoader.load(dir, Map.of("P2P_PORT", "2000", "P2P_DNS_ADDRESS", "127.0.0.2:53"), Map.of());
        assertEquals(2000, env.port());
        assertEquals(new HostPort("127.0.0.2", 53), env.dnsAddress());

        assertEquals(0, ConfigLoader.load(dir, Map.of("P2P_DNS_READ_PACING", "0"), Map.of()).dnsReadPacing());

        NodeConfig flags = ConfigLoader.load(dir, Map.of("P2P_PORT", "2000"), Map.of(ConfigKey.PORT, "3000"));
        assertEquals(3000, flags.port());
    }

    @Test
    void badValueNamesKeySourceAndRange() throws Exception {
        Files.writeString(dir.resolve("p2p.conf"), "port = 70000\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, Map.of(), Map.of()));
        assertEquals("port", e.key());
        assertTrue(e.getMessage().contains("p2p.conf line 1"), e.getMessage());
        assertTrue(e.getMessage().contains("0..65535"), e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir, Map.of("P2P_NETWORK_ID_DIFFICULTY", "99"), Map.of(ConfigKey.PORT, "1")));
        assertEquals("network.id-difficulty", e.key());
        assertTrue(e.getMessage().contains("environment P2P_NETWORK_ID_DIFFICULTY"), e.getMessage());
        assertTrue(e.getMessage().contains("0..32"), e.getMessage());
    }

    @Test
    void everyKindOfBadValueIsRefused() {
        Map<ConfigKey, String> bad = Map.of(
                ConfigKey.BIND, "localhost",
                ConfigKey.DNS_ENABLED, "maybe",
                ConfigKey.DNS_ADDRESS, "localhost:53",
                ConfigKey.BOOTSTRAP, "10.0.0.1",
                ConfigKey.INTRO, "10.0.0.1:0",
                ConfigKey.TLD, "Not A Label",
                ConfigKey.QUERY_TIMEOUT, "0",
                ConfigKey.INTRO_SERVER_PORT, "65536",
                ConfigKey.CONTROL_PORT, "-1",
                ConfigKey.DNS_READ_PACING, "-1");
        bad.forEach((k, v) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, Map.of(), Map.of(k, v)),
                    k + "=" + v);
            assertEquals(k.key(), e.key(), e.getMessage());
            assertTrue(e.getMessage().startsWith(k.key()), e.getMessage());
        });
    }

    @Test
    void unknownKeyAndMalformedLineAreErrors() throws Exception {
        Files.writeString(dir.resolve("p2p.conf"), "prot = 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("unknown key 'prot'"), e.getMessage());
        Files.writeString(dir.resolve("p2p.conf"), "\n\njust words\n");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void unreadableFileIsAnError() throws Exception {
        Files.createDirectory(dir.resolve("p2p.conf"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("cannot read"), e.getMessage());
    }

    @Test
    void dataDirPrecedence() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/home/u/.p2pdns"), ConfigLoader.dataDir(null, Map.of(), home));
        assertEquals(Path.of("/srv/p2p"), ConfigLoader.dataDir(null, Map.of("P2P_DATA_DIR", "/srv/p2p"), home));
        assertEquals(Path.of("/x"), ConfigLoader.dataDir(Path.of("/x"), Map.of("P2P_DATA_DIR", "/srv/p2p"), home));
    }

    @Test
    void hostPortParsing() {
        assertEquals(new HostPort("::1", 53), HostPort.parse("[::1]:53"));
        assertEquals("[::1]:53", HostPort.parse("[::1]:53").toString());
        assertEquals(0, HostPort.parse("127.0.0.1:0", true).port());
        for (String s : new String[] {"", "x", ":1", "h:", "h:0", "h:65536", "h:x", "::1:53", "[::1]53", "a b:1"}) {
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse(s), s);
        }
    }

    @Test
    void stunServers() {
        assertEquals(null, ConfigLoader.load(dir, Map.of(), Map.of()).stun());
        assertEquals(List.of(), ConfigLoader.load(dir, Map.of("P2P_STUN", "none"), Map.of()).stun());
        assertEquals(List.of(new HostPort("127.0.0.1", 3479)),
                ConfigLoader.load(dir, Map.of("P2P_STUN", "127.0.0.1:3479"), Map.of()).stun());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir, Map.of("P2P_STUN", "nohost"), Map.of()));
        assertEquals("stun", e.key());
    }

    @Test
    void envNames() {
        assertEquals("P2P_DNS_ADDRESS", ConfigKey.DNS_ADDRESS.envName());
        assertEquals("P2P_INTRO_SERVER_STUN_PORT", ConfigKey.STUN_PORT.envName());
    }
}
