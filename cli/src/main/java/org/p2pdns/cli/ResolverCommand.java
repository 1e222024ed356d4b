package org.p2pdns.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.p2pdns.cli.resolver.SystemResolver;
import org.p2pdns.node.config.HostPort;
import org.p2pdns.node.config.NodeConfig;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code p2p resolver setup|status|undo}: send the overlay zone, and only it, from the system resolver to the bridge. */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "resolver", description = "Point the system resolver at the DNS bridge for the overlay zone only.")
final class ResolverCommand {

    @ParentCommand
    P2pCommand parent;

    @Mixin
    GlobalOptions global;

    @Option(names = "--root", paramLabel = "DIR", description = "file-system root to configure (default /; for chroots and tests)")
    Path root = Path.of("/");

    private final P2pCommand.Context context;

    ResolverCommand(P2pCommand.Context context) {
        this.context = context;
    }

    /** Global options given after the subcommand's own name ({@code p2p keys list --json}). */
    private GlobalOptions local = new GlobalOptions();

    private GlobalOptions options() {
        return local.orParent(global.orParent(parent == null ? null : parent.global));
    }

    private SystemResolver system(NodeConfig config) {
        return new SystemResolver(root, config.dataDir(), cmd -> {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        });
    }

    private NodeConfig config() {
        Commands c = new Commands(context, options());
        NodeConfig config = c.config(Map.of());
        try {
            org.p2pdns.node.config.DataDirLayout.ensureWritable(config.dataDir());
        } catch (IOException e) {
            throw new CliException(ExitCode.CONFIG, e.getMessage());
        }
        return config;
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "setup", description = "configure systemd-resolved or dnsmasq to send *.TLD to the bridge, then check it")
    int setup(@Mixin GlobalOptions g) throws Exception {
        local = g;
        NodeConfig config = config();
        List<String> log = new ArrayList<>();
        SystemResolver.Manifest m;
        try {
            m = system(config).setup(config.network().tld(), config.dnsAddress(), log);
        } catch (SystemResolver.ResolverException e) {
            throw new CliException(ExitCode.FAILED, e.getMessage());
        } catch (java.nio.file.AccessDeniedException e) {
            throw new CliException(ExitCode.FAILED, "permission denied on " + e.getFile() + ": run it as root (sudo)");
        }
        Progress progress = new Progress(context.io().err(), options().quiet, options().verbose);
        log.forEach(progress::step);
        context.io().out().println("*." + m.tld() + " now goes to the bridge at " + m.bridge() + " (" + m.method()
                .name().toLowerCase(java.util.Locale.ROOT) + "); 'p2p resolver undo' restores the previous state");
        if (root.equals(Path.of("/"))) {
            context.io().out().println(check(m, config.dnsAddress()));
        }
        return ExitCode.OK;
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "status", description = "show whether the setup is in place and whether a query goes through")
    int status(@Mixin GlobalOptions g) throws Exception {
        local = g;
        NodeConfig config = config();
        SystemResolver s = system(config);
        SystemResolver.Manifest m = s.manifest();
        if (m == null) {
            context.io().out().println("not set up (this system uses " + s.detect().name().toLowerCase(java.util.Locale.ROOT)
                    + "); run 'p2p resolver setup'");
            return ExitCode.FAILED;
        }
        boolean inPlace = s.inPlace(m);
        context.io().out().println("*." + m.tld() + " -> " + m.bridge() + " via " + m.method().name()
                .toLowerCase(java.util.Locale.ROOT) + ": " + (inPlace ? "configuration in place"
                : "configuration file changed or missing"));
        if (root.equals(Path.of("/"))) {
            context.io().out().println(check(m, config.dnsAddress()));
        }
        return inPlace ? ExitCode.OK : ExitCode.FAILED;
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "undo", description = "restore exactly what setup changed")
    int undo(@Mixin GlobalOptions g) throws Exception {
        local = g;
        NodeConfig config = config();
        List<String> log = new ArrayList<>();
        try {
            system(config).undo(log);
        } catch (SystemResolver.ResolverException e) {
            throw new CliException(ExitCode.FAILED, e.getMessage());
        } catch (java.nio.file.AccessDeniedException e) {
            throw new CliException(ExitCode.FAILED, "permission denied on " + e.getFile() + ": run it as root (sudo)");
        }
        log.forEach(l -> context.io().out().println(l));
        return ExitCode.OK;
    }

    /** Asks the system's stub and the bridge for the same name; equal answers mean the zone goes through. */
    private static String check(SystemResolver.Manifest m, HostPort bridge) {
        InetSocketAddress stub = m.method() == SystemResolver.Method.SYSTEMD_RESOLVED
                ? new InetSocketAddress("127.0.0.53", 53) : new InetSocketAddress("127.0.0.1", 53);
        try {
            Name probe = Name.fromString("p2p-resolver-check." + m.tld() + ".");
            int viaBridge = ask(bridge.toSocketAddress(), probe);
            if (viaBridge < 0) {
                return "check: no DNS bridge answers at " + bridge + " (start a node), so the path was not checked";
            }
            int viaStub = ask(stub, probe);
            if (viaStub == viaBridge) {
                return "check: a query for " + probe + " through the system resolver got the bridge's answer ("
                        + Rcode.string(viaStub) + ")";
            }
            return "check FAILED: the system resolver answered " + (viaStub < 0 ? "nothing" : Rcode.string(viaStub))
                    + ", the bridge " + Rcode.string(viaBridge);
        } catch (IOException e) {
            return "check: " + e.getMessage();
        }
    }

    private static int ask(InetSocketAddress server, Name name) {
        try {
            SimpleResolver r = new SimpleResolver(server);
            r.setTimeout(Duration.ofSeconds(3));
            Message reply = r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(name, Type.A,
                    org.xbill.DNS.DClass.IN)));
            return reply.getRcode();
        } catch (IOException e) {
            return -1;
        }
    }
}
