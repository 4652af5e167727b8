package dev.colo.cli;

import picocli.CommandLine;

/** Entry point of the {@code colo} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return new CommandLine(new ColoCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("colo: " + ex.getMessage());
                    return ExitCodes.INTERNAL_ERROR;
                })
                .execute(args);
    }
}
