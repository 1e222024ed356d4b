package org.p2pdns.dns.wire;

/** The one exception for a DNS message that cannot be decoded: a read past the end or an impossible field. */
public final class WireFormatException extends Exception {
    public WireFormatException(String message) {
        super(message);
    }
}
