package org.p2pdns.cli.resolver;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.node.config.HostPort;

/**
 * Points the system resolver at the DNS bridge for the overlay zone only, and undoes it exactly.
 *
 * <p>Two kinds of system are handled: systemd-resolved (a drop-in in {@code /etc/systemd/resolved.conf.d/} with
 * {@code DNS=} the bridge and {@code Domains=~tld}, a routing-only domain) and dnsmasq (a file in
 * {@code /etc/dnsmasq.d/} with {@code server=/tld/ip#port}). A plain {@code /etc/resolv.conf} cannot send one zone to
 * one server (nor use a port other than 53), so it is refused with an explanation rather than taken over. Every file
 * written is backed up first (or noted as absent) in a manifest in the data directory, which {@link #undo} replays.
 * All paths are under {@code root} so tests (and chroots) can run it on a copy of a file system.
 */
public final class SystemResolver {

    /** How the system resolves names. */
    public enum Method { SYSTEMD_RESOLVED, DNSMASQ, PLAIN_RESOLV_CONF }

    /** Runs a system command (restarting a service); returns its exit code. */
    @FunctionalInterface
    public interface CommandRunner {
        int run(List<String> command) throws IOException, InterruptedException;
    }

    /** One file the setup wrote, and how to restore it. */
    public record FileChange(String path, boolean existed, String backup) {
    }

    /** What {@link #setup} did, saved as JSON in the data directory. */
    public record Manifest(Method method, String tld, String bridge, List<FileChange> files, List<String> reload) {
    }

    static final String MANIFEST = "resolver-manifest.json";
    static final String BACKUP_DIR = "resolver-backup";

    private final Path root;
    private final Path dataDir;
    private final CommandRunner runner;
    private final ObjectMapper json = new ObjectMapper();

    public SystemResolver(Path root, Path dataDir, CommandRunner runner) {
        this.root = root;
        this.dataDir = dataDir;
        this.runner = runner;
    }

    private Path p(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** Finds how this system resolves names. */
    public Method detect() throws IOException {
        Path resolvConf = p("/etc/resolv.conf");
        if (Files.isSymbolicLink(resolvConf)
                && Files.readSymbolicLink(resolvConf).toString().contains("systemd/resolve")) {
            return Method.SYSTEMD_RESOLVED;
        }
        if (Files.isRegularFile(resolvConf)) {
            String text = Files.readString(resolvConf, StandardCharsets.UTF_8);
            if (text.contains("127.0.0.53") && Files.isDirectory(p("/run/systemd/resolve"))) {
                return Method.SYSTEMD_RESOLVED;
            }
        }
        if (Files.isDirectory(p("/etc/dnsmasq.d"))) {
            return Method.DNSMASQ;
        }
        return Method.PLAIN_RESOLV_CONF;
    }

    /** The file the setup writes for {@code method}. */
    static String configFile(Method method, String tld) {
        return switch (method) {
            case SYSTEMD_RESOLVED -> "/etc/systemd/resolved.conf.d/p2pdns-" + tld + ".conf";
            case DNSMASQ -> "/etc/dnsmasq.d/p2pdns-" + tld + ".conf";
            case PLAIN_RESOLV_CONF -> throw new IllegalArgumentException("no file for plain resolv.conf");
        };
    }

    /** Its content. */
    static String configText(Method method, String tld, HostPort bridge) {
        String header = "# written by 'p2p resolver setup': send *." + tld + " to the p2pdns DNS bridge\n"
                + "# 'p2p resolver undo' removes it and restores what was here before\n";
        return switch (method) {
            case SYSTEMD_RESOLVED -> header + "[Resolve]\nDNS=" + bridge + "\nDomains=~" + tld + "\n";
            case DNSMASQ -> header + "server=/" + tld + "/" + bridge.host() + "#" + bridge.port() + "\n";
            case PLAIN_RESOLV_CONF -> throw new IllegalArgumentException("no file for plain resolv.conf");
        };
    }

    static List<String> reloadCommand(Method method) {
        return switch (method) {
            case SYSTEMD_RESOLVED -> List.of("systemctl", "restart", "systemd-resolved");
            case DNSMASQ -> List.of("systemctl", "restart", "dnsmasq");
            case PLAIN_RESOLV_CONF -> List.of();
        };
    }

    /** The saved manifest, or null when the setup is not in place. */
    public Manifest manifest() throws IOException {
        Path m = dataDir.resolve(MANIFEST);
        return Files.isRegularFile(m) ? json.readValue(m.toFile(), Manifest.class) : null;
    }

    /**
     * Writes the configuration for {@code tld} → {@code bridge}, backing up what it replaces, then reloads the
     * resolver. Returns the manifest; throws {@link ResolverException} when the system cannot be configured.
     */
    public Manifest setup(String tld, HostPort bridge, List<String> log) throws IOException, InterruptedException {
        if (manifest() != null) {
            throw new ResolverException("already set up (see 'p2p resolver status'); run 'p2p resolver undo' first");
        }
        Method method = detect();
        if (method == Method.PLAIN_RESOLV_CONF) {
            throw new ResolverException("this system uses a plain /etc/resolv.conf, which cannot send only *." + tld
                    + " to another server (nor use port " + bridge.port() + "); install systemd-resolved or dnsmasq,"
                    + " or query the bridge directly: dig @" + bridge.host() + " -p " + bridge.port() + " name." + tld);
        }
        String file = configFile(method, tld);
        Path target = p(file);
        Path backups = dataDir.resolve(BACKUP_DIR);
        Files.createDirectories(backups);
        List<FileChange> changes = new ArrayList<>();
        boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        String backup = "";
        if (existed) {
            Path b = backups.resolve(target.getFileName().toString());
            Files.copy(target, b, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                    LinkOption.NOFOLLOW_LINKS);
            backup = b.toString();
        }
        changes.add(new FileChange(file, existed, backup));
        List<String> reload = reloadCommand(method);
        Manifest manifest = new Manifest(method, tld, bridge.toString(), changes, reload);
        // the manifest first: if writing the file fails half-way, undo still knows what to restore
        json.writeValue(dataDir.resolve(MANIFEST).toFile(), manifest);
        Files.createDirectories(target.getParent());
        Files.writeString(target, configText(method, tld, bridge), StandardCharsets.UTF_8);
        log.add("wrote " + target + " (" + method.name().toLowerCase(java.util.Locale.ROOT) + ")");
        reload(reload, log);
        return manifest;
    }

    /** Restores every file the setup changed, reloads the resolver and forgets the manifest. */
    public Manifest undo(List<String> log) throws IOException, InterruptedException {
        Manifest m = manifest();
        if (m == null) {
            throw new ResolverException("nothing to undo: 'p2p resolver setup' has not been run with this data directory");
        }
        for (FileChange c : m.files()) {
            Path target = p(c.path());
            if (c.existed()) {
                Files.copy(Path.of(c.backup()), target, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                Files.delete(Path.of(c.backup()));
                log.add("restored " + target);
            } else {
                Files.deleteIfExists(target);
                log.add("removed " + target);
            }
        }
        reload(m.reload(), log);
        Files.delete(dataDir.resolve(MANIFEST));
        return m;
    }

    /** True when the file the setup wrote is still there with the content it wrote. */
    public boolean inPlace(Manifest m) throws IOException {
        Path target = p(configFile(m.method(), m.tld()));
        return Files.isRegularFile(target) && Files.readString(target, StandardCharsets.UTF_8)
                .equals(configText(m.method(), m.tld(), HostPort.parse(m.bridge(), true)));
    }

    private void reload(List<String> command, List<String> log) throws InterruptedException {
        if (command.isEmpty()) {
            return;
        }
        try {
            int code = runner.run(command);
            log.add(String.join(" ", command) + (code == 0 ? "" : " failed with exit code " + code
                    + ": restart the resolver yourself"));
        } catch (IOException e) {
            log.add("could not run '" + String.join(" ", command) + "' (" + e.getMessage()
                    + "): restart the resolver yourself");
        }
    }

    /** A system that cannot be set up (the message says why and what to do). */
    public static final class ResolverException extends IOException {
        private static final long serialVersionUID = 1L;

        public ResolverException(String message) {
            super(message);
        }
    }
}
