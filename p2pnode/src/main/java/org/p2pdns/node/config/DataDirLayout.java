package org.p2pdns.node.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The files of a node's data directory (documented in docs/operations.md). One node process uses a data directory at
 * a time; the store's file lock enforces it.
 */
public final class DataDirLayout {
    private DataDirLayout() {
    }

    /** The configuration file ({@code key = value}). */
    public static final String CONFIG = ConfigLoader.FILE_NAME;
    /** The node's Ed25519 identity key with its id proof of work (mode 600). */
    public static final String NODE_KEY = "node.key";
    /** The embedded store: records held for the network and the node's owned records (H2 MVStore). */
    public static final String STORE = "records.mv.db";
    /** The routing table saved at shutdown, used to rejoin without a bootstrap peer. */
    public static final String ROUTING_TABLE = org.p2pdns.node.dht.routing.RoutingTableFile.FILE_NAME;
    /** Name-owner keys (one file per key, mode 600). */
    public static final String OWNER_KEYS = "owner-keys";
    /** The control API's token (mode 600) and port; see {@code org.p2pdns.node.control.ControlFiles}. */
    public static final String CONTROL_TOKEN = "control.token";
    public static final String CONTROL_PORT = "control.port";

    /**
     * Creates the data directory (mode 700) if missing and checks that it is a writable directory; the message of the
     * exception says what is wrong.
     */
    public static void ensureWritable(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("data directory " + dir + " is not a directory");
        }
        if (!Files.exists(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IOException("cannot create data directory " + dir + ": " + e.getMessage(), e);
            }
        }
        if (!Files.isWritable(dir) || !Files.isReadable(dir)) {
            throw new IOException("data directory " + dir + " is not readable and writable by this user");
        }
    }

    /** Checks that an existing data directory can be read (a missing one is fine: nothing to read). */
    public static void checkReadable(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("data directory " + dir + " is not a directory");
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw new IOException("data directory " + dir + " is not readable by this user");
        }
    }
}
