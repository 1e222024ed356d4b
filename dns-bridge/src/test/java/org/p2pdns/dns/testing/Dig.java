package org.p2pdns.dns.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the real {@code dig} against a bridge and parses the parts of its output the tests check. */
public final class Dig {

    /** What dig printed. */
    public record Result(String status, List<String> flags, List<String> answer, List<String> authority,
                         String ede, String raw) {
        public boolean hasFlag(String f) {
            return flags.contains(f);
        }

        public String answerText() {
            return String.join("\n", answer);
        }
    }

    private Dig() {
    }

    public static boolean available() {
        try {
            Process p = new ProcessBuilder("dig", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static Result run(InetSocketAddress server, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dig", "@" + server.getAddress().getHostAddress(), "-p",
                Integer.toString(server.getPort()), "+time=5", "+tries=2")); // patient: a loaded machine, a cold bridge
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("dig hung: " + cmd);
        }
        return parse(out);
    }

    static Result parse(String out) {
        Matcher st = Pattern.compile("status: ([A-Z]+)").matcher(out);
        String status = st.find() ? st.group(1) : "NONE";
        Matcher fl = Pattern.compile(";; flags: ([a-z ]*)[;:]").matcher(out);
        List<String> flags = fl.find() ? List.of(fl.group(1).trim().split("\\s+")) : List.of();
        Matcher ede = Pattern.compile("; EDE: ([^\\n]*)").matcher(out);
        return new Result(status, flags, section(out, "ANSWER"), section(out, "AUTHORITY"),
                ede.find() ? ede.group(1) : "", out);
    }

    private static List<String> section(String out, String name) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : out.split("\n")) {
            if (line.startsWith(";; " + name + " SECTION:")) {
                in = true;
                continue;
            }
            if (in) {
                if (line.isBlank() || line.startsWith(";;")) {
                    break;
                }
                lines.add(line.replaceAll("\\s+", " ").trim());
            }
        }
        return lines;
    }
}
