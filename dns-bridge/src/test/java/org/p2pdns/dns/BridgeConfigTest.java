package org.p2pdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BridgeConfigTest {

    @Test
    void defaultsAreLoopbackOnANonMdnsPort() {
        BridgeConfig d = BridgeConfig.defaults();
        assertTrue(d.bindAddress().getAddress().isLoopbackAddress());
        assertEquals(5354, d.bindAddress().getPort());
        assertEquals("p2p.", d.zone());
        assertTrue(d.forwarding());
        assertEquals(List.of(), d.upstreams());
        assertEquals(4 << 20, d.udpReceiveBuffer());
        assertEquals(1232, d.udpPayload());
        assertEquals(30_000, d.readPacingRate(), "reads are paced from 30,000 queries/s");
        assertEquals(Duration.ofNanos(100_000), d.readPacingWait());
        assertEquals(0, d.withReadPacing(0, d.readPacingWait()).readPacingRate());
    }

    @Test
    void zoneIsNormalised() {
        assertEquals("overlay.example.", BridgeConfig.defaults().withZone("Overlay.Example").zone());
    }

    static Stream<Supplier<BridgeConfig>> invalid() {
        BridgeConfig d = BridgeConfig.defaults();
        return Stream.of(
                () -> d.withZone("."),
                () -> d.withZone("bad zone"),
                () -> d.withZone(""),
                () -> d.withBindAddress(InetSocketAddress.createUnresolved("example.org", 53)),
                () -> d.withForwarding(true, List.of(new InetSocketAddress("127.0.0.1", 0))),
                () -> d.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)),
                () -> d.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1)),
                () -> d.withCache(-1, Duration.ofDays(1), Duration.ofDays(1), Duration.ofSeconds(60)),
                () -> d.withCache(10, Duration.ofDays(1), Duration.ofSeconds(-1), Duration.ofSeconds(60)),
                () -> d.withCache(10, Duration.ofDays(1), Duration.ofDays(1), Duration.ZERO),
                () -> d.withTcp(Duration.ofSeconds(1), 0),
                () -> d.withRateLimit(-1, 10, false),
                () -> d.withRateLimit(10, 0, false),
                () -> d.withIoThreads(0),
                () -> d.withReadPacing(-1, Duration.ofNanos(100_000)),
                () -> d.withReadPacing(30_000, Duration.ofNanos(-1)),
                () -> d.withReadPacing(30_000, null),
                () -> d.withReadPacing(30_000, Duration.ofMillis(11)));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidValuesAreRejectedWithAMessage(Supplier<BridgeConfig> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }
}
