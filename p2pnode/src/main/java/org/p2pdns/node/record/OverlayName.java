package org.p2pdns.node.record;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import org.bouncycastle.util.encoders.Base32;
import org.p2pdns.node.identity.NodeId;

/**
 * A canonical name in the overlay zone and the registered name that holds its record set.
 *
 * <p>Canonical form: IDNA (ASCII, punycode for Unicode labels), lower case, no trailing dot in {@link #name()} (the
 * absolute form with a dot is {@link #absolute()}). The <em>registered name</em> is the label directly under the TLD
 * plus the TLD ({@code www.shop.example.p2p} -> {@code example.p2p}). A registered label of 52 base32 characters is a
 * self-certifying name: the Ed25519 owner key itself.
 *
 * @param name            canonical name, e.g. {@code www.example.p2p}
 * @param registered      canonical registered name, e.g. {@code example.p2p}
 * @param tld             the overlay TLD the name was parsed under
 * @param selfCertifiedKey the 32-byte owner key named by a self-certifying name, or {@code null}
 */
public record OverlayName(String name, String registered, String tld, byte[] selfCertifiedKey) {

    /** Longest name in text form without the trailing dot (RFC 1035: 255 octets on the wire). */
    public static final int MAX_NAME_LENGTH = 253;
    /** Longest label (RFC 1035). */
    public static final int MAX_LABEL_LENGTH = 63;
    /** Length of the base32 form of a 32-byte key, RFC 4648 without padding. */
    public static final int SELF_CERTIFYING_LABEL_LENGTH = 52;
    /** Domain-separation tag of the DHT key of a registered name. */
    public static final String KEY_TAG = "p2pdns-record-v1";

    public OverlayName {
        selfCertifiedKey = selfCertifiedKey == null ? null : selfCertifiedKey.clone();
    }

    /**
     * Canonicalises {@code input} (any name in the overlay zone, with or without trailing dot, Unicode allowed).
     *
     * @throws InvalidNameException saying why the name is not a valid overlay name
     */
    public static OverlayName parse(String input, String tld) {
        if (input == null) {
            throw new InvalidNameException("name is missing");
        }
        String s = input.strip();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new InvalidNameException("name is empty");
        }
        // Unicode full stops count as dots (IDNA 2003, section 3.1), so split after mapping them.
        s = s.replace('\u3002', '.').replace('\uff0e', '.').replace('\uff61', '.');
        String[] labels = s.split("\\.", -1);
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].isEmpty()) {
                throw new InvalidNameException("empty label in '" + input + "' (two dots in a row or a leading dot)");
            }
            boolean registeredLabel = i == labels.length - 2;
            String ascii = toAsciiLabel(labels[i], registeredLabel, input);
            if (i > 0) {
                out.append('.');
            }
            out.append(ascii);
        }
        String name = out.toString();
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidNameException("name is " + name.length() + " characters long, the limit is "
                    + MAX_NAME_LENGTH + ": '" + input + "'");
        }
        String[] ascii = name.split("\\.");
        if (!ascii[ascii.length - 1].equals(tld)) {
            throw new InvalidNameException("'" + input + "' is not under the overlay TLD ." + tld);
        }
        if (ascii.length < 2) {
            throw new InvalidNameException("'" + input + "' is the overlay TLD itself, not a name under it");
        }
        String regLabel = ascii[ascii.length - 2];
        byte[] key = selfCertifyingKey(regLabel);
        return new OverlayName(name, regLabel + "." + tld, tld, key);
    }

    private static String toAsciiLabel(String label, boolean registeredLabel, String input) {
        if (label.chars().allMatch(c -> c < 0x80) && label.length() > MAX_LABEL_LENGTH) {
            throw new InvalidNameException("label '" + label + "' is " + label.length()
                    + " characters long, the limit is " + MAX_LABEL_LENGTH);
        }
        String ascii;
        try {
            // STD3 rules (letters, digits, hyphen) for the registered label; labels under it may also carry the
            // underscore of service names (_sip._udp.example.p2p), which STD3 forbids.
            ascii = IDN.toASCII(label, registeredLabel ? IDN.USE_STD3_ASCII_RULES : 0);
        } catch (IllegalArgumentException e) {
            throw new InvalidNameException("bad label '" + label + "' in '" + input + "': " + e.getMessage());
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        if (ascii.isEmpty()) {
            throw new InvalidNameException("empty label in '" + input + "'");
        }
        if (ascii.length() > MAX_LABEL_LENGTH) {
            throw new InvalidNameException("label '" + label + "' is " + ascii.length()
                    + " characters long, the limit is " + MAX_LABEL_LENGTH);
        }
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || !registeredLabel && c == '_';
            if (!ok) {
                throw new InvalidNameException("bad character '" + c + "' in label '" + label + "' of '" + input
                        + "' (allowed: letters, digits, hyphen" + (registeredLabel ? "" : ", underscore") + ")");
            }
        }
        if (ascii.startsWith("-") || ascii.endsWith("-")) {
            throw new InvalidNameException("label '" + label + "' starts or ends with a hyphen");
        }
        return ascii;
    }

    /** The key named by a 52-character base32 label, or null for a human-readable label. */
    private static byte[] selfCertifyingKey(String label) {
        if (label.length() != SELF_CERTIFYING_LABEL_LENGTH || !label.chars().allMatch(OverlayName::isBase32Char)) {
            return null;
        }
        byte[] key = Base32.decode(label.toUpperCase(Locale.ROOT) + "====");
        if (key.length != 32 || !selfCertifyingLabel(key).equals(label)) {
            // The last character carries one bit: only 'a' and 'q' are canonical. Refuse look-alikes outright
            // rather than treat them as human-readable names that impersonate a key.
            throw new InvalidNameException("label '" + label + "' looks like a self-certifying key but is not the"
                    + " canonical base32 form of 32 bytes");
        }
        return key;
    }

    private static boolean isBase32Char(int c) {
        return c >= 'a' && c <= 'z' || c >= '2' && c <= '7';
    }

    /** The self-certifying label of an Ed25519 public key: RFC 4648 base32, lower case, no padding (52 chars). */
    public static String selfCertifyingLabel(byte[] publicKey) {
        if (publicKey == null || publicKey.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        String b = Base32.toBase32String(publicKey).toLowerCase(Locale.ROOT);
        return b.substring(0, SELF_CERTIFYING_LABEL_LENGTH);
    }

    /** The self-certifying registered name of {@code publicKey} under {@code tld}. */
    public static OverlayName selfCertifying(byte[] publicKey, String tld) {
        return parse(selfCertifyingLabel(publicKey) + "." + tld, tld);
    }

    /** True when the registered name is a public key. */
    public boolean isSelfCertifying() {
        return selfCertifiedKey != null;
    }

    @Override
    public byte[] selfCertifiedKey() {
        return selfCertifiedKey == null ? null : selfCertifiedKey.clone();
    }

    /** True when this name is the registered name itself (not a subdomain). */
    public boolean isRegistered() {
        return name.equals(registered);
    }

    /** The absolute form of {@link #name()}, with trailing dot. */
    public String absolute() {
        return name + ".";
    }

    /** The absolute form of {@link #registered()}, with trailing dot. */
    public String registeredAbsolute() {
        return registered + ".";
    }

    /** The DHT key of the registered name: SHA-256("p2pdns-record-v1" || 0x00 || registered name in ASCII). */
    public NodeId dhtKey() {
        return dhtKey(registered);
    }

    /** The DHT key of a canonical registered name (no trailing dot). */
    public static NodeId dhtKey(String canonicalRegisteredName) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(KEY_TAG.getBytes(StandardCharsets.US_ASCII));
            md.update((byte) 0);
            md.update(canonicalRegisteredName.getBytes(StandardCharsets.US_ASCII));
            return NodeId.of(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OverlayName n && name.equals(n.name) && tld.equals(n.tld);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }

    /** Used by equals-free comparisons of keys in tests and the policy. */
    static boolean sameKey(byte[] a, byte[] b) {
        return a != null && b != null && Arrays.equals(a, b);
    }
}
