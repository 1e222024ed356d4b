package org.p2pdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.FakeUpstream;
import org.p2pdns.dns.testing.MutableClock;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.dns.testing.UdpClient;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/** Names outside the overlay: forwarded to upstreams the test starts on loopback, or REFUSED. */
class ForwardingTest {

    final MutableClock clock = new MutableClock();
    final FakeResolver resolver = TestZone.populate(new FakeResolver(clock));
    /**
     * Long enough for an answering upstream on a loaded machine (the first query also starts dnsjava's selector
     * thread); dnsjava notices a timeout up to 1 s late, so a silent upstream costs at most 2.5 s of the client's 5 s.
     */
    static final Duration UPSTREAM_TIMEOUT = Duration.ofMillis(1500);

    FakeUpstream first;
    FakeUpstream second;
    DnsBridge bridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    DnsBridge start(BridgeConfig cfg) throws IOException {
        bridge = DnsBridge.start(cfg.withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                resolver, clock);
        return bridge;
    }

    FakeUpstream upstream() throws IOException {
        FakeUpstream u = new FakeUpstream(Name.fromString("example.com."), 120);
        u.add(TestZone.rr("www.example.com. A 198.51.100.1", 600));
        for (int i = 0; i < 20; i++) {
            u.add(TestZone.rr("big.example.com. TXT \"upstream record " + i + " long enough to need TCP\""));
        }
        return u;
    }

    static Message edns(String name, String type, int id) {
        Message q = UdpClient.query(name, type, id);
        q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        return q;
    }

    @Test
    void forwardsOtherNamesAndCachesTheAnswer() throws Exception {
        first = upstream();
        start(BridgeConfig.defaults().withForwarding(true, List.of(first.address())));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message r = c.ask(UdpClient.query("WWW.example.com.", "A", 77));
            assertEquals(77, r.getHeader().getID());
            assertEquals("WWW.example.com.", r.getQuestion().getName().toString(), "client's case kept");
            assertEquals("198.51.100.1", r.getSection(Section.ANSWER).get(0).rdataToString());
            assertTrue(r.getHeader().getFlag(Flags.RA));
            assertTrue(!r.getHeader().getFlag(Flags.AA));
            c.ask(UdpClient.query("www.example.com.", "A", 78));
            assertEquals(1, first.udpQueries(), "second answer came from the cache");
            Message nx = c.ask(UdpClient.query("nope.example.com.", "A", 79));
            assertEquals(Rcode.NXDOMAIN, nx.getRcode());
            c.ask(UdpClient.query("nope.example.com.", "A", 80));
            assertEquals(2, first.udpQueries(), "NXDOMAIN cached for the SOA minimum");
        }
    }

    @Test
    void truncatedUpstreamAnswerIsRetriedOverTcp() throws Exception {
        first = upstream();
        start(BridgeConfig.defaults().withForwarding(true, List.of(first.address())));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message r = c.ask(edns("big.example.com.", "TXT", 5));
            assertEquals(Rcode.NOERROR, r.getRcode());
            assertEquals(20, r.getSection(Section.ANSWER).size());
            assertEquals(1, first.tcpQueries());
        }
    }

    @Test
    void silentUpstreamIsSkippedForTheNextOne() throws Exception {
        first = upstream();
        second = upstream();
        first.silent(true);
        start(BridgeConfig.defaults().withForwarding(true, List.of(first.address(), second.address()))
                .withTimeouts(UPSTREAM_TIMEOUT, Duration.ofSeconds(5)));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message r = c.ask(UdpClient.query("www.example.com.", "A", 6));
            assertEquals(Rcode.NOERROR, r.getRcode());
            assertEquals(1, second.udpQueries());
        }
    }

    @Test
    void allUpstreamsSilentIsServfailWithEdeThenStaleAnswers() throws Exception {
        first = upstream();
        start(BridgeConfig.defaults().withForwarding(true, List.of(first.address()))
                .withTimeouts(UPSTREAM_TIMEOUT, Duration.ofSeconds(5)));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            assertEquals(Rcode.NOERROR, c.ask(UdpClient.query("www.example.com.", "A", 1)).getRcode());
            first.silent(true);
            Message fail = c.ask(edns("other.example.com.", "A", 2));
            assertEquals(Rcode.SERVFAIL, fail.getRcode());
            ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) fail.getOPT().getOptions().get(0);
            assertEquals(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY, ede.getErrorCode());
            assertTrue(ede.getText().contains("upstream"), ede.getText());
            clock.advance(Duration.ofSeconds(601));
            Message stale = c.ask(UdpClient.query("www.example.com.", "A", 3));
            assertEquals(Rcode.NOERROR, stale.getRcode());
            assertEquals(30, stale.getSection(Section.ANSWER).get(0).getTTL());
        }
        assertEquals(1, bridge.stats().get(Counter.STALE_SERVED));
    }

    @Test
    void otherNamesAreRefusedWhenForwardingIsOff() throws Exception {
        start(BridgeConfig.defaults().withForwarding(false, List.of()));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message r = c.ask(edns("www.example.com.", "A", 1));
            assertEquals(Rcode.REFUSED, r.getRcode());
            assertEquals(ExtendedErrorCodeOption.NOT_AUTHORITATIVE,
                    ((ExtendedErrorCodeOption) r.getOPT().getOptions().get(0)).getErrorCode());
            assertEquals(Rcode.NOERROR, c.ask(UdpClient.query("example.p2p.", "A", 2)).getRcode());
        }
    }

    @Test
    void theBridgeNeverForwardsToItself(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "# only ourselves\nnameserver 127.0.0.1\noptions edns0\n");
        InetSocketAddress self = new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);
        assertEquals(List.of(), org.p2pdns.dns.forward.ResolvConf.nameservers(conf, self));
        Files.writeString(conf, "nameserver 127.0.0.1\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\nsearch x\n");
        assertEquals(List.of(new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("fe80::1", 53)),
                org.p2pdns.dns.forward.ResolvConf.nameservers(conf, self));
        assertEquals(List.of(), org.p2pdns.dns.forward.ResolvConf.nameservers(dir.resolve("missing"), self));
        // with only itself in resolv.conf, the bridge forwards nowhere and says so
        start(BridgeConfig.defaults().withForwarding(true, List.of()).withResolvConf(dir.resolve("missing")));
        assertEquals(List.of(), bridge.upstreams());
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            assertEquals(Rcode.REFUSED, c.ask(UdpClient.query("www.example.com.", "A", 1)).getRcode());
        }
    }
}
