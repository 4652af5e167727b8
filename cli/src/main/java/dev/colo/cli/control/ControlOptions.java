package dev.colo.cli.control;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** `--control PATH` of colo primary, secondary and compare; starts the node's control socket. */
public final class ControlOptions {
    @Option(names = "--control", paramLabel = "PATH",
            description = "The control socket (colo status, set, checkpoint, failover talk to it): a Unix socket, mode 0600. "
                    + "Default: /run/colo/ROLE-PID.sock (the directory is created 0700). A stale socket file is replaced.")
    Path control;

    /**
     * Starts the control socket for {@code handler} and prints where it is. If it cannot start, says why and
     * returns a no-op: the node runs on without one.
     */
    public AutoCloseable start(String role, NodeControl handler, PrintWriter out) {
        Path path = control != null ? control : ControlProtocol.defaultPath(role);
        try {
            ControlServer s = ControlServer.start(path, handler);
            out.println("colo " + role + ": control socket " + s.path());
            out.flush();
            return s;
        } catch (java.io.IOException | RuntimeException e) {
            out.println("colo " + role + ": WARNING: no control socket at " + path + ": " + e.getMessage());
            out.flush();
            return () -> { };
        }
    }

    /** Closes quietly (shutdown hooks). */
    public static void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // exiting anyway
        }
    }
}
