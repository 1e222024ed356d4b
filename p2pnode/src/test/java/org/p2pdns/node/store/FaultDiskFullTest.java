package org.p2pdns.node.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: a child process stores values on a 256 KiB tmpfs mounted in a private mount namespace of its
 * own (unshare -m, as root; the test is skipped where that is not allowed). The failing write must surface as a
 * {@link StoreException} naming the file, every value acknowledged before it must still be readable, and the
 * process must go on (no crash, no hang).
 */
class FaultDiskFullTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskIsAClearErrorAndHeldValuesStayReadable() throws Exception {
        assumeTrue(canMountPrivately(), "needs root and unshare -m to mount a tiny tmpfs privately");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=256k tmpfs \"$0\" && exec \"$@\"", dir.toString(),
                java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), FaultDiskFullChild.class.getName(),
                dir.resolve("data").toString())
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child hung");
        int acked = (int) lines.stream().filter(l -> l.startsWith("ack ")).count();
        String error = lines.stream().filter(l -> l.startsWith("error ")).findFirst().orElse(null);
        String read = lines.stream().filter(l -> l.startsWith("read")).findFirst().orElse("none");
        String after = lines.stream().filter(l -> l.startsWith("after ")).findFirst().orElse("none");
        System.out.printf("fault (disk full): %d values acknowledged on a 256 KiB filesystem, then: %s; %s; %s%n",
                acked, error, read, after);
        assertEquals(0, p.exitValue(), "the child crashed: " + tail(lines));
        assertTrue(acked > 10, "too few writes before the disk filled: " + tail(lines));
        assertTrue(error != null && error.startsWith("error " + StoreException.class.getName())
                && error.contains("cannot write the store file"), "not a clear store error: " + error);
        assertEquals("read " + acked, read, "acknowledged values were lost or became unreadable");
        assertEquals("after " + StoreException.class.getName(), after, "a write on the full disk must fail clearly");
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 8), lines.size());
    }

    private static boolean canMountPrivately() {
        try {
            Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs \"$d\" && umount \"$d\"; r=$?; rmdir \"$d\"; "
                            + "exit $r").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
