package dev.colo.cli.node;

import dev.colo.compare.CheckpointGate;
import java.util.concurrent.atomic.AtomicLong;

/** What the live gates share: the generation of committed checkpoints, which the comparator polls without a lock. */
abstract class CountingGate implements CheckpointGate {
    protected final AtomicLong committed = new AtomicLong();

    @Override
    public long committedGeneration() {
        return committed.get();
    }
}
