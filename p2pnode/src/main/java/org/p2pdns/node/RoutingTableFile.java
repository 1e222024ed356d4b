package org.p2pdns.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.p2pdns.node.config.IpLiterals;
import org.p2pdns.node.dht.Contact;

/**
 * The routing table saved at shutdown ({@code routing.table} in the data directory) so that a restart rejoins without
 * a bootstrap peer. Text, one contact per line: {@code <public key hex> <ip> <port>}. Loading skips lines that do not
 * parse (counted) instead of failing: the DHT checks every contact again before it uses it.
 */
public final class RoutingTableFile {

    /** Most contacts saved or loaded. */
    public static final int MAX_CONTACTS = 5000;
    static final long MAX_BYTES = 1 << 20;

    private RoutingTableFile() {
    }

    /** The contacts in {@code file}, and how many lines were skipped. */
    public record Loaded(List<Contact> contacts, int skipped) {
    }

    /** Writes {@code contacts} atomically (a crash leaves the old file or the new one). */
    public static void save(Path file, List<Contact> contacts) throws IOException {
        StringBuilder b = new StringBuilder("# p2pdns routing table: public-key-hex ip port\n");
        int n = 0;
        for (Contact c : contacts) {
            if (n++ >= MAX_CONTACTS) {
                break;
            }
            b.append(HexFormat.of().formatHex(c.publicKey())).append(' ')
                    .append(c.address().getAddress().getHostAddress()).append(' ')
                    .append(c.address().getPort()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads {@code file}; a missing file is an empty table. */
    public static Loaded load(Path file) throws IOException {
        List<Contact> out = new ArrayList<>();
        int skipped = 0;
        List<String> lines;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return new Loaded(List.of(), 1);
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Loaded(List.of(), 0);
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.strip().split(" ");
            try {
                if (f.length != 3 || !f[0].matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("bad line");
                }
                InetAddress ip = IpLiterals.parse(f[1]);
                int port = Integer.parseInt(f[2]);
                if (ip == null || port < 1 || port > 65535) {
                    throw new IllegalArgumentException("bad address");
                }
                out.add(Contact.of(HexFormat.of().parseHex(f[0]), new InetSocketAddress(ip, port)));
            } catch (IllegalArgumentException e) {
                skipped++;
                continue;
            }
            if (out.size() >= MAX_CONTACTS) {
                break;
            }
        }
        return new Loaded(out, skipped);
    }
}
