package org.p2pdns.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every key with its environment name and default, and no key that does not exist. */
class ConfigDocsTest {

    @Test
    void tableMatchesConfigKey() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (ConfigKey k : ConfigKey.values()) {
            String def = k.defaultValue().isEmpty() ? "(none)" : "`" + k.defaultValue() + "`";
            String row = "| `" + k.key() + "` | `" + k.envName() + "` | " + def + " | " + k.accepted() + " |";
            assertTrue(doc.contains(row), "docs/configuration.md lacks the row: " + row);
        }
        Matcher m = Pattern.compile("(?m)^\\| `([a-z.-]+)` \\| `P2P_").matcher(doc);
        int rows = 0;
        while (m.find()) {
            rows++;
            assertTrue(ConfigKey.byKey(m.group(1)) != null, "documented key does not exist: " + m.group(1));
        }
        assertEquals(ConfigKey.values().length, rows);
    }
}
