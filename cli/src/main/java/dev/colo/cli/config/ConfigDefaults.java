package dev.colo.cli.config;

import java.nio.file.Path;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The default-value provider of the node commands ({@code @Command(defaultValueProvider = ConfigDefaults.class)}):
 * picocli asks it for every option the command line did not give, after the command line was parsed, so
 * {@code --config} is known by then. It answers from the command's table of that file (read and checked once, on
 * the first question), or null: the option's own default. So each command stays a plain list of its options,
 * and a flag always wins over the file.
 */
public final class ConfigDefaults implements IDefaultValueProvider {
    private static final String CONFIG = "--config";

    private Path loadedFrom;
    private ConfigFile loaded;

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        CommandSpec command = arg.command();
        OptionSpec configOption = command.findOption(CONFIG);
        if (configOption == null || option == configOption) {
            return null;
        }
        Path file = configOption.getValue();
        if (file == null) {
            return null;
        }
        return load(file, command).value(command.name(), option);
    }

    private synchronized ConfigFile load(Path file, CommandSpec command) {
        if (!file.equals(loadedFrom)) {
            try {
                loaded = ConfigFile.read(file, command);
            } catch (ConfigException e) {
                throw new ParameterException(command.commandLine(), e.getMessage(), e, null, file.toString());
            }
            loadedFrom = file;
        }
        return loaded;
    }
}
