package org.p2pdns.node.config;

import java.net.InetSocketAddress;

/**
 * A {@code HOST:PORT} as written in flags and the configuration file ({@code [v6]:PORT} for IPv6 literals); resolved
 * only when used, so a configuration can name hosts that are not reachable yet. Port 0 means "any free port" and is
 * only accepted where something is bound, never for a peer to contact.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank() || host.length() > 253 || !host.matches("[A-Za-z0-9.:%_-]+")) {
            throw new IllegalArgumentException("bad host '" + host + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
    }

    /** Parses a peer address {@code HOST:PORT} or {@code [IPV6]:PORT} (port 1..65535). */
    public static HostPort parse(String text) {
        return parse(text, false);
    }

    /** Parses like {@link #parse(String)}; when {@code allowPortZero} the port may be 0 (bind to a free port). */
    public static HostPort parse(String text, boolean allowPortZero) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected HOST:PORT, got an empty value");
        }
        String t = text.trim();
        String host;
        String portText;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPV6]:PORT, got '" + t + "'");
            }
            host = t.substring(1, close);
            portText = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || t.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + t + "'");
            }
            host = t.substring(0, colon);
            portText = t.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number in " + (allowPortZero ? 0 : 1)
                    + "..65535, got '" + portText + "'");
        }
        if (port < (allowPortZero ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException("port must be in " + (allowPortZero ? 0 : 1) + "..65535, got " + port);
        }
        return new HostPort(host, port);
    }

    /** Resolves the host (may do a DNS lookup for a host name). */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
