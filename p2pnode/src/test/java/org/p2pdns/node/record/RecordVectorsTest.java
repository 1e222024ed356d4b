package org.p2pdns.node.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The test vectors of docs/record-format.md: if this fails, either the code or the spec changed the format. */
class RecordVectorsTest {

    static final String PUB_A = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    static final String LABEL_A = "aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4a";
    static final String KEY_EXAMPLE = "e549e7c184f0705085d75f872edd4779e4baa3ecf9e1514e751b73d332817734";
    static final long NONCE_1 = 290;
    static final String POW_1 = "0003b385fe379f6f29b2aec3f394b2fc3e23358b85c907d2074001634864a6af";
    static final String V1 = "010b6578616d706c652e70327003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
            + "0000000000000001000000006955b9000000000069570a800000012c00000000000001220005001b076578616d706c65"
            + "0370327000000100010000012c0004c0000201002b076578616d706c650370327000000f00010000012c0014000a046d"
            + "61696c076578616d706c6503703270000021076578616d706c650370327000001000010000012c000a0968656c6c6f20"
            + "7032700027076578616d706c650370327000001c00010000012c001020010db800000000000000000000000100280377"
            + "7777076578616d706c650370327000000500010000012c000d076578616d706c650370327000a2956f23cf44e26a2a47"
            + "adf08f595e6e5f0f86a525863993775120cb5fe621018c484cbfadf5b5ac53cb914e1c118fc6fbff03c091e108e6bdd6"
            + "4e1ebf364d07";
    static final String KEY_V2 = "32a04cd0c69c6bac1fcc57403dfec019fe27ea6009572fc8597d2aa2cff385ec";
    static final String V2 = "0138616f7171707037747a79696c34686c7133756d6f6f733661746674366a767271746f73713278793533736467"
            + "69657376676734612e70327003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b800000000"
            + "00000007000000006955b900000000006955c7100000003c00000000000000000001004834616f7171707037747a7969"
            + "6c34686c7133756d6f6f733661746674366a767271746f7371327879353373646769657376676734610370327000000100"
            + "010000003c0004c0000207b42dc3862b19c0ab1bbe1c2ae25a7524e6771ee1934786075adb608bed123ef18bec9ab7c0"
            + "b2c97dd1e36a0488bf6e59c7b56b7061fa68e36e5f81833d8a2e0c";

    @Test
    void ownerKeyAndNames() {
        OwnerKey a = TestRecords.keyA();
        assertEquals(PUB_A, HexFormat.of().formatHex(a.publicKey()));
        assertEquals(LABEL_A, a.selfCertifyingLabel());
        assertEquals(KEY_EXAMPLE, OverlayName.dhtKey("example.p2p").toHex());
        assertEquals(KEY_EXAMPLE, OverlayName.parse("WWW.Example.P2P.", "p2p").dhtKey().toHex());
    }

    @Test
    void vector1HumanReadable() throws Exception {
        SignedRecord v1 = TestRecords.vector1();
        assertEquals(NONCE_1, v1.powNonce());
        assertEquals(POW_1, HexFormat.of().formatHex(ProofOfWork.hash("example.p2p", v1.ownerKey(), NONCE_1)));
        assertEquals(V1, HexFormat.of().formatHex(v1.encoded()));
        SignedRecord decoded = RecordCodec.decode(HexFormat.of().parseHex(V1));
        assertEquals(v1, decoded);
        assertEquals(v1.records(), decoded.records());
        assertTrue(decoded.verifySignature());
        assertEquals(KEY_EXAMPLE, decoded.dhtKey().toHex());
    }

    @Test
    void vector2SelfCertifying() throws Exception {
        SignedRecord v2 = TestRecords.vector2();
        assertEquals(V2, HexFormat.of().formatHex(v2.encoded()));
        assertEquals(KEY_V2, v2.dhtKey().toHex());
        SignedRecord decoded = RecordCodec.decode(HexFormat.of().parseHex(V2));
        assertTrue(decoded.verifySignature());
        assertArrayEquals(TestRecords.keyA().publicKey(),
                OverlayName.parse(decoded.name(), "p2p").selfCertifiedKey());
    }
}
