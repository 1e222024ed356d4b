package org.p2pdns.cli;

import java.net.IDN;
import java.util.Locale;

/**
 * Checks names typed on the command line before anything is started or sent, so a typo gets a one-line usage error.
 * The node validates again (the record layer owns the rules); this only catches what is certainly wrong.
 */
public final class Names {
    private Names() {
    }

    /**
     * The canonical form (lower case, IDNA ASCII, no trailing dot) of {@code domain}, which must be a syntactically
     * valid DNS name inside the overlay zone {@code tld}; otherwise a usage error naming the problem.
     */
    public static String overlayName(String domain, String tld) {
        if (domain == null || domain.isBlank()) {
            throw usage("a domain is required");
        }
        String d = domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw usage("invalid domain '" + domain + "': " + e.getMessage());
        }
        if (ascii.length() > 253) {
            throw usage("invalid domain '" + domain + "': longer than 253 characters");
        }
        String[] labels = ascii.split("\\.", -1);
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63 || !l.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")) {
                throw usage("invalid domain '" + domain + "': bad label '" + l + "'");
            }
        }
        if (labels.length < 2 || !labels[labels.length - 1].equals(tld)) {
            throw usage("'" + domain + "' is not in the overlay zone: names end in ." + tld + " (e.g. example." + tld
                    + ")");
        }
        return ascii;
    }

    private static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message);
    }
}
