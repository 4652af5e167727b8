package dev.colo.proxy.io;

import dev.colo.proxy.io.sys.Errno;
import java.io.IOException;

/**
 * A frame port failed: the message names the port ("afpacket veth0") and, for a failed system call, the
 * call and the errno by name. {@link #errno()} is 0 when no system call is to blame.
 */
public final class PortException extends IOException {
    private final int errno;

    public PortException(String port, String message) {
        super(port + ": " + message);
        this.errno = 0;
    }

    public PortException(String port, String message, Throwable cause) {
        super(port + ": " + message, cause);
        this.errno = 0;
    }

    /** e.g. ("afpacket veth0", "bind", 19, null) reads "afpacket veth0: bind: ENODEV (no such device)". */
    public PortException(String port, String call, int errno, String hint) {
        super(port + ": " + call + ": " + Errno.describe(errno) + (hint != null ? " (" + hint + ")" : ""));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
