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
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs with the given output and error streams. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return new CommandLine(new ColoCommand())
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("colo: " + ex.getMessage());
                    return ExitCodes.INTERNAL_ERROR;
                })
                .execute(args);
    }
}
