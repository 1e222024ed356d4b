package org.p2pdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.p2pdns.dns.testing.Dig;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.FakeUpstream;
import org.p2pdns.dns.testing.MutableClock;
import org.p2pdns.dns.testing.TestZone;
import org.xbill.DNS.Name;

/** The bridge against the real {@code dig}: a table of questions and the answers a DNS client must see. */
class DigBridgeTest {

    static MutableClock clock;
    static FakeUpstream upstream;
    static DnsBridge bridge;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Dig.available(), "dig is not installed (apt-get install bind9-dnsutils)");
        clock = new MutableClock();
        upstream = new FakeUpstream(Name.fromString("example.com."), 300);
        upstream.add(TestZone.rr("www.example.com. A 198.51.100.1"));
        bridge = DnsBridge.start(BridgeConfig.defaults()
                .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withForwarding(true, List.of(upstream.address())),
                TestZone.populate(new FakeResolver(clock)), clock);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // name, type, status, answer must contain, authority must contain, aa
                Arguments.of("example.p2p", "A", "NOERROR", "example.p2p. 300 IN A 192.0.2.10", "", true),
                Arguments.of("EXAMPLE.p2p", "A", "NOERROR", "192.0.2.10", "", true),
                Arguments.of("example.p2p", "AAAA", "NOERROR", "AAAA 2001:db8::10", "", true),
                Arguments.of("example.p2p", "TXT", "NOERROR", "TXT \"hello world\"", "", true),
                Arguments.of("example.p2p", "MX", "NOERROR", "MX 10 mail.example.p2p.", "", true),
                Arguments.of("example.p2p", "CAA", "NOERROR", "CAA 0 issue \"ca.example.net\"", "", true),
                Arguments.of("_sip._udp.example.p2p", "SRV", "NOERROR", "SRV 10 5 5060 sip.example.p2p.", "", true),
                Arguments.of("www.example.p2p", "A", "NOERROR", "CNAME example.p2p.\nexample.p2p. 300 IN A 192.0.2.10",
                        "", true),
                Arguments.of("www.example.p2p", "CNAME", "NOERROR", "www.example.p2p. 300 IN CNAME example.p2p.",
                        "", true),
                Arguments.of("alias.example.p2p", "A", "NOERROR", "other.p2p. 120 IN A 192.0.2.40", "", true),
                Arguments.of("ext.example.p2p", "A", "NOERROR",
                        "CNAME www.example.com.\nwww.example.com. 300 IN A 198.51.100.1", "", false),
                Arguments.of("extgone.example.p2p", "A", "NXDOMAIN", "CNAME nope.example.com.",
                        "example.com. 300 IN SOA", false),
                Arguments.of("gone.example.p2p", "A", "NXDOMAIN", "CNAME missing.p2p.", "SOA", true),
                Arguments.of("missing.p2p", "A", "NXDOMAIN", "", "p2p. 60 IN SOA localhost. hostmaster.p2p.", true),
                Arguments.of("nothing.example.p2p", "A", "NXDOMAIN", "", "SOA", true),
                Arguments.of("bad--name.p2p", "A", "NXDOMAIN", "", "SOA", true),
                Arguments.of("mail.example.p2p", "AAAA", "NOERROR", "", "SOA", true),
                Arguments.of("sub.example.p2p", "A", "NOERROR", "", "SOA", true),
                Arguments.of("example.p2p", "SRV", "NOERROR", "", "SOA", true),
                Arguments.of("p2p", "SOA", "NOERROR", "IN SOA localhost. hostmaster.p2p.", "", true),
                Arguments.of("p2p", "A", "NOERROR", "", "SOA", true),
                Arguments.of("expiring.p2p", "A", "NOERROR", "expiring.p2p. 100 IN A 192.0.2.50", "", true),
                Arguments.of("example.p2p", "ANY", "NOERROR", "example.p2p. 300 IN A 192.0.2.10", "", true),
                Arguments.of("www.example.com", "A", "NOERROR", "www.example.com. 300 IN A 198.51.100.1", "", false),
                Arguments.of("nope.example.com", "A", "NXDOMAIN", "", "example.com. 300 IN SOA", false),
                Arguments.of("timeout.p2p", "A", "SERVFAIL", "", "", false),
                Arguments.of("loop1.example.p2p", "A", "SERVFAIL", "", "", false));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("table")
    void answers(String name, String type, String status, String answer, String authority, boolean aa)
            throws Exception {
        Dig.Result r = Dig.run(bridge.udpAddress(), name, type);
        assertEquals(status, r.status(), r.raw());
        for (String part : answer.split("\n")) {
            assertTrue(r.answerText().contains(part), "answer lacks [" + part + "]:\n" + r.raw());
        }
        if (answer.isEmpty()) {
            assertTrue(r.answer().isEmpty(), r.raw());
        }
        if (!authority.isEmpty()) {
            assertTrue(String.join("\n", r.authority()).contains(authority), r.raw());
        }
        assertEquals(aa, r.hasFlag("aa"), r.raw());
        assertTrue(r.hasFlag("qr") && r.hasFlag("rd") && r.hasFlag("ra"), r.raw());
    }

    @Test
    void anyIsAnsweredWithOneRrset() throws Exception {
        Dig.Result r = Dig.run(bridge.udpAddress(), "example.p2p", "ANY");
        assertEquals(1, r.answer().size(), r.raw());
    }

    @Test
    void servfailCarriesExtendedErrorsSayingWhy() throws Exception {
        assertTrue(Dig.run(bridge.udpAddress(), "timeout.p2p", "A").ede().startsWith("22 (No Reachable Authority)"));
        assertTrue(Dig.run(bridge.udpAddress(), "nopeers.p2p", "A").ede().startsWith("23 (Network Error)"));
        Dig.Result invalid = Dig.run(bridge.udpAddress(), "invalid.p2p", "A");
        assertEquals("SERVFAIL", invalid.status());
        assertTrue(invalid.ede().startsWith("24 (Invalid Data)"), invalid.raw());
        Dig.Result owner = Dig.run(bridge.udpAddress(), "owner.p2p", "A");
        assertTrue(owner.ede().contains("owner key changed"), owner.raw());
        assertEquals("", Dig.run(bridge.udpAddress(), "missing.p2p", "A").ede());
    }

    @Test
    void largeAnswerIsTruncatedOverUdpAndCompleteOverTcp() throws Exception {
        Dig.Result udp = Dig.run(bridge.udpAddress(), "big.p2p", "TXT", "+noedns", "+ignore");
        assertTrue(udp.hasFlag("tc"), udp.raw());
        assertTrue(udp.answer().size() < 20, udp.raw());
        Dig.Result retried = Dig.run(bridge.udpAddress(), "big.p2p", "TXT", "+noedns");
        assertFalse(retried.hasFlag("tc"), retried.raw());
        assertEquals(20, retried.answer().size(), retried.raw());
        Dig.Result tcp = Dig.run(bridge.udpAddress(), "big.p2p", "TXT", "+tcp");
        assertEquals(20, tcp.answer().size(), tcp.raw());
        Dig.Result bigEdns = Dig.run(bridge.udpAddress(), "big.p2p", "TXT", "+bufsize=4096", "+ignore");
        assertFalse(bigEdns.hasFlag("tc"), "1232-byte payload holds it: " + bigEdns.raw());
    }

    @Test
    void ednsVersionOtherThanZeroIsBadvers() throws Exception {
        Dig.Result r = Dig.run(bridge.udpAddress(), "example.p2p", "A", "+edns=1", "+noednsneg");
        assertEquals("BADVERS", r.status(), r.raw());
        Dig.Result ok = Dig.run(bridge.udpAddress(), "example.p2p", "A", "+edns=0");
        assertTrue(ok.raw().contains("udp: 1232"), ok.raw());
    }

    @Test
    void otherClassIsRefusedAndOtherOpcodeIsNotimp() throws Exception {
        assertEquals("REFUSED", Dig.run(bridge.udpAddress(), "-c", "CH", "version.bind", "TXT").status());
        assertEquals("NOTIMP", Dig.run(bridge.udpAddress(), "+opcode=status", "example.p2p", "A").status());
        assertEquals("NOTIMP", Dig.run(bridge.udpAddress(), "+opcode=update", "example.p2p", "A").status());
    }
}
