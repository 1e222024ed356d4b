package org.p2pdns.node.reach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.identity.IdProofOfWork;
import org.p2pdns.node.identity.NodeId;

/** Every refusal of a reachability record, with its outcome; never an exception. */
class ReachPolicyTest {

    static final byte[] SEED_B = HexFormat.of().parseHex(
            "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100");
    final ReachPolicy policy = new ReachPolicy(NetworkParams.TEST);
    final ReachRecord v = ReachRecordTest.vector();
    final NodeId key = v.dhtKey();
    final long now = (ReachRecordTest.T0 + 60) * 1000;

    @Test
    void acceptsTheVector() {
        assertEquals(StoreOutcome.STORED, policy.validate(key, v.encoded(), null, now));
        assertEquals(StoreOutcome.STORED, policy.validate(key, v.encoded(), v.encoded(), now), "same bytes: no-op");
        assertEquals(v.expiresAtMillis(), policy.expiresAtMillis(v.encoded()));
    }

    @Test
    void forgedSignature() {
        byte[] b = v.encoded();
        b[b.length - 1] ^= 1;
        assertEquals(StoreOutcome.BAD_SIGNATURE, policy.validate(key, b, null, now));
        byte[] c = v.encoded();
        c[ReachRecord.HEADER_BYTES + 3] ^= 1; // the reflexive address, under the same signature
        assertEquals(StoreOutcome.BAD_SIGNATURE, policy.validate(key, c, null, now));
    }

    @Test
    void keyNotMatchingTheNode() {
        ReachRecord other = ReachRecord.sign(SEED_B, 5, ReachRecordTest.T0, ReachRecordTest.T0 + 300,
                ReachRecordTest.info());
        // B's record offered under A's key, and A's under the node id itself rather than its reach key
        assertEquals(StoreOutcome.KEY_MISMATCH, policy.validate(key, other.encoded(), null, now));
        assertEquals(StoreOutcome.KEY_MISMATCH, policy.validate(v.nodeId(), v.encoded(), null, now));
        // A's record with B's public key swapped in: under A's key the binding fails, under B's the signature
        byte[] swapped = v.encoded();
        System.arraycopy(other.publicKey(), 0, swapped, 1, 32);
        assertEquals(StoreOutcome.KEY_MISMATCH, policy.validate(key, swapped, null, now));
        assertEquals(StoreOutcome.BAD_SIGNATURE, policy.validate(other.dhtKey(), swapped, null, now));
    }

    @Test
    void nodeIdProofOfWork() {
        int bits = 12;
        assertTrue(!IdProofOfWork.satisfies(v.nodeId(), bits), "the vector key has no 12-bit proof of work");
        ReachPolicy strict = new ReachPolicy(NetworkParams.TEST.withDifficulty(bits, 0));
        assertEquals(StoreOutcome.BAD_PROOF_OF_WORK, strict.validate(key, v.encoded(), null, now));
    }

    @Test
    void times() {
        long t0 = ReachRecordTest.T0;
        assertEquals(StoreOutcome.EXPIRED, policy.validate(key, v.encoded(), null, (t0 + 300) * 1000));
        ReachRecord future = ReachRecord.sign(ReachRecordTest.SEED, 2, t0 + 3600, t0 + 3700, ReachRecordTest.info());
        assertEquals(StoreOutcome.EXPIRED, policy.validate(key, future.encoded(), null, now), "issued in an hour");
        ReachRecord slightlyAhead = ReachRecord.sign(ReachRecordTest.SEED, 2, t0 + 300, t0 + 600,
                ReachRecordTest.info());
        assertEquals(StoreOutcome.STORED, policy.validate(key, slightlyAhead.encoded(), null, now), "within skew");
        ReachRecord tooLong = ReachRecord.sign(ReachRecordTest.SEED, 2, t0, t0 + 3601, ReachRecordTest.info());
        assertEquals(StoreOutcome.EXPIRED, policy.validate(key, tooLong.encoded(), null, now), "over 1 h");
    }

    @Test
    void sequenceNeverGoesBack() {
        long t0 = ReachRecordTest.T0;
        ReachRecord older = ReachRecord.sign(ReachRecordTest.SEED, v.sequence() - 1, t0, t0 + 300,
                ReachRecordTest.info());
        ReachRecord sameSeqOther = ReachRecord.sign(ReachRecordTest.SEED, v.sequence(), t0, t0 + 200,
                ReachRecordTest.info());
        ReachRecord newer = ReachRecord.sign(ReachRecordTest.SEED, v.sequence() + 1, t0, t0 + 300,
                ReachRecordTest.info());
        assertEquals(StoreOutcome.OLD_SEQUENCE, policy.validate(key, older.encoded(), v.encoded(), now));
        assertEquals(StoreOutcome.OLD_SEQUENCE, policy.validate(key, sameSeqOther.encoded(), v.encoded(), now));
        assertEquals(StoreOutcome.STORED, policy.validate(key, newer.encoded(), v.encoded(), now));
        assertTrue(policy.compareNewer(newer.encoded(), v.encoded()) > 0);
        assertTrue(policy.compareNewer(older.encoded(), v.encoded()) < 0);
        assertEquals(0, policy.compareNewer(v.encoded(), v.encoded()));
        assertEquals(StoreOutcome.STORED, policy.validate(key, v.encoded(), new byte[]{2, 0}, now),
                "garbage held: the valid newcomer replaces it");
    }

    @Test
    void sizeAndGarbage() {
        byte[] big = Arrays.copyOf(v.encoded(), ReachRecord.MAX_BYTES + 1);
        assertEquals(StoreOutcome.TOO_LARGE, policy.validate(key, big, null, now));
        assertEquals(StoreOutcome.MALFORMED, policy.validate(key, Arrays.copyOf(v.encoded(), 100), null, now));
        assertEquals(StoreOutcome.MALFORMED, policy.validate(key, null, null, now));
        assertEquals(StoreOutcome.MALFORMED, policy.validate(key, new byte[0], null, now));
        Random r = new Random(8);
        for (int i = 0; i < 3000; i++) {
            byte[] junk = v.encoded();
            int changes = 1 + r.nextInt(6);
            for (int c = 0; c < changes; c++) {
                junk[r.nextInt(junk.length)] ^= (byte) (1 + r.nextInt(255));
            }
            if (r.nextBoolean()) {
                junk = Arrays.copyOf(junk, r.nextInt(junk.length + 20));
            }
            StoreOutcome o = policy.validate(key, junk, r.nextBoolean() ? v.encoded() : null, now);
            assertNotEquals(StoreOutcome.STORED, o, "a changed record was accepted");
        }
    }
}
