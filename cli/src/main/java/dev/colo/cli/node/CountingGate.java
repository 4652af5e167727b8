package dev.colo.cli.node;

import dev.colo.compare.CheckpointGate;

/** What the live gates share: the generation of committed checkpoints, which the comparator polls and awaits. */
abstract class CountingGate implements CheckpointGate {
    protected final CommitCounter committed = new CommitCounter();

    @Override
    public long committedGeneration() {
        return committed.get();
    }

    @Override
    public boolean awaitCommitted(long generation, long timeoutNanos) {
        return committed.await(generation, timeoutNanos);
    }
}
