package org.p2pdns.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code dig} when the machine has it (CI installs bind9-dnsutils); null when it does not. */
final class Dig {
    private Dig() {
    }

    /** {@code dig @127.0.0.1 -p PORT NAME TYPE +short}, or null without dig. */
    static String run(int port, String name, String type) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("dig", "@127.0.0.1", "-p", String.valueOf(port), name, type, "+short", "+time=5",
                    "+tries=1").redirectErrorStream(true).start();
        } catch (IOException e) {
            return null; // no dig on this machine
        }
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                throw new IOException("dig did not finish within 20 s");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
