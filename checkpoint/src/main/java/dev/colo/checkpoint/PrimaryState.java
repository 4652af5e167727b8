package dev.colo.checkpoint;

/** The primary's state machine. */
public enum PrimaryState {
    /** No secondary: output leaves unprotected. Waiting for one to join. */
    UNPROTECTED,
    HANDSHAKING,
    /** Sending the full state while the VM runs (pre-copy); the first checkpoint follows. */
    INITIAL_SYNC,
    /** The first checkpoint is loaded; waiting for the secondary's CHECKPOINT_READY. */
    AWAITING_READY,
    /** In sync: output is compared; checkpoints run on demand, periodically or by command. */
    PROTECTED,
    /** NEW sent; waiting for SUSPENDED. */
    NEW_SENT,
    /** Our VM is paused; the state stream is on its way. */
    SENDING_STATE,
    /** Stream sent; waiting for RECEIVED (the commit point). */
    AWAITING_RECEIVED,
    /** Committed; waiting for LOADED to resume. */
    AWAITING_LOADED,
    CLOSED
}
