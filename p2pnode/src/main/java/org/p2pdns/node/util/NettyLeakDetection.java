package org.p2pdns.node.util;

import io.netty.util.ResourceLeakDetector;
import java.util.Properties;

/**
 * The leak detection level of Netty's buffers in a production process (the {@code p2p} command, the standalone
 * introduction server, the DNS benchmark's bridge): off, unless the user chose a level with
 * {@code -Dio.netty.leakDetection.level=...} (for instance {@code simple} or {@code paranoid} while debugging).
 *
 * <p>Netty's default samples one buffer allocation in 128, and then also tracks every slice of a sampled buffer with
 * a stack trace at the slice and another at its release. The epoll transport receives a batch of datagrams into one
 * buffer and hands each one on as a slice of it, so with the default about one query in 30 cost two stack traces:
 * that was the DNS bridge's largest cost per cached answer after the kernel's (docs/benchmarks.md). Tests keep Netty's
 * default (they do not call this), and the handlers' buffer releases have tests of their own.
 */
public final class NettyLeakDetection {

    /** The system property Netty reads its level from. */
    public static final String PROPERTY = "io.netty.leakDetection.level";
    /** The property's older name, which Netty still honours. */
    static final String LEGACY_PROPERTY = "io.netty.leakDetectionLevel";

    private NettyLeakDetection() {
    }

    /** Applies {@link #levelFor} to the running JVM, with its system properties; returns the level now in force. */
    public static ResourceLeakDetector.Level configure() {
        ResourceLeakDetector.Level level = levelFor(System.getProperties());
        if (level != null) {
            ResourceLeakDetector.setLevel(level);
        }
        return ResourceLeakDetector.getLevel();
    }

    /** DISABLED when {@code properties} name no level; null (leave Netty's choice) when they do. */
    static ResourceLeakDetector.Level levelFor(Properties properties) {
        if (properties.getProperty(PROPERTY) != null || properties.getProperty(LEGACY_PROPERTY) != null) {
            return null;
        }
        return ResourceLeakDetector.Level.DISABLED;
    }
}
