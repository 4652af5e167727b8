package dev.colo.cli.demo;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * The live status while the demo runs: a small table redrawn in place on a terminal, a plain line a
 * second otherwise (logs, pipes).
 */
final class StatusBoard implements AutoCloseable {
    private final PrintWriter out;
    private final boolean table;
    private final Supplier<String[]> rows;
    private final Thread thread;
    private volatile boolean stopped;
    private int drawn;

    StatusBoard(PrintWriter out, boolean table, Supplier<String[]> rows) {
        this.out = out;
        this.table = table;
        this.rows = rows;
        this.thread = new Thread(this::loop, "colo-demo-status");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (!stopped) {
            draw();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Prints a line of the demo's own (a step begins or ends) above the table. */
    synchronized void say(String line) {
        erase();
        out.println(line);
        out.flush();
        if (table) {
            draw();
        }
    }

    private synchronized void draw() {
        String[] r = rows.get();
        if (table) {
            erase();
            for (String row : r) {
                out.println(row);
            }
            drawn = r.length;
        } else {
            out.println(String.join(" | ", r));
        }
        out.flush();
    }

    private void erase() {
        if (table && drawn > 0) {
            out.print("\u001b[" + drawn + "F\u001b[J"); // up to the table's first line, clear to the end
            drawn = 0;
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        synchronized (this) {
            erase();
            out.flush();
        }
    }
}
