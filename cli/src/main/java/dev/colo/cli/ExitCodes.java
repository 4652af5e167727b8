package dev.colo.cli;

/** Exit codes of every {@code colo} subcommand; documented in --help. */
public final class ExitCodes {
    public static final int OK = 0;
    /** --fail-on-divergence was given and the replicas diverged. */
    public static final int DIVERGED = 1;
    /** Bad command line (picocli's usage error code). */
    public static final int USAGE = 2;
    /** An input file is missing, unreadable or malformed (frames before the fault were still compared). */
    public static final int BAD_INPUT = 3;
    /** A bug or an environment failure; the message says which. */
    public static final int INTERNAL_ERROR = 4;

    public static final String HELP = "%nExit codes:%n"
            + "  0  success%n"
            + "  1  --fail-on-divergence given and the replicas diverged%n"
            + "  2  bad command line%n"
            + "  3  an input file is missing, unreadable or malformed (what came before the fault was still replayed)%n"
            + "  4  internal error%n";

    private ExitCodes() {
    }
}
