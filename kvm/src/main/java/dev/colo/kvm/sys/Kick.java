package dev.colo.kvm.sys;

import com.sun.jna.Native;

/**
 * Interrupts a thread blocked in KVM_RUN or poll(2) with a real-time signal whose handler does nothing
 * (the handler lives in the tiny C shim libcolokick.so, built by the Maven build: a signal handler must
 * be native code). Combined with kvm_run.immediate_exit it pauses a vCPU at any instant.
 */
public final class Kick {
    private static final int SIGNAL;

    static {
        Native.register("colokick");
        SIGNAL = colo_kick_signal();
        if (colo_kick_install() != 0) {
            throw new IllegalStateException("cannot install the vCPU kick handler for signal " + SIGNAL);
        }
    }

    private Kick() {
    }

    private static native int colo_kick_signal();

    private static native int colo_kick_install();

    /** Makes sure the handler is installed before the first thread that may be kicked runs. */
    public static int signal() {
        return SIGNAL;
    }

    /** Sends the kick to thread {@code tid} of this process; a thread that has already gone is no error. */
    public static void thread(int tid) {
        try {
            LibC.tgkill(LibC.getpid(), tid, SIGNAL);
        } catch (com.sun.jna.LastErrorException e) {
            if (e.getErrorCode() != 3) { // ESRCH: the thread has exited
                throw e;
            }
        }
    }
}
