package dev.colo.kvm.vmm;

/** The guest did something that stops it (a fault, a bad hypercall): a guest problem, not a VMM one. */
public class GuestFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GuestFault(String message) {
        super(message);
    }
}
