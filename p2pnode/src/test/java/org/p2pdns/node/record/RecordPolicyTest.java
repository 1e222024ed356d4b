package org.p2pdns.node.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.identity.NodeId;

class RecordPolicyTest {

    static final long T0 = TestRecords.T0;
    static final long NOW = (T0 + 100) * 1000;
    final NetworkParams params = NetworkParams.TEST.withDifficulty(0, 8);
    final RecordPolicy policy = new RecordPolicy(params);
    final OwnerKey a = TestRecords.keyA();
    final OwnerKey b = TestRecords.keyB();
    final NodeId key = OverlayName.dhtKey("example.p2p");

    SignedRecord rec(OwnerKey k, long seq, long issued, long expires) {
        long nonce = ProofOfWork.solve("example.p2p", k.publicKey(), 8, ProofOfWork.Progress.NONE);
        return SignedRecord.sign("example.p2p", k, seq, issued, expires, 300, nonce,
                TestRecords.aRecord("example.p2p", (int) seq));
    }

    StoreOutcome validate(SignedRecord r, SignedRecord held) {
        return policy.validate(key, r.encoded(), held == null ? null : held.encoded(), NOW);
    }

    @Test
    void acceptsValidAndRefusesEachFault() {
        SignedRecord good = rec(a, 5, T0, T0 + 3600);
        assertEquals(StoreOutcome.STORED, validate(good, null));
        assertEquals(StoreOutcome.STORED, validate(good, good), "identical bytes: a no-op store");
        assertEquals(StoreOutcome.STORED, validate(rec(a, 6, T0, T0 + 3600), good));
        assertEquals(StoreOutcome.OLD_SEQUENCE, validate(rec(a, 4, T0, T0 + 3600), good));
        assertEquals(StoreOutcome.OLD_SEQUENCE, validate(rec(a, 5, T0 + 1, T0 + 3600), good), "same seq, other bytes");
        assertEquals(StoreOutcome.WRONG_OWNER, validate(rec(b, 9, T0, T0 + 3600), good));
        assertEquals(StoreOutcome.KEY_MISMATCH,
                policy.validate(OverlayName.dhtKey("other.p2p"), good.encoded(), null, NOW));
        assertEquals(StoreOutcome.EXPIRED, validate(rec(a, 5, T0 - 7200, T0 + 50), null));
        assertEquals(StoreOutcome.EXPIRED, validate(rec(a, 5, T0 + 100 + 601, T0 + 7200), null), "future");
        assertEquals(StoreOutcome.STORED, validate(rec(a, 5, T0 + 100 + 599, T0 + 7200), null), "within skew");
        assertEquals(StoreOutcome.EXPIRED, validate(rec(a, 5, T0, T0 + Duration.ofDays(8).toSeconds()), null),
                "lifetime beyond maxRecordTtl");

        byte[] forged = good.encoded();
        forged[forged.length - 10] ^= 1;
        assertEquals(StoreOutcome.BAD_SIGNATURE, policy.validate(key, forged, null, NOW));
        byte[] tampered = good.encoded();
        tampered[tampered.length - 64 - 1] ^= 1; // last byte of the A record's address
        assertEquals(StoreOutcome.BAD_SIGNATURE, policy.validate(key, tampered, null, NOW));

        SignedRecord noWork = SignedRecord.sign("example.p2p", a, 5, T0, T0 + 3600, 300,
                badNonce("example.p2p", a), TestRecords.aRecord("example.p2p", 1));
        RecordPolicy.Verdict v = policy.check(key, noWork.encoded(), null, NOW);
        assertEquals(StoreOutcome.BAD_PROOF_OF_WORK, v.outcome());
        assertTrue(v.detail().contains("8 bits"), v.detail());

        assertEquals(StoreOutcome.MALFORMED, policy.validate(key, new byte[] {1, 2, 3}, null, NOW));
        assertEquals(StoreOutcome.MALFORMED, policy.validate(key, null, null, NOW));
        assertEquals(StoreOutcome.TOO_LARGE, policy.validate(key, new byte[1001], null, NOW));
    }

    @Test
    void otherOwnerMayClaimAfterExpiry() {
        SignedRecord old = rec(a, 5, T0 - 7200, T0 - 10);
        assertEquals(StoreOutcome.STORED, validate(rec(b, 1, T0, T0 + 3600), old));
    }

    @Test
    void selfCertifyingNeedsTheKeyInTheName() {
        String name = a.selfCertifyingLabel() + ".p2p";
        NodeId k = OverlayName.dhtKey(name);
        SignedRecord byA = SignedRecord.sign(name, a, 1, T0, T0 + 3600, 60, 0, TestRecords.aRecord(name, 1));
        SignedRecord byB = SignedRecord.sign(name, b, 1, T0, T0 + 3600, 60, 0, TestRecords.aRecord(name, 1));
        assertEquals(StoreOutcome.STORED, policy.validate(k, byA.encoded(), null, NOW));
        assertEquals(StoreOutcome.WRONG_OWNER, policy.validate(k, byB.encoded(), null, NOW));
    }

    @Test
    void wrongTldIsMalformed() {
        RecordPolicy other = new RecordPolicy(params.withTld("test"));
        SignedRecord good = rec(a, 5, T0, T0 + 3600);
        assertEquals(StoreOutcome.MALFORMED, other.validate(key, good.encoded(), null, NOW));
    }

    @Test
    void compareNewerAndExpiry() {
        SignedRecord s5 = rec(a, 5, T0, T0 + 3600);
        SignedRecord s6 = rec(a, 6, T0 - 50, T0 + 3600);
        assertTrue(policy.compareNewer(s6.encoded(), s5.encoded()) > 0);
        assertTrue(policy.compareNewer(s5.encoded(), s6.encoded()) < 0);
        assertEquals(0, policy.compareNewer(s5.encoded(), s5.encoded()));
        SignedRecord otherOwnerLater = rec(b, 1, T0 + 10, T0 + 3600);
        assertTrue(policy.compareNewer(otherOwnerLater.encoded(), s6.encoded()) > 0);
        assertEquals((T0 + 3600) * 1000, policy.expiresAtMillis(s5.encoded()));
        assertEquals(0, policy.expiresAtMillis(new byte[] {9}));
    }

    @Test
    void neverThrowsOnGarbage() {
        Random random = new Random(7);
        byte[] good = rec(a, 5, T0, T0 + 3600).encoded();
        for (int i = 0; i < 5_000; i++) {
            byte[] m = good.clone();
            m[random.nextInt(m.length)] = (byte) random.nextInt(256);
            byte[] held = random.nextBoolean() ? good : m;
            StoreOutcome o = policy.validate(key, m, held, NOW);
            assertTrue(o != null);
            policy.compareNewer(m, good);
            policy.expiresAtMillis(m);
        }
    }

    static long badNonce(String name, OwnerKey k) {
        long n = 0;
        while (ProofOfWork.verify(name, k.publicKey(), n, 8)) {
            n++;
        }
        return n;
    }
}
