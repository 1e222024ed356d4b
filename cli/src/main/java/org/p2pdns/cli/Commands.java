package org.p2pdns.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.p2pdns.node.config.ConfigException;
import org.p2pdns.node.config.ConfigKey;
import org.p2pdns.node.config.ConfigLoader;
import org.p2pdns.node.config.DataDirLayout;
import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.control.ControlClient;
import org.p2pdns.node.control.ControlException;
import org.p2pdns.node.control.NodeStatus;
import org.p2pdns.node.control.PublishReply;
import org.p2pdns.node.control.PublishRequest;
import org.p2pdns.node.control.ResolveReply;

/** What each mode of {@code p2p} does; every user error becomes a {@link CliException} with its exit code. */
final class Commands {

    private final P2pCommand.Context context;
    private final GlobalOptions global;
    private final PrintWriter out;
    private final Progress progress;

    Commands(P2pCommand.Context context, GlobalOptions global) {
        this.context = context;
        this.global = global;
        this.out = context.io().out();
        this.progress = new Progress(context.io().err(), global.quiet, global.verbose);
    }

    Path dataDir() {
        return ConfigLoader.dataDir(global.dataDir, context.io().env(), context.io().home());
    }

    /** Loads the configuration; a bad flag value is a usage error, a bad file or environment value a config error. */
    NodeConfig config(Map<ConfigKey, String> flags) {
        Path dir = dataDir();
        try {
            DataDirLayout.checkReadable(dir);
            return ConfigLoader.load(dir, context.io().env(), flags);
        } catch (IOException e) {
            throw new CliException(ExitCode.CONFIG, e.getMessage());
        } catch (ConfigException e) {
            ConfigKey k = e.key() == null ? null : ConfigKey.byKey(e.key());
            boolean fromFlag = k != null && flags.containsKey(k) && e.getMessage().contains("(command line)");
            throw new CliException(fromFlag ? ExitCode.USAGE : ExitCode.CONFIG, e.getMessage());
        }
    }

    int startNode(Map<ConfigKey, String> flags) throws Exception {
        NodeConfig config = config(flags);
        try {
            DataDirLayout.ensureWritable(config.dataDir());
        } catch (IOException e) {
            throw new CliException(ExitCode.CONFIG, e.getMessage());
        }
        progress.step("starting node, data directory " + config.dataDir());
        try (Launcher.Service node = context.launcher().startNode(config, progress)) {
            progress.step(node.describe());
            progress.step("running; Ctrl-C stops it");
            context.stopRequested().get();
            progress.step("stopping");
        }
        return ExitCode.OK;
    }

    int introServer(Map<ConfigKey, String> flags) throws Exception {
        NodeConfig config = config(flags);
        try (Launcher.Service server = context.launcher().startIntroServer(config, progress)) {
            progress.step(server.describe());
            progress.step("running; Ctrl-C stops it");
            context.stopRequested().get();
            progress.step("stopping");
        }
        return ExitCode.OK;
    }

    /**
     * The quick path of {@code --query}: asks the running node and prints the answer; returns null (having printed
     * nothing) when no node runs, so the caller can go the full way.
     */
    Integer queryRunningNode(String domain, P2pCommand.QueryType type) throws IOException {
        NodeConfig config = config(Map.of());
        String name = Names.overlayName(domain, config.network().tld());
        try {
            return printResolution(name, type, client(config).resolve(name), "node");
        } catch (ControlException e) {
            if (e.kind() == ControlException.Kind.UNREACHABLE) {
                return null;
            }
            throw controlFailure(e);
        }
    }

    int query(Map<ConfigKey, String> flags, String domain, P2pCommand.QueryType type) throws Exception {
        NodeConfig config = config(flags);
        String name = Names.overlayName(domain, config.network().tld());
        ResolveReply reply;
        String via;
        try {
            reply = client(config).resolve(name);
            via = "node";
        } catch (ControlException e) {
            if (e.kind() != ControlException.Kind.UNREACHABLE) {
                throw controlFailure(e);
            }
            if (config.bootstrap().isEmpty() && config.intro().isEmpty()
                    && !java.nio.file.Files.exists(config.dataDir().resolve(DataDirLayout.ROUTING_TABLE))) {
                throw new CliException(ExitCode.NODE_UNREACHABLE, e.getMessage()
                        + "; or give --bootstrap/--intro for a one-shot lookup");
            }
            progress.step("no running node: resolving through a temporary node");
            try {
                reply = context.launcher().resolveOnce(config, name, progress);
            } catch (CliException ce) {
                throw ce;
            } catch (IOException | ExecutionException | RuntimeException ex) {
                throw new CliException(ExitCode.FAILED, "one-shot lookup failed: " + oneLine(ex));
            }
            via = "one-shot";
        }
        return printResolution(name, type, reply, via);
    }

    private int printResolution(String name, P2pCommand.QueryType type, ResolveReply reply, String via)
            throws IOException {
        String fqdn = name + ".";
        List<ResolveReply.Rr> matching = new ArrayList<>();
        for (ResolveReply.Rr rr : reply.records()) {
            boolean sameName = rr.name().equalsIgnoreCase(fqdn);
            boolean typeOk = type == null || rr.type().equals(type.name())
                    || (rr.type().equals("CNAME") && sameName);
            if (sameName && typeOk) {
                matching.add(rr);
            }
        }
        int code = switch (reply.status()) {
            case "FOUND" -> matching.isEmpty() ? ExitCode.NODATA : ExitCode.OK;
            case "NOT_FOUND" -> ExitCode.NXDOMAIN;
            case "TIMEOUT", "NO_PEERS" -> ExitCode.TIMEOUT;
            case "INVALID", "OWNER_CHANGED" -> ExitCode.REFUSED;
            case "BAD_NAME" -> ExitCode.USAGE;
            default -> ExitCode.FAILED;
        };
        if (global.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", fqdn);
            j.put("type", type == null ? "ANY" : type.name());
            j.put("status", code == ExitCode.NODATA ? "NODATA" : reply.status());
            j.put("records", matching);
            j.put("ttl", reply.ttl());
            j.put("sequence", reply.sequence());
            j.put("stale", reply.stale());
            j.put("detail", reply.detail());
            j.put("via", via);
            printJson(j);
            return code;
        }
        switch (code) {
            case ExitCode.OK -> {
                for (ResolveReply.Rr rr : matching) {
                    out.println(rr.toZoneLine());
                }
                if (reply.stale()) {
                    progress.warn("stale answer: served from cache, the DHT could not be reached");
                }
            }
            case ExitCode.NODATA -> context.io().err().println(fqdn + " has no " + type + " records");
            case ExitCode.NXDOMAIN -> context.io().err().println(fqdn + ": NXDOMAIN (no record for this name)");
            default -> context.io().err().println(fqdn + ": " + reply.status().toLowerCase(Locale.ROOT)
                    .replace('_', ' ') + (reply.detail().isEmpty() ? "" : ": " + reply.detail()));
        }
        out.flush();
        return code;
    }

    int register(P2pCommand.Register r) throws Exception {
        NodeConfig config = config(Map.of());
        String name = Names.overlayName(r.domain, config.network().tld());
        long ttl = r.ttl == null ? 3600 : r.ttl;
        if (r.key != null) {
            KeysCommand.checkAlias(r.key);
        }
        if (ttl < 1 || ttl > 86400) {
            throw new CliException(ExitCode.USAGE, "--ttl: must be in 1..86400 seconds, got " + ttl);
        }
        RecordSetBuilder b = new RecordSetBuilder(name, ttl);
        r.a.forEach(b::a);
        r.aaaa.forEach(b::aaaa);
        r.txt.forEach(b::txt);
        r.mx.forEach(b::mx);
        r.srv.forEach(b::srv);
        r.caa.forEach(b::caa);
        if (r.cname != null) {
            b.cname(r.cname);
        }
        if (r.zoneFile != null) {
            b.zoneFile(r.zoneFile);
        }
        List<ResolveReply.Rr> rrs = RecordSetBuilder.toWire(b.build());
        PublishReply reply;
        try {
            ControlClient client = client(config);
            progress.step("publishing " + rrs.size() + " record(s) for " + name + " (a first registration computes a"
                    + " proof of work of " + config.network().nameDifficultyBits() + " bits: a few seconds)");
            reply = client.publish(new PublishRequest(name, rrs, ttl, r.key));
        } catch (ControlException e) {
            throw controlFailure(e);
        }
        return printPublish(reply, "registered");
    }

    int lapse(String domain) throws Exception {
        return nameCommand(domain, ControlClient::lapse, "lapsed");
    }

    int acceptOwner(String domain) throws Exception {
        return nameCommand(domain, ControlClient::acceptOwner, "accepted");
    }

    /** A control-API command on one overlay name (lapse, accept-owner), printed like a publish. */
    private int nameCommand(String domain, NameCall call, String verb) throws Exception {
        NodeConfig config = config(Map.of());
        String name = Names.overlayName(domain, config.network().tld());
        PublishReply reply;
        try {
            reply = call.apply(client(config), name);
        } catch (ControlException e) {
            throw controlFailure(e);
        }
        return printPublish(reply, verb);
    }

    @FunctionalInterface
    private interface NameCall {
        PublishReply apply(ControlClient client, String name) throws ControlException;
    }

    private int printPublish(PublishReply reply, String verb) throws IOException {
        int code = switch (reply.status()) {
            case PUBLISHED, STORED_LOCALLY, LAPSED, OWNER_ACCEPTED -> ExitCode.OK;
            case REFUSED, INVALID -> ExitCode.REFUSED;
            case NOT_OWNED, FAILED -> ExitCode.FAILED;
        };
        if (global.json) {
            printJson(reply);
            return code;
        }
        switch (reply.status()) {
            case PUBLISHED -> out.println(verb + " " + reply.name() + " (sequence " + reply.sequence() + ", stored on "
                    + reply.replicas() + " node" + (reply.replicas() == 1 ? "" : "s") + ")");
            case STORED_LOCALLY -> {
                out.println(verb + " " + reply.name() + " (sequence " + reply.sequence() + ")");
                progress.warn("no peer has stored it yet; the node keeps republishing it"
                        + (reply.detail().isEmpty() ? "" : " (" + reply.detail() + ")"));
            }
            case LAPSED -> out.println("lapsed " + reply.name() + ": no longer renewed, it expires "
                    + (reply.detail().isEmpty() ? "at the end of its lifetime" : reply.detail()));
            case OWNER_ACCEPTED -> out.println("accepted the current owner of " + reply.name()
                    + ": the next query trusts the key it finds");
            default -> context.io().err().println(reply.name() + ": " + reply.status().name().toLowerCase(Locale.ROOT)
                    .replace('_', ' ') + (reply.detail().isEmpty() ? "" : ": " + reply.detail()));
        }
        out.flush();
        return code;
    }

    int status() throws Exception {
        NodeConfig config = config(Map.of());
        NodeStatus s;
        try {
            s = client(config).status();
        } catch (ControlException e) {
            throw controlFailure(e);
        }
        if (global.json) {
            printJson(s);
            return ExitCode.OK;
        }
        out.println("node id:        " + s.nodeId());
        out.println("version:        " + s.version());
        out.println("network:        " + s.network());
        out.println("local address:  " + s.localAddress());
        out.println("public address: " + (s.publicAddress().isEmpty() ? "unknown" : s.publicAddress()));
        out.println("NAT type:       " + s.natType());
        out.println("peers:          " + s.peers());
        out.println("routing table:  " + s.routingTableSize() + " contacts");
        out.println("records held:   " + s.recordsHeld());
        out.println("owned names:    " + (s.ownedNames().isEmpty() ? "none" : String.join(", ", s.ownedNames())));
        out.println("DNS bridge:     " + (s.bridgeAddress().isEmpty() ? "off" : s.bridgeAddress()));
        out.println("intro servers:  " + (s.introServers().isEmpty() ? "none" : String.join(", ", s.introServers())));
        out.println("uptime:         " + Duration.ofSeconds(s.uptimeSeconds()).toString().substring(2).toLowerCase(
                Locale.ROOT));
        out.flush();
        return ExitCode.OK;
    }

    private ControlClient client(NodeConfig config) throws ControlException {
        return ControlClient.forDataDir(config.dataDir(), config.queryTimeout().plusSeconds(5));
    }

    static CliException controlFailure(ControlException e) {
        int code = switch (e.kind()) {
            case UNREACHABLE, UNAUTHORIZED -> ExitCode.NODE_UNREACHABLE;
            case TIMEOUT -> ExitCode.TIMEOUT;
            case BAD_REQUEST -> ExitCode.USAGE;
            case FAILED -> ExitCode.FAILED;
        };
        return new CliException(code, e.getMessage());
    }

    void printJson(Object o) throws IOException {
        out.println(new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).writeValueAsString(o));
        out.flush();
    }

    static String oneLine(Throwable t) {
        Throwable c = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
        String m = c.getMessage();
        return (m == null ? c.getClass().getSimpleName() : m).lines().findFirst().orElse("");
    }
}
