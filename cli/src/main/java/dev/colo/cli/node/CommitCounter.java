package dev.colo.cli.node;

/** The generation of committed checkpoints, read without a lock (the comparator polls it) and awaitable. */
final class CommitCounter {
    private final Object lock = new Object();
    private volatile long committed;
    /** Bumped when no commit can come any more (the secondary is lost): waiters give up at once. */
    private long abandoned;

    long get() {
        return committed;
    }

    void increment() {
        synchronized (lock) {
            committed++;
            lock.notifyAll();
        }
    }

    /** Wakes every waiter without a commit: they return false. */
    void abandonWaits() {
        synchronized (lock) {
            abandoned++;
            lock.notifyAll();
        }
    }

    boolean await(long generation, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (lock) {
            long epoch = abandoned;
            while (committed < generation) {
                if (abandoned != epoch) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
