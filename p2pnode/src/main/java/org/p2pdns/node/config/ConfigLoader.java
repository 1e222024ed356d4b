package org.p2pdns.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link NodeConfig} from, lowest priority first: each key's default, {@code p2p.conf} in the data directory,
 * {@code P2P_*} environment variables, and flags. Every bad value is reported with its key, its source and the
 * accepted range.
 */
public final class ConfigLoader {

    /** Name of the configuration file in the data directory. */
    public static final String FILE_NAME = "p2p.conf";
    /** Environment variable naming the data directory (the {@code --data-dir} flag wins over it). */
    public static final String DATA_DIR_ENV = "P2P_DATA_DIR";
    /** Largest configuration file read (a guard against pointing it at something huge). */
    static final long MAX_FILE_BYTES = 64 * 1024;

    private ConfigLoader() {
    }

    /** The data directory: the flag if given, else {@code $P2P_DATA_DIR}, else {@code ~/.p2pdns}. */
    public static Path dataDir(Path flag, Map<String, String> env, Path home) {
        if (flag != null) {
            return flag.toAbsolutePath().normalize();
        }
        String fromEnv = env.get(DATA_DIR_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv).toAbsolutePath().normalize();
        }
        return home.resolve(".p2pdns").toAbsolutePath().normalize();
    }

    /** A value and where it came from, for error messages. */
    private record Sourced(String value, String source) {
    }

    /**
     * Loads the configuration of {@code dataDir}. {@code flags} holds the values given on the command line (as text,
     * validated here like every other source). A missing p2p.conf is fine; an unreadable one is an error.
     */
    public static NodeConfig load(Path dataDir, Map<String, String> env, Map<ConfigKey, String> flags) {
        Map<ConfigKey, Sourced> values = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : ConfigKey.values()) {
            values.put(k, new Sourced(k.defaultValue(), "default"));
        }
        Path file = dataDir.resolve(FILE_NAME);
        readFile(file, values);
        for (ConfigKey k : ConfigKey.values()) {
            String v = env.get(k.envName());
            if (v != null) {
                values.put(k, new Sourced(v.trim(), "environment " + k.envName()));
            }
        }
        flags.forEach((k, v) -> values.put(k, new Sourced(v.trim(), "command line")));

        int idBits = intIn(values, ConfigKey.ID_DIFFICULTY, 0, 32);
        int nameBits = intIn(values, ConfigKey.NAME_DIFFICULTY, 0, 40);
        String tld = values.get(ConfigKey.TLD).value().toLowerCase(Locale.ROOT);
        NetworkParams network;
        try {
            network = NetworkParams.DEFAULT.withDifficulty(idBits, nameBits).withTld(tld);
        } catch (IllegalArgumentException e) {
            throw bad(values, ConfigKey.TLD);
        }
        return new NodeConfig(dataDir,
                ip(values, ConfigKey.BIND),
                intIn(values, ConfigKey.PORT, 0, 65535),
                hostPorts(values, ConfigKey.BOOTSTRAP),
                hostPorts(values, ConfigKey.INTRO),
                stun(values),
                bool(values, ConfigKey.DNS_ENABLED),
                dnsAddress(values),
                intIn(values, ConfigKey.DNS_READ_PACING, 0, NodeConfig.MAX_READ_PACING),
                bool(values, ConfigKey.UPNP),
                intIn(values, ConfigKey.CONTROL_PORT, 0, 65535),
                network,
                Duration.ofSeconds(intIn(values, ConfigKey.QUERY_TIMEOUT, 1, 120)),
                ip(values, ConfigKey.INTRO_SERVER_BIND),
                intIn(values, ConfigKey.INTRO_SERVER_PORT, 0, 65535),
                intIn(values, ConfigKey.STUN_PORT, -1, 65535));
    }

    private static void readFile(Path file, Map<ConfigKey, Sourced> values) {
        List<String> lines;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(null, file + ": larger than " + MAX_FILE_BYTES + " bytes");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = file + " line " + (i + 1);
            if (eq <= 0) {
                throw new ConfigException(null, where + ": expected 'key = value', got '" + line + "'");
            }
            String name = line.substring(0, eq).strip();
            ConfigKey key = ConfigKey.byKey(name);
            if (key == null) {
                throw new ConfigException(name, where + ": unknown key '" + name + "' (see docs/configuration.md)");
            }
            values.put(key, new Sourced(line.substring(eq + 1).strip(), where));
        }
    }

    private static ConfigException bad(Map<ConfigKey, Sourced> values, ConfigKey key) {
        Sourced s = values.get(key);
        return new ConfigException(key.key(), key.key() + " (" + s.source() + "): must be " + key.accepted()
                + ", got '" + s.value() + "'");
    }

    private static int intIn(Map<ConfigKey, Sourced> values, ConfigKey key, int min, int max) {
        try {
            int v = Integer.parseInt(values.get(key).value());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(values, key);
    }

    private static boolean bool(Map<ConfigKey, Sourced> values, ConfigKey key) {
        String v = values.get(key).value().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("yes") || v.equals("on")) {
            return true;
        }
        if (v.equals("false") || v.equals("no") || v.equals("off")) {
            return false;
        }
        throw bad(values, key);
    }

    private static String ip(Map<ConfigKey, Sourced> values, ConfigKey key) {
        String v = values.get(key).value();
        if (!IpLiterals.isIpLiteral(v)) {
            throw bad(values, key);
        }
        return v;
    }

    private static HostPort dnsAddress(Map<ConfigKey, Sourced> values) {
        try {
            HostPort hp = HostPort.parse(values.get(ConfigKey.DNS_ADDRESS).value(), true);
            if (IpLiterals.isIpLiteral(hp.host())) {
                return hp;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw bad(values, ConfigKey.DNS_ADDRESS);
    }

    /** null for "port 3478 of each introduction server", empty for "none". */
    private static List<HostPort> stun(Map<ConfigKey, Sourced> values) {
        String v = values.get(ConfigKey.STUN).value();
        if (v.isBlank()) {
            return null;
        }
        if (v.strip().equalsIgnoreCase("none")) {
            return List.of();
        }
        return hostPorts(values, ConfigKey.STUN);
    }

    private static List<HostPort> hostPorts(Map<ConfigKey, Sourced> values, ConfigKey key) {
        List<HostPort> out = new ArrayList<>();
        String v = values.get(key).value();
        for (String part : v.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(HostPort.parse(part.strip()));
            } catch (IllegalArgumentException e) {
                Sourced s = values.get(key);
                throw new ConfigException(key.key(), key.key() + " (" + s.source() + "): " + e.getMessage()
                        + "; must be " + key.accepted());
            }
        }
        return out;
    }
}
