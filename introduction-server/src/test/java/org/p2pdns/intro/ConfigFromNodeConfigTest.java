package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.ConfigKey;
import org.p2pdns.node.config.ConfigLoader;
import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.nat.NatConfig;

/** The introduction server and the node's NAT settings built from the node configuration (what the CLI loads). */
class ConfigFromNodeConfigTest {

    @Test
    void introServerAndNatSettingsFollowTheNodeConfiguration() throws Exception {
        Path dir = Files.createTempDirectory("p2pconf");
        NodeConfig c = ConfigLoader.load(dir, Map.of(), Map.of(ConfigKey.INTRO_SERVER_BIND, "127.0.0.1",
                ConfigKey.INTRO_SERVER_PORT, "7461", ConfigKey.STUN_PORT, "-1", ConfigKey.ID_DIFFICULTY, "3",
                ConfigKey.INTRO, "127.0.0.1:7461,127.0.0.2:7000", ConfigKey.UPNP, "true"));
        IntroServerConfig s = IntroServerConfig.from(c);
        assertEquals(new InetSocketAddress("127.0.0.1", 7461), s.bind());
        assertEquals(-1, s.stunPort());
        assertEquals(3, s.idDifficultyBits());
        assertEquals(IntroServerConfig.defaults().registrationTtl(), s.registrationTtl());
        NatConfig n = NatConfig.from(c);
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7461), new InetSocketAddress("127.0.0.2", 7000)),
                n.intro().servers());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 3478), new InetSocketAddress("127.0.0.2", 3478)),
                n.stunServers());
        assertTrue(n.upnp());
        NodeConfig defaults = ConfigLoader.load(dir, Map.of(), Map.of());
        assertTrue(NatConfig.from(defaults).intro().servers().isEmpty(), "no built-in introduction server");
        assertEquals(7460, IntroServerConfig.from(defaults).bind().getPort());
        assertThrows(IllegalArgumentException.class, () -> IntroServerConfig.defaults()
                .withBind(new InetSocketAddress("127.0.0.1", 3478), 3478));
    }
}
