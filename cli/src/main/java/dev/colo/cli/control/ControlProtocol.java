package dev.colo.cli.control;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The control socket's protocol, one request per connection, all text (UTF-8):
 *
 * <pre>
 * request:  one line, at most {@value #MAX_REQUEST} bytes, within {@link #REQUEST_DEADLINE} of connecting
 *           status | status json | set KEY VALUE | checkpoint | failover
 * response: zero or more body lines "| TEXT", then one last line "ok[ TEXT]" or "error TEXT"; then the node closes
 * </pre>
 *
 * A request that is not UTF-8 text, too long, unknown, or does not arrive in time gets "error ..." and the
 * connection is closed. Every request has a deadline on the node too (a checkpoint that never ends is
 * answered "error ... did not finish within ...").
 */
public final class ControlProtocol {
    public static final int MAX_REQUEST = 4096;
    public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(5);
    public static final String BODY = "| ";
    public static final String OK = "ok";
    public static final String ERROR = "error";
    /** Where the sockets live unless --control says otherwise (created 0700). The property is for tests. */
    public static final Path DEFAULT_DIR = Path.of(System.getProperty("colo.control.dir", "/run/colo"));

    private ControlProtocol() {
    }

    /** The default socket of a node: {@code /run/colo/ROLE-PID.sock}. */
    public static Path defaultPath(String role) {
        return DEFAULT_DIR.resolve(role + "-" + ProcessHandle.current().pid() + ".sock");
    }
}
