package dev.colo.kvm.vmm;

/** Port I/O from the guest, handled on the vCPU thread. */
@FunctionalInterface
public interface PortIo {
    /**
     * A guest {@code out} (write) or {@code in}. Returns the value an {@code in} reads; ignored for {@code out}.
     * Throws {@link GuestFault} when the guest did something that must stop it.
     */
    long access(int port, boolean write, int size, long value);
}
