package dev.colo.kvm.sys;

/** A KVM or host call failed: the message names the call and the reason; {@link #errno()} is 0 when not from the kernel. */
public class KvmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public KvmException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public KvmException(String message) {
        this(message, 0);
    }

    public int errno() {
        return errno;
    }
}
