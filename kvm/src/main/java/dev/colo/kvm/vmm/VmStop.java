package dev.colo.kvm.vmm;

/** Why a vCPU stopped for good. */
public record VmStop(Kind kind, int status, String message) {
    public enum Kind {
        /** The guest asked to stop (a halt hypercall); {@code status} is its exit status. */
        HALTED,
        /** The guest faulted or misbehaved; {@code message} says how. */
        CRASHED,
        /** The VMM or KVM failed. */
        FAILED,
        /** The VMM closed the VM. */
        CLOSED
    }

    public static VmStop halted(int status) {
        return new VmStop(Kind.HALTED, status, "guest halted with status " + status);
    }

    public static VmStop crashed(String message) {
        return new VmStop(Kind.CRASHED, -1, message);
    }

    public static VmStop failed(String message) {
        return new VmStop(Kind.FAILED, -1, message);
    }

    public static VmStop closed() {
        return new VmStop(Kind.CLOSED, 0, "closed");
    }
}
