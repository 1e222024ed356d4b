package org.p2pdns.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version from the build (a filtered resource), for {@code --version} and {@code --status}. */
public final class VersionProvider implements IVersionProvider {

    /** The project version, or "unknown" when run from an unfiltered build. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"p2p " + version() + " (Java " + Runtime.version() + ")"};
    }
}
