package dev.colo.cli.config;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}: a TOML file whose {@code [primary]}, {@code [secondary]} or {@code [compare]} table gives
 * the command's options (key = the long option without its dashes). Read by {@link ConfigDefaults}, the command's
 * default-value provider: a flag on the command line overrides the file, the file overrides the built-in default.
 */
public final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = {"Read options from this TOML file: its [primary], [secondary] or [compare] table, one key per long",
                "option without the dashes (compare-timeout = \"500ms\", ignore = [\"http-date\"], vnet-hdr = true).",
                "Flags on the command line override the file. Unknown keys and bad values are refused.",
                "See examples/colo.toml."})
    Path file;

    public Path file() {
        return file;
    }
}
