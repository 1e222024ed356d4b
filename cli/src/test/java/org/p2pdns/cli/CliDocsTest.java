package org.p2pdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/cli.md and the command's picocli model must name the same options and subcommands. */
class CliDocsTest {

    static final Path DOC = Path.of("..", "docs", "cli.md");

    static CommandLine model() {
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                new ByteArrayInputStream(new byte[0]), Map.of(), Path.of("."));
        return FullCommand.commandLine(new P2pCommand.Context(io, null, new CompletableFuture<>()));
    }

    static void collect(CommandLine cl, TreeSet<String> options, TreeSet<String> commands, String prefix) {
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            for (String n : o.names()) {
                options.add(n);
            }
        }
        for (var e : cl.getSubcommands().entrySet()) {
            commands.add(prefix + e.getKey());
            collect(e.getValue(), options, commands, prefix + e.getKey() + " ");
        }
    }

    @Test
    void everyOptionIsDocumentedAndEveryDocumentedOptionExists() throws Exception {
        String doc = Files.readString(DOC);
        TreeSet<String> options = new TreeSet<>();
        TreeSet<String> commands = new TreeSet<>();
        collect(model(), options, commands, "");

        TreeSet<String> missing = new TreeSet<>();
        for (String o : options) {
            if (!Pattern.compile("`" + Pattern.quote(o) + "[ `]").matcher(doc).find()) {
                missing.add(o);
            }
        }
        assertEquals(new TreeSet<>(), missing, "options missing from docs/cli.md (as `--option`)");

        TreeSet<String> unknown = new TreeSet<>();
        Matcher m = Pattern.compile("`(--?[A-Za-z][A-Za-z0-9-]*)").matcher(doc);
        while (m.find()) {
            if (!options.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        assertEquals(new TreeSet<>(), unknown, "docs/cli.md names options the command does not have");

        for (String c : commands) {
            assertTrue(doc.contains("`p2p " + c), "subcommand missing from docs/cli.md: p2p " + c);
        }
    }

    @Test
    void exitCodesInDocsMatchTheCode() throws Exception {
        String doc = Files.readString(DOC);
        // the list --help shows (the picocli annotation) is the one source; every code in it is an ExitCode constant
        // and documented, and every ExitCode constant is in it
        java.util.Map<String, String> shown = model().getCommandSpec().usageMessage().exitCodeList();
        TreeSet<Integer> constants = new TreeSet<>();
        for (java.lang.reflect.Field f : ExitCode.class.getFields()) {
            if (f.getType() == int.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                constants.add(f.getInt(null));
            }
        }
        TreeSet<Integer> listed = new TreeSet<>();
        for (String code : shown.keySet()) {
            listed.add(Integer.parseInt(code.strip()));
            assertTrue(doc.contains("| " + code.strip() + " |"), "exit code " + code + " not documented");
        }
        assertEquals(constants, listed, "--help's exit codes and the ExitCode constants differ");
    }
}
