package dev.colo.cli.node;

import dev.colo.compare.CheckpointReason;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Checkpoints by an external command (e.g. a script that asks QEMU's COLO for one over QMP): each
 * request runs it once (requests while it runs share the next run); a run that exits 0 counts as a
 * committed checkpoint and releases what was held. A failing command commits nothing: held output
 * stays held, and the next divergence or timeout asks again.
 */
final class CommandGate extends CountingGate {
    private final List<String> command;
    private final PrintWriter log;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "checkpoint-command");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private long requested;
    private boolean running;

    CommandGate(List<String> command, PrintWriter log) {
        this.command = command;
        this.log = log;
    }

    @Override
    public long request(CheckpointReason reason) {
        synchronized (lock) {
            long target = committed.get() + (running ? 2 : 1);
            if (requested < target) {
                requested = target;
                if (!running) {
                    running = true;
                    runner.execute(() -> run(reason));
                }
            }
            return target;
        }
    }

    private void run(CheckpointReason reason) {
        while (true) {
            boolean ok;
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).inheritIO().start();
                p.getOutputStream().close();
                ok = p.waitFor() == 0;
                if (!ok) {
                    log.println("checkpoint command exited " + p.exitValue() + ": nothing committed");
                }
            } catch (java.io.IOException e) {
                ok = false;
                log.println("checkpoint command failed to start: " + e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            log.flush();
            synchronized (lock) {
                if (ok) {
                    committed.incrementAndGet();
                }
                if (!ok || committed.get() >= requested) {
                    running = false;
                    return;
                }
            }
        }
    }

    void close() {
        runner.shutdownNow();
    }
}
