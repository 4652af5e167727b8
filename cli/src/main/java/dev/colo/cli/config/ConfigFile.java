package dev.colo.cli.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A TOML config file, read with Jackson's TOML parser and checked against the commands' own option lists:
 * one table per command ({@code [primary]}, {@code [secondary]}, {@code [compare]}), one key per long option
 * without its dashes. Every table of the file is checked (not only the running command's), so a typo anywhere
 * is found the first time the file is used. Unknown tables and keys are refused, and so is a value the
 * option's own converter refuses; each message names the file, the key and the reason.
 */
public final class ConfigFile {
    /** The commands that take {@code --config}, which are also the file's tables. */
    public static final List<String> SECTIONS = List.of("primary", "secondary", "compare");
    private static final Set<String> NOT_FROM_FILE = Set.of("config", "help", "version");

    private final Map<String, Map<String, String>> values;

    private ConfigFile(Map<String, Map<String, String>> values) {
        this.values = values;
    }

    /** The value the file gives {@code option} of command {@code section} (as picocli would read it from the command line), or null. */
    public String value(String section, OptionSpec option) {
        Map<String, String> table = values.get(section);
        return table == null ? null : table.get(option.longestName());
    }

    /**
     * Reads and checks {@code file}. {@code command} is the running command: its table and those of its sibling
     * commands (found through its parent) are checked against their options.
     */
    public static ConfigFile read(Path file, CommandSpec command) throws ConfigException {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            String where = e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : "";
            throw new ConfigException("config " + file + ": not valid TOML" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("config " + file + ": cannot read it: " + e, e);
        }
        if (root == null || root.isMissingNode()) {
            return new ConfigFile(Map.of());
        }
        Map<String, Map<String, String>> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> section = it.next();
            String name = section.getKey();
            if (!SECTIONS.contains(name)) {
                throw new ConfigException("config " + file + ": unknown key or table '" + name
                        + "' (the file has a table per command: [primary], [secondary], [compare])", null);
            }
            if (!section.getValue().isObject()) {
                throw new ConfigException("config " + file + ": '" + name + "' must be a table ([" + name + "])", null);
            }
            CommandSpec target = commandNamed(command, name);
            Map<String, String> table = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> keys = section.getValue().properties().iterator(); keys.hasNext();) {
                Map.Entry<String, JsonNode> entry = keys.next();
                String key = entry.getKey();
                String where = "config " + file + ": [" + name + "] " + key + ": ";
                if (target == null) {
                    continue; // a command this program was not built with: nothing to check against (tests run one command alone)
                }
                OptionSpec option = NOT_FROM_FILE.contains(key) ? null : target.findOption("--" + key);
                if (option == null || !option.longestName().equals("--" + key)) {
                    throw new ConfigException(where + "unknown key (colo " + name + " has no option --" + key + ")", null);
                }
                String text = text(where, entry.getValue(), option);
                probe(where, target, option, text);
                table.put(option.longestName(), text);
            }
            values.put(name, table);
        }
        return new ConfigFile(values);
    }

    private static CommandSpec commandNamed(CommandSpec command, String name) {
        if (command.name().equals(name)) {
            return command;
        }
        CommandSpec parent = command.parent();
        CommandLine sibling = parent == null ? null : parent.subcommands().get(name);
        return sibling == null ? null : sibling.getCommandSpec();
    }

    /** The TOML value as the text picocli would take from the command line. */
    private static String text(String where, JsonNode v, OptionSpec option) throws ConfigException {
        boolean flag = option.arity().max() == 0;
        if (flag) {
            if (!v.isBoolean()) {
                throw new ConfigException(where + "expects true or false, got " + v, null);
            }
            return v.asText();
        }
        if (v.isObject()) {
            throw new ConfigException(where + "expects a value, not a table", null);
        }
        if (!v.isArray()) {
            return v.asText();
        }
        if (!option.isMultiValue()) {
            throw new ConfigException(where + "takes one value, not a list", null);
        }
        String separator = separator(option.splitRegex());
        StringBuilder sb = new StringBuilder();
        for (JsonNode e : v) {
            if (e.isContainerNode()) {
                throw new ConfigException(where + "expects a list of values, got " + v, null);
            }
            if (sb.length() > 0) {
                if (separator == null) {
                    throw new ConfigException(where + "takes one value from the file", null);
                }
                sb.append(separator);
            }
            sb.append(e.asText());
        }
        return sb.toString();
    }

    /** A literal that the option's split regex splits on (the regexes the commands use). */
    private static String separator(String regex) {
        switch (regex) {
            case "":
                return null;
            case "\\x00":
                return "\0";
            default:
                return regex.matches("[ ,;:]") ? regex : null;
        }
    }

    /** Lets the option's own converter judge the value, on a fresh instance of the command. */
    private static void probe(String where, CommandSpec target, OptionSpec option, String text) throws ConfigException {
        if (option.arity().max() == 0) {
            return;
        }
        Object fresh;
        try {
            fresh = target.userObject().getClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return; // a command that cannot be made twice: its converter runs when the command starts
        }
        try {
            CommandLine running = target.commandLine();
            new CommandLine(fresh).setCaseInsensitiveEnumValuesAllowed(running == null || running.isCaseInsensitiveEnumValuesAllowed())
                    .parseArgs(option.longestName() + "=" + text);
        } catch (MissingParameterException e) {
            // the value converted; only the command's required options are missing from this probe
        } catch (ParameterException e) {
            throw new ConfigException(where + e.getMessage(), e);
        }
    }
}
