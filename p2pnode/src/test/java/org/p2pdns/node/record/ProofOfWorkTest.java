package org.p2pdns.node.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProofOfWorkTest {

    @Test
    void solvesVerifiesAndIsBoundToNameAndOwner() {
        byte[] a = TestRecords.keyA().publicKey();
        byte[] b = TestRecords.keyB().publicKey();
        AtomicLong reports = new AtomicLong();
        long nonce = ProofOfWork.solve("example.p2p", a, 18, (done, expected) -> {
            assertEquals(1L << 18, expected);
            reports.incrementAndGet();
        });
        assertTrue(ProofOfWork.verify("example.p2p", a, nonce, 18));
        assertTrue(ProofOfWork.leadingZeroBits(ProofOfWork.hash("example.p2p", a, nonce)) >= 18);
        assertEquals(nonce / ProofOfWork.PROGRESS_EVERY, reports.get());
        // the smallest nonce: every smaller one fails
        for (long n = Math.max(0, nonce - 1000); n < nonce; n++) {
            assertFalse(ProofOfWork.verify("example.p2p", a, n, 18));
        }
        assertFalse(ProofOfWork.verify("example.p2p", b, nonce, 18));
        assertFalse(ProofOfWork.verify("other.p2p", a, nonce, 18));
        assertTrue(ProofOfWork.verify("anything.p2p", a, 12345, 0));
    }

    @Test
    void leadingZeroBits() {
        assertEquals(0, ProofOfWork.leadingZeroBits(new byte[] {(byte) 0x80}));
        assertEquals(15, ProofOfWork.leadingZeroBits(new byte[] {0, 1}));
        assertEquals(16, ProofOfWork.leadingZeroBits(new byte[] {0, 0}));
    }
}
