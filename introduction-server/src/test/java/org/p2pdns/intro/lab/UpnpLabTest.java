package org.p2pdns.intro.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * UPnP in the lab (root only): a node on hostA with UPnP behind miniupnpd (natA, port-restricted cone) gets a
 * mapping, a node in pub reaches it directly through the mapped port, and the mapping is gone after shutdown.
 */
class UpnpLabTest {

    @BeforeAll
    static void requireLab() {
        Assumptions.assumeTrue(NatLab.available(), "NAT lab needs root, iproute2, nftables, coturn, miniupnpd");
    }

    private static String miniupnpdRules(NatLab lab) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", "nl" + lab.id() + "-natA", "nft", "list", "table",
                "inet", "filter").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private static void reachFromPub(NatLab lab, String ready, String mapped, int seed) throws Exception {
        try (NatLab.Proc pub = lab.start("pub", NatLab.java("org.p2pdns.intro.lab.LabNode", "--seed",
                String.valueOf(seed), "--intro", NatLabTest.INTRO, "--direct", mapped, "initiator",
                NatLabTest.field(ready, "id")))) {
            String result = pub.await("RESULT", 40);
            assertNotNull(result, pub.output());
            assertEquals("DIRECT", NatLabTest.field(result, "kind"), result);
            assertEquals("5", NatLabTest.field(result, "pongs"), result);
            assertEquals(mapped, NatLabTest.field(result, "address"), result);
        }
    }

    @Test
    void nodeBehindMiniupnpdIsReachableThroughItsMappingUntilShutdown() throws Exception {
        try (NatLab lab = NatLab.up(NatLabTest.labId(3))) {
            lab.nat("A", "cone");
            lab.run("stun", lab.id());
            lab.run("upnp", lab.id(), "A");
            NatLab.Proc server = lab.start("pub", NatLab.java("org.p2pdns.intro.IntroServerMain",
                    "--bind", "198.51.100.20", "--port", "7460", "--stun-port", "3478", "--id-difficulty", "0"));
            assertNotNull(server.await("intro-server listening", 30), server.output());
            try (NatLab.Proc a = lab.start("hostA", NatLab.java("org.p2pdns.intro.lab.LabNode", "--seed", "7",
                    "--intro", NatLabTest.INTRO, "--upnp", "--upnp-lease-s", "4", "responder"))) {
                String ready = a.await("READY", 40);
                assertNotNull(ready, a.output());
                String mapped = NatLabTest.field(ready, "upnp");
                assertTrue(mapped.startsWith("203.0.113.1:"), "UPnP mapping: " + ready + "\n" + a.output());
                String port = mapped.substring(mapped.indexOf(':') + 1);
                assertTrue(miniupnpdRules(lab).contains("dport " + port), "no miniupnpd rule for " + port);
                // from the public side, straight to the mapped port (the DIRECT strategy, no rendezvous)
                reachFromPub(lab, ready, mapped, 8);
                // the 4 s lease is renewed every 2 s: after two renewals the first lease has run out, and the
                // mapping must still be there and work
                assertNotNull(a.await("RENEWED count=2", 20), "no lease renewals:\n" + a.output());
                assertTrue(miniupnpdRules(lab).contains("dport " + port), "mapping lost despite renewals");
                reachFromPub(lab, ready, mapped, 9);
                a.closeStdin();
                assertNotNull(a.await("BYE", 20), a.output());
                assertTrue(a.waitFor(20));
                assertFalse(miniupnpdRules(lab).contains("dport " + port), "mapping not removed on shutdown");
            }
        }
    }
}
