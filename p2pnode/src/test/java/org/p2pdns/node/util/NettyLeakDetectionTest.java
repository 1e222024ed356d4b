package org.p2pdns.node.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.util.ResourceLeakDetector;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class NettyLeakDetectionTest {

    @Test
    void offUnlessTheUserChoseALevel() {
        assertEquals(ResourceLeakDetector.Level.DISABLED, NettyLeakDetection.levelFor(new Properties()));
        Properties chosen = new Properties();
        chosen.setProperty(NettyLeakDetection.PROPERTY, "paranoid");
        assertNull(NettyLeakDetection.levelFor(chosen), "the user's level stays");
        Properties legacy = new Properties();
        legacy.setProperty(NettyLeakDetection.LEGACY_PROPERTY, "simple");
        assertNull(NettyLeakDetection.levelFor(legacy));
    }

    @Test
    void configureSetsTheLevelOfTheJvm() {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        try {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
            ResourceLeakDetector.Level expected = System.getProperty(NettyLeakDetection.PROPERTY) == null
                    && System.getProperty(NettyLeakDetection.LEGACY_PROPERTY) == null
                    ? ResourceLeakDetector.Level.DISABLED : ResourceLeakDetector.Level.SIMPLE;
            assertEquals(expected, NettyLeakDetection.configure());
            assertEquals(expected, ResourceLeakDetector.getLevel());
        } finally {
            ResourceLeakDetector.setLevel(before);
        }
    }
}
