package org.p2pdns.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Entry point of the {@code p2p} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        configureLogging(args);
        if (longRunning(args) || java.util.Arrays.asList(args).contains("bench-agent")) {
            // not for short commands: loading Netty's classes would cost the quick query path its start-up budget
            org.p2pdns.node.util.NettyLeakDetection.configure();
        }
        CompletableFuture<Void> stop = new CompletableFuture<>();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            // Ctrl-C / SIGTERM: ask the running mode to stop, wait until it has cleaned up, then end the JVM with the
            // command's own exit code (a clean stop is 0, not the signal's 143)
            stop.complete(null);
            try {
                int code = done.get(25, TimeUnit.SECONDS);
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(code);
            } catch (Exception e) {
                // not finished in time: let the JVM exit with the signal's status
            }
        }, "p2p-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = ExitCode.FAILED;
        try {
            code = run(args, Io.system(), new DefaultLauncher(), stop);
        } finally {
            done.complete(code);
        }
        System.exit(code);
    }

    /** Runs the command in-process and returns its exit code (tests call this). */
    public static int run(String[] args, Io io, Launcher launcher, CompletableFuture<Void> stopRequested) {
        P2pCommand.Context context = new P2pCommand.Context(io, launcher, stopRequested);
        Integer quick = QuickQuery.run(args, context);
        if (quick != null) {
            io.out().flush();
            io.err().flush();
            return quick;
        }
        int code = FullCommand.execute(args, context);
        io.out().flush();
        io.err().flush();
        return code;
    }

    /** True for the modes that serve until stopped: a node, an introduction server. */
    static boolean longRunning(String[] args) {
        for (String a : args) {
            switch (a) {
                case "--start-node", "--intro-server" -> {
                    return true;
                }
                default -> { }
            }
        }
        return false;
    }

    /** slf4j-simple reads its settings once, at first use: set them from the flags before anything logs. */
    static void configureLogging(String[] args) {
        String level = "warn";
        boolean longRunning = longRunning(args);
        if (longRunning) {
            level = "info";
        }
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) {
                level = "debug";
            }
        }
        for (String a : args) {
            if (a.equals("-q") || a.equals("--quiet")) {
                level = "error";
            }
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        if (longRunning) {
            // ice4j (STUN) and other libraries log through java.util.logging: send that to SLF4J as well
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
    }
}
