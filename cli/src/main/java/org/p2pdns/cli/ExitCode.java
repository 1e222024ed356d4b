package org.p2pdns.cli;

/** The exit codes of {@code p2p}, documented in docs/cli.md and in {@code p2p --help}. */
public final class ExitCode {
    private ExitCode() {
    }

    /** Success; for a query: the name was found and has records of the asked type. */
    public static final int OK = 0;
    /** A failure not covered below (the message says what). */
    public static final int FAILED = 1;
    /** Bad command line: unknown flag, missing or invalid value, invalid domain or address. */
    public static final int USAGE = 2;
    /** The name does not exist (NXDOMAIN). */
    public static final int NXDOMAIN = 3;
    /** The name exists but has no records of the asked type (NODATA). */
    public static final int NODATA = 4;
    /** The lookup did not finish: timeout, or no peers to ask. */
    public static final int TIMEOUT = 5;
    /** No running node answers for the data directory (for commands that need one). */
    public static final int NODE_UNREACHABLE = 6;
    /** The network or the node refused or could not trust a record: invalid record, owner changed, name taken. */
    public static final int REFUSED = 7;
    /** Configuration or data directory problem: bad value in p2p.conf or P2P_*, unreadable or unwritable directory. */
    public static final int CONFIG = 8;
}
