package org.p2pdns.node.identity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The node's key on disk ({@code node.key} in the data directory), readable by its owner only.
 *
 * <p>Format (76 bytes, see docs/identity.md): magic {@code "P2PK"}, version 1, key type 1 (Ed25519), two zero bytes,
 * the 32-byte Ed25519 seed, the 32-byte public key, and the first 4 bytes of SHA-256 over the 72 bytes before them.
 * A file that exists but cannot be used is an error ({@link KeyFileException}) and is never replaced: only a missing
 * file is created.
 */
public final class KeyFile {

    /** Name of the key file in a data directory. */
    public static final String FILE_NAME = "node.key";
    /** Size of a version-1 key file. */
    public static final int SIZE = 76;
    /** Current format version. */
    public static final int VERSION = 1;
    /** Key type byte for Ed25519. */
    public static final int TYPE_ED25519 = 1;

    private static final byte[] MAGIC = "P2PK".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> FILE_PERMS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwx------");

    private KeyFile() {
    }

    /** The key file of a data directory. */
    public static Path inDataDir(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** The file's bytes for {@code identity}. */
    public static byte[] encode(NodeIdentity identity) {
        byte[] out = new byte[SIZE];
        System.arraycopy(MAGIC, 0, out, 0, 4);
        out[4] = VERSION;
        out[5] = TYPE_ED25519;
        System.arraycopy(identity.seed(), 0, out, 8, 32);
        System.arraycopy(identity.publicKey(), 0, out, 40, 32);
        System.arraycopy(checksum(out), 0, out, 72, 4);
        return out;
    }

    /** Parses a key file's bytes; {@code path} only names the file in error messages. */
    public static NodeIdentity decode(byte[] data, Path path) throws KeyFileException {
        if (data.length != SIZE) {
            throw new KeyFileException(path, "key file is " + data.length + " bytes, expected " + SIZE
                    + " (truncated or not a key file); restore it from a backup, or move it away to create a new"
                    + " node identity");
        }
        if (!Arrays.equals(MAGIC, 0, 4, data, 0, 4)) {
            throw new KeyFileException(path, "not a p2pdns key file (bad magic); restore it from a backup, or move it"
                    + " away to create a new node identity");
        }
        if (data[4] != VERSION) {
            throw new KeyFileException(path, "unsupported key file version " + (data[4] & 0xff) + " (this build reads "
                    + VERSION + "); use a newer p2pdns build");
        }
        if (data[5] != TYPE_ED25519 || data[6] != 0 || data[7] != 0) {
            throw new KeyFileException(path, "unsupported key type " + (data[5] & 0xff) + " or non-zero reserved bytes;"
                    + " the file is corrupt: restore it from a backup");
        }
        if (!Arrays.equals(checksum(data), 0, 4, data, 72, 76)) {
            throw new KeyFileException(path, "checksum mismatch: the key file is corrupt; restore it from a backup, or"
                    + " move it away to create a new node identity");
        }
        byte[] seed = Arrays.copyOfRange(data, 8, 40);
        NodeIdentity id = NodeIdentity.fromSeed(seed);
        Arrays.fill(seed, (byte) 0);
        if (!Arrays.equals(id.publicKey(), Arrays.copyOfRange(data, 40, 72))) {
            throw new KeyFileException(path, "stored public key does not match the private key: the key file is"
                    + " corrupt; restore it from a backup");
        }
        return id;
    }

    /** Loads the key at {@code file}; any problem (missing, unreadable, wrong permissions, corrupt) is thrown. */
    public static NodeIdentity load(Path file) throws KeyFileException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "key file does not exist", e);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read the key file's attributes (" + e + "); check that the data"
                    + " directory is accessible to this user", e);
        }
        if (!attrs.isRegularFile()) {
            throw new KeyFileException(file, "is not a regular file; remove or rename it");
        }
        if (attrs.size() != SIZE) {
            throw new KeyFileException(file, "key file is " + attrs.size() + " bytes, expected " + SIZE
                    + " (truncated or not a key file); restore it from a backup, or move it away to create a new"
                    + " node identity");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            Set<PosixFilePermission> perms;
            try {
                perms = posix.readAttributes().permissions();
            } catch (IOException e) {
                throw new KeyFileException(file, "cannot read the key file's permissions (" + e + ")", e);
            }
            if (perms.stream().anyMatch(p -> p != PosixFilePermission.OWNER_READ
                    && p != PosixFilePermission.OWNER_WRITE)) {
                throw new KeyFileException(file, "permissions are " + PosixFilePermissions.toString(perms)
                        + " but the private key must be accessible to its owner only; run: chmod 600 " + file);
            }
        }
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new KeyFileException(file, "permission denied reading the key file; run the node as the file's owner"
                    + " (the file must be mode 600, owned by that user)", e);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read the key file (" + e + ")", e);
        }
        return decode(data, file);
    }

    /**
     * Writes {@code identity} to {@code file}, which must not exist (never overwrites): mode 600, parent directories
     * created with mode 700. The content appears at {@code file} complete or not at all.
     */
    public static void create(Path file, NodeIdentity identity) throws KeyFileException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir.getRoot(), PosixFileAttributeView.class) != null;
        try {
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMS));
                    Files.setPosixFilePermissions(dir, DIR_PERMS);
                } else {
                    Files.createDirectories(dir);
                }
            }
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot create the data directory " + dir + " (" + e + ")", e);
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new KeyFileException(file, "refusing to overwrite an existing key file");
        }
        Path tmp = dir.resolve(file.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
        try {
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMS)}
                    : new FileAttribute<?>[0];
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), attrs)) {
                if (posix) {
                    Files.setPosixFilePermissions(tmp, FILE_PERMS); // in case the umask took more than 077 allows
                }
                ByteBuffer buf = ByteBuffer.wrap(encode(identity));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                // a hard link fails if the target exists, unlike rename, so a racing writer's key is never replaced
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, file);
            }
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException(file, "refusing to overwrite an existing key file", e);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot write the key file (" + e + "); check that the data directory is"
                    + " writable", e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temp file holds no secret the real file does not, and is mode 600
            }
        }
    }

    /**
     * Loads the key at {@code file}, or, only if no file exists there, creates one from {@code generator}. An existing
     * file that cannot be used is an error, never replaced.
     */
    public static NodeIdentity loadOrCreate(Path file, Supplier<NodeIdentity> generator) throws KeyFileException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            NodeIdentity fresh = generator.get();
            create(file, fresh);
            return fresh;
        }
        return load(file);
    }

    /**
     * The node's identity for a network whose ids need {@code difficultyBits} of proof of work: the key in
     * {@code dataDir}, or, only if none exists, a new one generated from {@code random} (with {@code progress}) and
     * saved. A stored key whose id lacks the work is an error, not replaced.
     */
    public static NodeIdentity loadOrGenerate(Path dataDir, int difficultyBits, java.util.Random random,
                                              IdProofOfWork.Progress progress) throws KeyFileException {
        Path file = inDataDir(dataDir);
        NodeIdentity id = loadOrCreate(file, () -> IdProofOfWork.generate(random, difficultyBits, progress));
        if (!id.satisfies(difficultyBits)) {
            throw new KeyFileException(file, "the node id carries " + IdProofOfWork.workBits(id.id())
                    + " bits of proof of work but this network requires " + difficultyBits
                    + "; move the key file away to generate a new node identity for this network");
        }
        return id;
    }

    private static byte[] checksum(byte[] data) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(data, 0, 72);
            return Arrays.copyOf(sha.digest(), 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
