package org.p2pdns.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.p2pdns.node.config.DataDirLayout;
import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.store.OwnerKeyring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code p2p keys generate|list|export|import}: the name-owner keys in the data directory ({@code owner-keys/}). Works
 * without a running node.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "keys", description = "Manage name-owner keys (owner-keys/ in the data directory).")
final class KeysCommand {

    @ParentCommand
    P2pCommand parent;

    @Mixin
    GlobalOptions global;

    private final P2pCommand.Context context;

    KeysCommand(P2pCommand.Context context) {
        this.context = context;
    }

    /** Global options given after the subcommand's own name ({@code p2p keys list --json}). */
    private GlobalOptions local = new GlobalOptions();

    private GlobalOptions options() {
        return local.orParent(global.orParent(parent == null ? null : parent.global));
    }

    private OwnerKeyring keyring(boolean create) {
        NodeConfig config = new Commands(context, options()).config(Map.of());
        if (create) {
            try {
                DataDirLayout.ensureWritable(config.dataDir());
            } catch (IOException e) {
                throw new CliException(ExitCode.CONFIG, e.getMessage());
            }
        }
        return new OwnerKeyring(config.dataDir(), new SecureRandom());
    }

    static void checkAlias(String alias) {
        if (alias == null || !alias.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new CliException(ExitCode.USAGE, "invalid alias '" + alias
                    + "': 1..64 letters, digits, '_' or '-'");
        }
    }

    private static CliException failure(IOException e) {
        if (e instanceof NoSuchFileException n) {
            return new CliException(ExitCode.FAILED, n.getReason() != null ? n.getReason() : "no such file " + n.getFile());
        }
        if (e instanceof AccessDeniedException a) {
            return new CliException(ExitCode.CONFIG, "permission denied: " + a.getFile());
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new CliException(ExitCode.FAILED, m.lines().findFirst().orElse(m));
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "generate", description = "create a new owner key")
    int generate(@Mixin GlobalOptions g, @Parameters(paramLabel = "ALIAS", description = "name of the key (default: default)", arity = "0..1")
                 String alias) {
        local = g;
        String a = alias == null ? "default" : alias;
        checkAlias(a);
        try {
            OwnerKeyring.Entry e = keyring(true).generate(a);
            print(e, "generated");
            return ExitCode.OK;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new CliException(ExitCode.FAILED, "an owner key with alias '" + a + "' already exists");
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "list", description = "list owner keys (alias and public key)")
    int list(@Mixin GlobalOptions g) throws IOException {
        local = g;
        List<OwnerKeyring.Entry> entries;
        try {
            entries = keyring(false).list();
        } catch (IOException e) {
            throw failure(e);
        }
        if (options().json) {
            List<Map<String, String>> out = new ArrayList<>();
            for (OwnerKeyring.Entry e : entries) {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("alias", e.alias());
                m.put("publicKey", e.label());
                out.add(m);
            }
            new Commands(context, options()).printJson(out);
            return ExitCode.OK;
        }
        if (entries.isEmpty()) {
            context.io().err().println("no owner keys yet (p2p keys generate, or register a name)");
        }
        for (OwnerKeyring.Entry e : entries) {
            context.io().out().println(e.alias() + "\t" + e.label());
        }
        context.io().out().flush();
        return ExitCode.OK;
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "export", description = "print an owner key, private part included, for backup")
    int export(@Mixin GlobalOptions g, @Parameters(paramLabel = "ALIAS", description = "the key to export") String alias) {
        local = g;
        checkAlias(alias);
        try {
            context.io().out().print(keyring(false).export(alias));
            context.io().out().flush();
            return ExitCode.OK;
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, name = "import", description = "import an exported owner key from FILE ('-' for stdin)")
    int importKey(@Mixin GlobalOptions g, @Parameters(paramLabel = "FILE", description = "an export of p2p keys export") String file,
                  @Option(names = "--alias", paramLabel = "ALIAS", description = "store under this alias instead")
                  String alias) {
        local = g;
        if (alias != null) {
            checkAlias(alias);
        }
        String text;
        try {
            if (file.equals("-")) {
                byte[] b = context.io().in().readNBytes(64 * 1024 + 1);
                if (b.length > 64 * 1024) {
                    throw new CliException(ExitCode.USAGE, "input is not an owner key (over 64 KiB)");
                }
                text = new String(b, StandardCharsets.UTF_8);
            } else {
                Path p = Path.of(file);
                if (!Files.isRegularFile(p)) {
                    throw new CliException(ExitCode.USAGE, "no such file " + file);
                }
                if (Files.size(p) > 64 * 1024) {
                    throw new CliException(ExitCode.USAGE, file + " is not an owner key (over 64 KiB)");
                }
                text = Files.readString(p, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw failure(e);
        }
        try {
            OwnerKeyring.Entry e = keyring(true).importKey(text, alias);
            print(e, "imported");
            return ExitCode.OK;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new CliException(ExitCode.FAILED, "an owner key with that alias already exists (use --alias)");
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "not a valid owner key: " + e.getMessage());
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private void print(OwnerKeyring.Entry e, String verb) {
        if (options().json) {
            try {
                new Commands(context, options()).printJson(Map.of("alias", e.alias(), "publicKey", e.label()));
            } catch (IOException ex) {
                throw failure(ex);
            }
            return;
        }
        context.io().out().println(verb + " owner key '" + e.alias() + "': " + e.label());
        context.io().out().flush();
    }
}
