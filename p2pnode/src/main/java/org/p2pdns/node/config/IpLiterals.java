package org.p2pdns.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Recognises IP address literals without ever doing a DNS lookup. */
public final class IpLiterals {
    private IpLiterals() {
    }

    /** True when {@code s} is a dotted-quad IPv4 or an IPv6 literal (no host names). */
    public static boolean isIpLiteral(String s) {
        return parse(s) != null;
    }

    /** The address of an IP literal, or {@code null} when {@code s} is not one (never resolves names). */
    public static InetAddress parse(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (s.indexOf(':') >= 0) {
            if (!s.matches("[0-9A-Fa-f:.]+")) {
                return null;
            }
        } else if (!s.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
            return null;
        }
        try {
            // a literal: getByName parses it without any lookup
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
