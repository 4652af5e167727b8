package dev.colo.cli.node;

/** The generation of committed checkpoints, read without a lock (the comparator polls it) and awaitable. */
final class CommitCounter {
    private final Object lock = new Object();
    private volatile long committed;

    long get() {
        return committed;
    }

    void increment() {
        synchronized (lock) {
            committed++;
            lock.notifyAll();
        }
    }

    boolean await(long generation, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (lock) {
            while (committed < generation) {
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
