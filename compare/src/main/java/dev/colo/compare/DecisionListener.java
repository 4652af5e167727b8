package dev.colo.compare;

/**
 * Decisions out of the comparator, called on its thread. Buffers passed in are valid only during the
 * call (they belong to the store or to a reused record).
 */
public interface DecisionListener {
    /** RELEASE: a primary frame may go to the client. Released frames keep the primary's order per flow. */
    void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos);

    /**
     * RELEASE of a frame that was never held (unprotected mode, or an oversize frame after a
     * checkpoint): its bytes belong to the caller's input record, so a listener that keeps them copies.
     */
    default void onReleaseUnheld(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        onRelease(frame, offset, length, capturedAtNanos, nowNanos);
    }

    /** A divergence was found. Several may be coalesced into one checkpoint. */
    default void onDivergence(Divergence divergence) {
    }

    /** CHECKPOINT: a checkpoint is requested from the coordinator because of {@code cause}. */
    default void onCheckpointRequested(Divergence cause) {
    }

    /** FLUSH: a committed checkpoint released the held primary frames and dropped the secondary's. */
    default void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
    }

    /** An ignore rule let a difference pass. */
    default void onRuleFired(String rule, String flow) {
    }

    DecisionListener NONE = (frame, offset, length, capturedAt, now) -> { };
}
