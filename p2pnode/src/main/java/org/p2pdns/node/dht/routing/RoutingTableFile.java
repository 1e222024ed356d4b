package org.p2pdns.node.dht.routing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.WireException;

/**
 * The routing table's contacts saved in the data directory, so a restarted node rejoins at once.
 *
 * <p>Layout: magic "P2RT", version byte (1), saved-at epoch millis (8 bytes), the contact list as
 * {@link DhtCodec#encodeContactList} writes it (2-byte count, then per contact: 32-byte key, family 4|6, address, port),
 * CRC-32 of everything before it (4 bytes). Written to a temporary file and moved into place, so a crash never leaves a
 * half-written file. A file that fails any check is reported with {@link CorruptFileException}, never half-loaded.
 */
public final class RoutingTableFile {

    /** Default file name inside the data directory. */
    public static final String FILE_NAME = "routing-table.bin";
    /** Most contacts saved (more than any real table holds). */
    public static final int MAX_CONTACTS = 10_000;

    private static final byte[] MAGIC = {'P', '2', 'R', 'T'};
    private static final int VERSION = 1;

    /** The file exists but is not a valid routing-table file. */
    public static final class CorruptFileException extends IOException {
        private static final long serialVersionUID = 1L;

        public CorruptFileException(Path file, String why) {
            super("corrupt routing-table file " + file + ": " + why);
        }
    }

    /** What a file held. */
    public record Saved(long savedAtMillis, List<Contact> contacts) {
    }

    private RoutingTableFile() {
    }

    /** Writes {@code contacts} (at most {@link #MAX_CONTACTS}) atomically to {@code file}. */
    public static void save(Path file, List<Contact> contacts, long nowMillis) throws IOException {
        List<Contact> keep = contacts.size() > MAX_CONTACTS ? contacts.subList(0, MAX_CONTACTS) : contacts;
        byte[] list = DhtCodec.encodeContactList(keep);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 1 + 8 + list.length + 4);
        b.put(MAGIC).put((byte) VERSION).putLong(nowMillis).put(list);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp");
        try {
            Files.write(tmp, b.array());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads {@code file}. Returns an empty list if it does not exist; throws {@link CorruptFileException} if it is
     * not a valid file of this format (the caller logs it and joins through its bootstrap addresses instead).
     */
    public static Saved load(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Saved(0, List.of());
        }
        int head = MAGIC.length + 1 + 8;
        if (all.length < head + 2 + 4) {
            throw new CorruptFileException(file, "only " + all.length + " bytes");
        }
        if (!Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new CorruptFileException(file, "bad magic");
        }
        if (all[MAGIC.length] != VERSION) {
            throw new CorruptFileException(file, "unknown version " + (all[MAGIC.length] & 0xff));
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 4);
        int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new CorruptFileException(file, "checksum mismatch");
        }
        long savedAt = ByteBuffer.wrap(all, MAGIC.length + 1, 8).getLong();
        try {
            List<Contact> contacts = DhtCodec.decodeContactList(Arrays.copyOfRange(all, head, all.length - 4));
            if (contacts.size() > MAX_CONTACTS) {
                throw new CorruptFileException(file, contacts.size() + " contacts");
            }
            return new Saved(savedAt, contacts);
        } catch (WireException e) {
            throw new CorruptFileException(file, e.getMessage());
        }
    }

    /** Like {@link #load} but a missing or corrupt file gives an empty list (logged): for node start-up. */
    public static List<Contact> loadOrEmpty(Path file) {
        try {
            return load(file).contacts();
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(RoutingTableFile.class)
                    .warn("ignoring routing-table file, joining through bootstrap addresses: {}", e.getMessage());
            return List.of();
        }
    }
}
