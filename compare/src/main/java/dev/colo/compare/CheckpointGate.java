package dev.colo.compare;

/**
 * The comparator's view of the checkpoint coordinator. Commits are seen by polling a generation
 * counter, so a commit never needs a lock or a callback into the comparator's thread.
 */
public interface CheckpointGate {
    /**
     * Asks for a checkpoint.
     *
     * @return the commit generation that will satisfy this request
     */
    long request(CheckpointReason reason);

    /** The generation of the last committed checkpoint (requested or not: periodic and manual ones count). */
    long committedGeneration();

    /** For replay: every request commits at once, in virtual time. */
    static CheckpointGate immediate() {
        return new CheckpointGate() {
            private long generation;

            @Override
            public long request(CheckpointReason reason) {
                return ++generation;
            }

            @Override
            public long committedGeneration() {
                return generation;
            }
        };
    }
}
