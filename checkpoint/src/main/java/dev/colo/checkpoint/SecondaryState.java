package dev.colo.checkpoint;

/** The secondary's state machine. */
public enum SecondaryState {
    /** Connecting (or reconnecting) to the primary. */
    CONNECTING,
    HANDSHAKING,
    /** Linked; waiting for the first state. */
    AWAITING_STATE,
    /** Receiving the full state (the VM stays paused until the first checkpoint is loaded). */
    RECEIVING_FULL,
    /** In sync and running: the normal state between checkpoints. */
    RUNNING,
    /** NEW received, VM paused, SUSPENDED sent. */
    SUSPENDED,
    /** Staging a state stream. */
    RECEIVING_STATE,
    /** RECEIVED sent (the commit point); applying the staged state. */
    LOADING,
    /** Failover done: this node runs the service alone. */
    PROMOTED,
    CLOSED
}
