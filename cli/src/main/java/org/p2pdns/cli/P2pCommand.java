package org.p2pdns.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.config.ConfigKey;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code p2p} command: one mode per invocation (start a node, query, register, ...) plus subcommands. */
@Command(name = "p2p", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "Decentralized DNS over a Kademlia DHT: run a node, resolve and register names under the overlay TLD.",
            "Exactly one mode per invocation; a running node is found through its data directory."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (query: found)",
            "1:other failure",
            "2:usage error (unknown flag, invalid domain or address)",
            "3:NXDOMAIN: the name does not exist",
            "4:NODATA: no records of the asked type",
            "5:timeout or no peers",
            "6:no running node for the data directory",
            "7:record refused or untrusted (invalid, owner changed, name taken)",
            "8:configuration or data directory error"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  p2p --start-node                                  run a node and its DNS bridge on 127.0.0.1:5354",
            "  p2p --start-node --intro intro.example.org:7460   join the network of an introduction server",
            "  p2p --query example.p2p --type A                  resolve a name",
            "  p2p --register example.p2p --a 192.0.2.10 --ttl 300",
            "  p2p --register example.p2p --zone-file example.zone",
            "  p2p --lapse example.p2p                           stop renewing a name",
            "  p2p --accept-owner example.p2p                    trust the new owner key of a name",
            "  p2p --status --json",
            "  p2p --intro-server --intro-port 7460              self-host an introduction server",
            "  p2p keys list"
        })
public final class P2pCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode;

    @Mixin
    GlobalOptions global;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "peer to join through (repeatable; --start-node and one-shot --query)")
    List<String> bootstrap = new ArrayList<>();

    @Option(names = "--intro", paramLabel = "HOST:PORT",
            description = "introduction server (repeatable; --start-node and one-shot --query)")
    List<String> intro = new ArrayList<>();

    private final Context context;

    /** What the command runs against: the process surroundings, the launcher and the stop signal. */
    public record Context(Io io, Launcher launcher, CompletableFuture<Void> stopRequested) {
    }

    public P2pCommand(Context context) {
        this.context = context;
    }

    /** The exclusive modes. */
    static final class Mode {
        @ArgGroup(exclusive = false, heading = "%nRun a node:%n", order = 1)
        StartNode start;
        @ArgGroup(exclusive = false, heading = "%nResolve a name:%n", order = 2)
        Query query;
        @ArgGroup(exclusive = false, heading = "%nRegister or update a name (needs a running node):%n", order = 3)
        Register register;
        @ArgGroup(exclusive = false, heading = "%nOther modes:%n", order = 4)
        Other other;
        @ArgGroup(exclusive = false, heading = "%nSelf-host an introduction server:%n", order = 5)
        IntroServer introServer;
    }

    /** {@code --start-node} and its options. */
    static final class StartNode {
        @Option(names = "--start-node", required = true, description = "run a node (and its DNS bridge) until Ctrl-C")
        boolean startNode;
        @Option(names = "--port", paramLabel = "PORT", description = "UDP port of the node (default 7700; 0 = any)")
        String port;
        @Option(names = "--dns", paramLabel = "IP:PORT", description = "address of the DNS bridge (default 127.0.0.1:5354)")
        String dns;
        @Option(names = "--no-dns", description = "run without the DNS bridge")
        boolean noDns;
        @Option(names = "--upnp", description = "ask the router for a port mapping (UPnP IGD)")
        boolean upnp;
    }

    /** {@code --query} and its options. */
    static final class Query {
        @Option(names = "--query", required = true, paramLabel = "DOMAIN", description = "resolve DOMAIN")
        String domain;
        @Option(names = "--type", paramLabel = "TYPE",
                description = "record type: ${COMPLETION-CANDIDATES} (default: every record of the name)")
        QueryType type;
    }

    /** {@code --register} and its options. */
    static final class Register {
        @Option(names = "--register", required = true, paramLabel = "DOMAIN",
                description = "publish DOMAIN's record set (again: update it, with a higher sequence number)")
        String domain;
        @Option(names = "--a", paramLabel = "IP", description = "an IPv4 address (repeatable)")
        List<String> a = new ArrayList<>();
        @Option(names = "--aaaa", paramLabel = "IP", description = "an IPv6 address (repeatable)")
        List<String> aaaa = new ArrayList<>();
        @Option(names = "--txt", paramLabel = "TEXT", description = "a TXT record (repeatable)")
        List<String> txt = new ArrayList<>();
        @Option(names = "--mx", paramLabel = "PREF:HOST", description = "a mail exchanger (repeatable)")
        List<String> mx = new ArrayList<>();
        @Option(names = "--srv", paramLabel = "SERVICE:PROTO:PRIO:WEIGHT:PORT:TARGET",
                description = "a service record at _SERVICE._PROTO.DOMAIN (repeatable)")
        List<String> srv = new ArrayList<>();
        @Option(names = "--cname", paramLabel = "HOST", description = "an alias target (alone at the name)")
        String cname;
        @Option(names = "--caa", paramLabel = "'FLAGS TAG VALUE'", description = "a CAA record (repeatable)")
        List<String> caa = new ArrayList<>();
        @Option(names = "--zone-file", paramLabel = "FILE",
                description = "records in zone-file syntax ($ORIGIN defaults to DOMAIN)")
        Path zoneFile;
        @Option(names = "--ttl", paramLabel = "SECONDS", description = "TTL of the records, 1..86400 (default 3600)")
        Long ttl;
        @Option(names = "--key", paramLabel = "ALIAS",
                description = "owner key to sign with (default: the name's current key, else 'default', created if missing)")
        String key;
    }

    /** {@code --lapse}, {@code --accept-owner} and {@code --status}. */
    static final class Other {
        @Option(names = "--lapse", paramLabel = "DOMAIN",
                description = "stop renewing DOMAIN: its record expires and the name becomes free")
        String lapse;
        @Option(names = "--accept-owner", paramLabel = "DOMAIN",
                description = "forget the owner key remembered for DOMAIN, so that the next query trusts the key it"
                        + " finds (after an owner changed error)")
        String acceptOwner;
        @Option(names = "--status", description = "show the running node: peers, routing table, records, NAT, bridge")
        boolean status;
    }

    /** {@code --intro-server} and its options. */
    static final class IntroServer {
        @Option(names = "--intro-server", required = true, description = "run an introduction server until Ctrl-C")
        boolean introServer;
        @Option(names = "--intro-port", paramLabel = "PORT", description = "its UDP port (default 7460; 0 = any)")
        String port;
        @Option(names = "--stun-port", paramLabel = "PORT", description = "its STUN port (default 3478; -1 = none; 0 = any)")
        String stunPort;
        @Option(names = "--intro-bind", paramLabel = "IP", description = "address to bind (default 0.0.0.0)")
        String bind;
    }

    /** The record types {@code --type} accepts. */
    public enum QueryType { A, AAAA, TXT, MX, SRV, CNAME, CAA }

    @Override
    public Integer call() throws Exception {
        Commands cmd = new Commands(context, global);
        if (mode == null) {
            context.io().err().println("p2p: choose a mode, e.g. --start-node or --query DOMAIN (see p2p --help)");
            return ExitCode.USAGE;
        }
        boolean joins = mode.start != null || mode.query != null;
        if (!joins && (!bootstrap.isEmpty() || !intro.isEmpty())) {
            throw new CliException(ExitCode.USAGE, "--bootstrap and --intro go with --start-node or --query");
        }
        Map<ConfigKey, String> flags = new java.util.EnumMap<>(ConfigKey.class);
        if (!bootstrap.isEmpty()) {
            flags.put(ConfigKey.BOOTSTRAP, String.join(",", bootstrap));
        }
        if (!intro.isEmpty()) {
            flags.put(ConfigKey.INTRO, String.join(",", intro));
        }
        if (mode.start != null) {
            StartNode s = mode.start;
            if (s.noDns && s.dns != null) {
                throw new CliException(ExitCode.USAGE, "--dns and --no-dns cannot be used together");
            }
            putIf(flags, ConfigKey.PORT, s.port);
            putIf(flags, ConfigKey.DNS_ADDRESS, s.dns);
            if (s.noDns) {
                flags.put(ConfigKey.DNS_ENABLED, "false");
            }
            if (s.upnp) {
                flags.put(ConfigKey.UPNP, "true");
            }
            return cmd.startNode(flags);
        }
        if (mode.query != null) {
            return cmd.query(flags, mode.query.domain, mode.query.type);
        }
        if (mode.register != null) {
            return cmd.register(mode.register);
        }
        if (mode.other != null) {
            Other o = mode.other;
            int chosen = (o.lapse != null ? 1 : 0) + (o.acceptOwner != null ? 1 : 0) + (o.status ? 1 : 0);
            if (chosen > 1) {
                throw new CliException(ExitCode.USAGE, "--lapse, --accept-owner and --status cannot be used together");
            }
        }
        if (mode.other != null && mode.other.lapse != null) {
            return cmd.lapse(mode.other.lapse);
        }
        if (mode.other != null && mode.other.acceptOwner != null) {
            return cmd.acceptOwner(mode.other.acceptOwner);
        }
        if (mode.other != null && mode.other.status) {
            return cmd.status();
        }
        if (mode.introServer != null) {
            IntroServer i = mode.introServer;
            putIf(flags, ConfigKey.INTRO_SERVER_PORT, i.port);
            putIf(flags, ConfigKey.STUN_PORT, i.stunPort);
            putIf(flags, ConfigKey.INTRO_SERVER_BIND, i.bind);
            return cmd.introServer(flags);
        }
        context.io().err().println("p2p: choose a mode (see p2p --help)");
        return ExitCode.USAGE;
    }

    private static void putIf(Map<ConfigKey, String> flags, ConfigKey key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }
}
