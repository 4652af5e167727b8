package dev.colo.cli.lab;

/** The faults of the failover matrix, each applied to a {@link dev.colo.lab.FailoverLab} by {@link FailoverScenario}. */
public enum Fault {
    /** The primary's process dies (SIGKILL): its sockets close, the secondary sees the links drop. */
    KILLED("killed", true),
    /** The primary's process stops (SIGSTOP, a hung host) and later resumes (SIGCONT) after the takeover. */
    FROZEN("frozen", true),
    /** The primary's host is cut off: its LAN port, the inter-node link and its witness link go down (no FIN). */
    CUT("cut", true),
    /** The inter-node link goes down, both nodes alive, the witness reachable by both: the primary goes on alone. */
    PARTITION("partition, witness seen by both", false),
    /** The inter-node link and the primary's witness link go down: the secondary takes over, the old primary fences. */
    PARTITION_WITNESS_SECONDARY_ONLY("partition, witness seen by the secondary only", true),
    /** The inter-node link and the secondary's witness link go down: the primary goes on alone. */
    PARTITION_WITNESS_PRIMARY_ONLY("partition, witness seen by the primary only", false),
    /** The witness dies, both nodes and their link healthy: no takeover, the service goes on. */
    WITNESS_KILLED("witness killed", false);

    public final String label;
    /** Whether the secondary is to take over (with the witness). */
    public final boolean takeover;

    Fault(String label, boolean takeover) {
        this.label = label;
        this.takeover = takeover;
    }
}
