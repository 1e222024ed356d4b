package org.p2pdns.node.identity;

import java.security.SecureRandom;

/**
 * Measures node-id proof-of-work generation on one core (run by scripts/bench-idgen.sh; not a unit test). Prints the
 * time of the first generation in a cold JVM (what a new node pays), then the warm key-pair rate and the mean wall time
 * of generating ids at a few difficulties.
 */
public final class IdGenBench {

    private IdGenBench() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int coldDifficulty = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        SecureRandom random = new SecureRandom();
        long[] attempts = new long[1];
        long c0 = System.nanoTime();
        IdProofOfWork.generate(random, coldDifficulty, (x, e) -> attempts[0] = x);
        double cold = (System.nanoTime() - c0) / 1e9;
        System.out.printf("cold JVM, difficulty %d: %.2f s, %d attempts (%.0f per second)%n", coldDifficulty, cold,
                attempts[0], attempts[0] / cold);
        for (int i = 0; i < 50_000; i++) {
            IdProofOfWork.generate(random, 0, IdProofOfWork.Progress.NONE);
        }
        long n = 50_000;
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            IdProofOfWork.generate(random, 0, IdProofOfWork.Progress.NONE);
        }
        double perSec = n / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("warm: %.0f key pairs (+ id + work hash) per second on one thread%n", perSec);
        for (int d : new int[] {13, 14, 15, 16}) {
            long total = 0;
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                IdProofOfWork.generate(random, d, (x, e) -> attempts[0] = x);
                total += attempts[0];
            }
            double secs = (System.nanoTime() - start) / 1e9 / runs;
            System.out.printf("difficulty %2d: mean %.2f s over %d runs (mean attempts %d, expected %d, i.e."
                    + " %.2f s at the warm rate)%n", d, secs, runs, total / runs, 1L << d, (1L << d) / perSec);
        }
    }
}
