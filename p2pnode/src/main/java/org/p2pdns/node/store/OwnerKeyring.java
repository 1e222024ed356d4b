package org.p2pdns.node.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.p2pdns.node.record.OwnerKey;

/**
 * The owner keys of this node's user (separate from the node key), one text file per key in
 * {@code <data dir>/owner-keys/<alias>.key}, readable by the owner only (0600; directory 0700).
 *
 * <p>File and export format (UTF-8 text, one {@code field: value} per line, see docs/names.md):
 * <pre>
 * p2pdns-owner-key-v1
 * alias: shop
 * public: &lt;52-char base32 public key, the self-certifying label&gt;
 * seed: &lt;64 hex digits of the Ed25519 private seed&gt;
 * </pre>
 */
public final class OwnerKeyring {

    /** First line of a key file. */
    public static final String HEADER = "p2pdns-owner-key-v1";
    /** Subdirectory of the data directory. */
    public static final String DIRECTORY = "owner-keys";

    /** One key as listed: its alias and public key. */
    public record Entry(String alias, byte[] publicKey) {
        /** The public key as a self-certifying label (52 base32 characters). */
        public String label() {
            return org.p2pdns.node.record.OverlayName.selfCertifyingLabel(publicKey);
        }
    }

    private final Path dir;
    private final SecureRandom random;

    public OwnerKeyring(Path dataDir, SecureRandom random) {
        this.dir = dataDir.resolve(DIRECTORY);
        this.random = random;
    }

    /** The directory holding the key files. */
    public Path directory() {
        return dir;
    }

    /** Generates and stores a new key under {@code alias}; refuses an alias in use. */
    public Entry generate(String alias) throws IOException {
        OwnerKey key = OwnerKey.generate(random);
        write(alias, key);
        return new Entry(alias, key.publicKey());
    }

    /** Every stored key, sorted by alias. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.key")) {
            for (Path f : files) {
                String alias = f.getFileName().toString().replaceFirst("\\.key$", "");
                out.add(new Entry(alias, load(alias).publicKey()));
            }
        }
        out.sort((a, b) -> a.alias().compareTo(b.alias()));
        return out;
    }

    /** The key stored under {@code alias}. */
    public OwnerKey load(String alias) throws IOException {
        Path f = file(alias);
        if (!Files.exists(f)) {
            throw new java.nio.file.NoSuchFileException(f.toString(), null, "no owner key with alias '" + alias + "'");
        }
        try {
            return parse(Files.readString(f, StandardCharsets.UTF_8)).getValue();
        } catch (IllegalArgumentException e) {
            throw new IOException("owner key file " + f + " is not valid: " + e.getMessage(), e);
        }
    }

    /** The stored key whose public key is {@code publicKey}, if any. */
    public Optional<OwnerKey> findByPublicKey(byte[] publicKey) throws IOException {
        for (Entry e : list()) {
            if (Arrays.equals(e.publicKey(), publicKey)) {
                return Optional.of(load(e.alias()));
            }
        }
        return Optional.empty();
    }

    /** The export text of the key {@code alias} (contains the private seed). */
    public String export(String alias) throws IOException {
        return format(alias, load(alias));
    }

    /**
     * Imports an exported key; stores it under {@code alias} or, when null, under the alias in the text. Refuses an
     * alias in use.
     */
    public Entry importKey(String text, String alias) throws IOException {
        Map.Entry<String, OwnerKey> parsed = parse(text);
        String a = alias != null ? alias : parsed.getKey();
        write(a, parsed.getValue());
        return new Entry(a, parsed.getValue().publicKey());
    }

    /** Deletes the key {@code alias}; true if it existed. */
    public boolean delete(String alias) throws IOException {
        return Files.deleteIfExists(file(alias));
    }

    static String format(String alias, OwnerKey key) {
        return HEADER + "\nalias: " + alias + "\npublic: " + key.selfCertifyingLabel() + "\nseed: "
                + HexFormat.of().formatHex(key.seed()) + "\n";
    }

    /** Parses a key file or export; checks that the public key matches the seed. */
    static Map.Entry<String, OwnerKey> parse(String text) {
        String[] lines = text.strip().split("\\R");
        if (lines.length == 0 || !lines[0].strip().equals(HEADER)) {
            throw new IllegalArgumentException("not an owner key: first line must be '" + HEADER + "'");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not 'field: value'");
            }
            fields.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        String alias = fields.get("alias");
        String pub = fields.get("public");
        String seed = fields.get("seed");
        if (alias == null || pub == null || seed == null) {
            throw new IllegalArgumentException("an owner key needs the fields alias, public and seed");
        }
        checkAlias(alias);
        if (!seed.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("seed must be 64 hex digits");
        }
        OwnerKey key = OwnerKey.fromSeed(HexFormat.of().parseHex(seed));
        if (!key.selfCertifyingLabel().equals(pub.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("public key does not match the seed");
        }
        return Map.entry(alias, key);
    }

    static void checkAlias(String alias) {
        if (alias == null || !alias.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("alias must be 1-64 letters, digits, '_' or '-', got '" + alias + "'");
        }
    }

    private Path file(String alias) {
        checkAlias(alias);
        return dir.resolve(alias + ".key");
    }

    private void write(String alias, OwnerKey key) throws IOException {
        Path f = file(alias);
        createPrivateDirectory();
        if (Files.exists(f)) {
            throw new FileAlreadyExistsException(f.toString(), null, "an owner key with alias '" + alias
                    + "' exists already");
        }
        // write under a temporary name created with 0600 from the start, then move: never a readable moment,
        // never a half-written key file
        Path tmp = dir.resolve("." + alias + ".tmp");
        Files.deleteIfExists(tmp);
        if (posix()) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, format(alias, key), StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
    }

    private void createPrivateDirectory() throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix()) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    private boolean posix() {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
