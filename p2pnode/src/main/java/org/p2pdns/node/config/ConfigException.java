package org.p2pdns.node.config;

/** A configuration value or file that cannot be used; the message names the key, where it came from and what is accepted. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The configuration key at fault, or {@code null} when the problem is the file itself. */
    public String key() {
        return key;
    }
}
