package org.p2pdns.node.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlayNameTest {

    @ParameterizedTest
    @CsvSource({
        "example.p2p, example.p2p, example.p2p",
        "Example.P2P., example.p2p, example.p2p",
        "www.shop.example.p2p, www.shop.example.p2p, example.p2p",
        "  WWW.example.p2p  , www.example.p2p, example.p2p",
        "bücher.p2p, xn--bcher-kva.p2p, xn--bcher-kva.p2p",
        "www.bücher.p2p, www.xn--bcher-kva.p2p, xn--bcher-kva.p2p",
        "_sip._udp.example.p2p, _sip._udp.example.p2p, example.p2p",
        "a-b.p2p, a-b.p2p, a-b.p2p",
        "例え.p2p, xn--r8jz45g.p2p, xn--r8jz45g.p2p",
    })
    void canonicalises(String input, String canonical, String registered) {
        OverlayName n = OverlayName.parse(input, "p2p");
        assertEquals(canonical, n.name());
        assertEquals(registered, n.registered());
        assertEquals(registered + ".", n.registeredAbsolute());
        assertFalse(n.isSelfCertifying());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''| empty",
        ".| empty",
        "a..p2p| empty label",
        ".example.p2p| empty label",
        "example.com| not under the overlay TLD .p2p",
        "p2p| the overlay TLD itself",
        "exa mple.p2p| bad",
        "ex_ample.p2p| bad",
        "-example.p2p| hyphen",
        "example-.p2p| hyphen",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.p2p| 64 characters long, the limit is 63",
        "ex*ample.p2p| bad",
        "www.ex!ample.p2p| bad",
        "aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4b.p2p| not the canonical base32",
    })
    void rejectsWithReason(String input, String reason) {
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> OverlayName.parse(input, "p2p"));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void rejectsTooLongNameAndNull() {
        String label = "a".repeat(63);
        String longName = label + "." + label + "." + label + "." + label + ".p2p"; // 4*64 + 3 = 259
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> OverlayName.parse(longName, "p2p"));
        assertTrue(e.getMessage().contains("the limit is 253"), e.getMessage());
        assertThrows(InvalidNameException.class, () -> OverlayName.parse(null, "p2p"));
    }

    @Test
    void configurableTld() {
        assertEquals("example.test", OverlayName.parse("www.example.TEST", "test").registered());
        assertThrows(InvalidNameException.class, () -> OverlayName.parse("example.p2p", "test"));
    }

    @Test
    void selfCertifying() {
        OwnerKey a = TestRecords.keyA();
        OverlayName n = OverlayName.parse("www." + a.selfCertifyingLabel().toUpperCase() + ".p2p", "p2p");
        assertTrue(n.isSelfCertifying());
        assertArrayEquals(a.publicKey(), n.selfCertifiedKey());
        assertEquals(a.selfCertifyingLabel() + ".p2p", n.registered());
        assertEquals(52, a.selfCertifyingLabel().length());
        assertNull(OverlayName.parse("example.p2p", "p2p").selfCertifiedKey());
        assertEquals(n.registered(), OverlayName.selfCertifying(a.publicKey(), "p2p").name());
    }

    @Test
    void keyIsDomainSeparatedAndPerRegisteredName() {
        assertEquals(OverlayName.parse("a.example.p2p", "p2p").dhtKey(), OverlayName.parse("example.p2p", "p2p").dhtKey());
        assertFalse(OverlayName.dhtKey("example.p2p").equals(
                org.p2pdns.node.identity.NodeId.hashOf("example.p2p")));
    }
}
