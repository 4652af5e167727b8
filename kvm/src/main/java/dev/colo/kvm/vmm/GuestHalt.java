package dev.colo.kvm.vmm;

/** Thrown by a port handler when the guest asks to stop for good. */
public final class GuestHalt extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public GuestHalt(int status) {
        super("guest halted with status " + status, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
