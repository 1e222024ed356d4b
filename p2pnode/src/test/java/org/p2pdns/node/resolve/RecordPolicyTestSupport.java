package org.p2pdns.node.resolve;

import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.ProofOfWork;

/** Helpers for building invalid records in tests. */
final class RecordPolicyTestSupport {
    private RecordPolicyTestSupport() {
    }

    /** The smallest nonce that does NOT prove {@code bits} of work for the name and key. */
    static long badNonce(String name, OwnerKey k, int bits) {
        long n = 0;
        while (ProofOfWork.verify(name, k.publicKey(), n, bits)) {
            n++;
        }
        return n;
    }
}
