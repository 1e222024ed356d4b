package org.p2pdns.intro.lab;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Drives scripts/natlab.sh from tests: one lab per instance (unique id), processes started in its namespaces. */
public final class NatLab implements AutoCloseable {

    /** A process started in a lab namespace; its stdout lines are queued. */
    public static final class Proc implements AutoCloseable {
        final Process process;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder all = new StringBuilder();

        Proc(Process process) {
            this.process = process;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        synchronized (all) {
                            all.append(l).append('\n');
                        }
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            });
            t.setDaemon(true);
            t.start();
        }

        /** The next stdout line starting with {@code prefix}, or null after {@code seconds}. */
        public String await(String prefix, int seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                String l = lines.poll(left, TimeUnit.NANOSECONDS);
                if (l != null && l.startsWith(prefix)) {
                    return l;
                }
            }
        }

        public String output() {
            synchronized (all) {
                return all.toString();
            }
        }

        /** Writes one line to the process's stdin. */
        public void send(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        public void closeStdin() {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        public boolean waitFor(int seconds) throws InterruptedException {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        }

        /** Kills the process we started (by its pid, through the handle), and its children. */
        @Override
        public void close() {
            ProcessHandle h = process.toHandle();
            h.descendants().forEach(ProcessHandle::destroy);
            h.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final Path script;
    private final String id;
    private final List<Proc> procs = new ArrayList<>();

    private NatLab(Path script, String id) {
        this.script = script;
        this.id = id;
    }

    /** The lab script, found from the module directory (tests run in introduction-server/). */
    public static Path script() {
        for (String p : new String[]{"../scripts/natlab.sh", "scripts/natlab.sh"}) {
            File f = new File(p);
            if (f.canExecute()) {
                return f.toPath().toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** True when we are root and every lab tool is installed. */
    public static boolean available() {
        Path s = script();
        if (s == null) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(s.toString(), "check").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Builds lab {@code id} (unique per run). */
    public static NatLab up(String id) throws IOException, InterruptedException {
        NatLab lab = new NatLab(script(), id);
        lab.run("up", id);
        return lab;
    }

    public String id() {
        return id;
    }

    /** Runs the lab script; throws if it fails. */
    public void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("natlab " + cmd + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("natlab " + cmd + " failed: " + new String(out.join(), StandardCharsets.UTF_8));
        }
    }

    public void nat(String side, String mode) throws IOException, InterruptedException {
        run("nat", id, side, mode);
    }

    /** Starts {@code command} in namespace {@code role} (pub, natA, natB, hostA, hostB). */
    public Proc start(String role, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "nl" + id + "-" + role));
        cmd.addAll(command);
        Proc p = new Proc(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        procs.add(p);
        return p;
    }

    /** A java command line with this JVM's class path. */
    public static List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Proc p : procs) {
            p.close();
        }
        run("down", id);
    }
}
