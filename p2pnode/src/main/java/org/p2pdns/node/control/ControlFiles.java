package org.p2pdns.node.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/** The control API's files in the data directory: the secret token (owner-only) and the port of the running node. */
public final class ControlFiles {

    /** File holding the token, mode 600. */
    public static final String TOKEN_FILE = "control.token";
    /** File holding the control API's TCP port while a node runs. */
    public static final String PORT_FILE = "control.port";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private ControlFiles() {
    }

    /** Creates a fresh random token file (replacing an old one), readable by the owner only; returns the token. */
    public static String newToken(Path dataDir, SecureRandom random) throws IOException {
        byte[] b = new byte[32];
        random.nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        writeOwnerOnly(dataDir.resolve(TOKEN_FILE), token + "\n");
        return token;
    }

    /** Writes {@code content} to {@code file} atomically with mode 600 (never readable by others, not even briefly). */
    public static void writeOwnerOnly(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create " + tmp, e);
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes the port file. */
    public static void writePort(Path dataDir, int port) throws IOException {
        writeOwnerOnly(dataDir.resolve(PORT_FILE), port + "\n");
    }

    /** Removes the port file (on clean shutdown), so clients know no node runs. */
    public static void removePort(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(PORT_FILE));
        } catch (IOException e) {
            // a stale port file only makes clients try a closed port and report "no node running"
        }
    }

    /** Reads the token, or {@code null} if there is none. */
    public static String readToken(Path dataDir) throws IOException {
        Path f = dataDir.resolve(TOKEN_FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        String t = Files.readString(f, StandardCharsets.UTF_8).strip();
        return t.isEmpty() ? null : t;
    }

    /** Reads the port, or -1 if there is no valid port file. */
    public static int readPort(Path dataDir) throws IOException {
        Path f = dataDir.resolve(PORT_FILE);
        if (!Files.isRegularFile(f)) {
            return -1;
        }
        try {
            int p = Integer.parseInt(Files.readString(f, StandardCharsets.UTF_8).strip());
            return p >= 1 && p <= 65535 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
