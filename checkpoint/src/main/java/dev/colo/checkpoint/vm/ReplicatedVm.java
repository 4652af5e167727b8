package dev.colo.checkpoint.vm;

import java.io.IOException;

/**
 * The checkpoint module's whole view of a virtual machine. The primary pauses, captures and resumes
 * its VM; the secondary stages incoming state and applies it only when complete.
 *
 * <p>Applying must make the VM's state equal to the primary's at its capture, even though the
 * secondary ran (and wrote its memory) since the last checkpoint: implementations keep the last
 * checkpoint's state and restore what they changed themselves, as QEMU's COLO "ram cache" does.
 */
public interface ReplicatedVm {
    /** Identifies what runs in the VM (image, memory size...): both ends must agree in the handshake. */
    String identity();

    /** Suspends execution; returns once the VM no longer changes its state. Idempotent. */
    void pause();

    /** Resumes execution. Idempotent, and must not block: it is called on the link's thread. */
    void resume();

    boolean isPaused();

    /** Everything, for the first sync of a new secondary. May run while the VM runs (pre-copy): what changes meanwhile is in the next delta. */
    StateSource captureFull() throws IOException;

    /** What changed since the last capture. Called with the VM paused. */
    StateSource captureDelta() throws IOException;

    /** The last capture never reached the secondary: include what it held in the next delta again. */
    void captureAborted();

    /** Starts receiving a state (full or delta) into a staging area; nothing changes until {@link StateStaging#apply()}. */
    StateStaging beginStaging(boolean full);
}
