package dev.colo.cli.node;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

/** Prints a status line every interval until the node stops (the main thread waits here). */
final class StatsPrinter {
    private StatsPrinter() {
    }

    static void runUntil(java.util.concurrent.CountDownLatch stop, int intervalSeconds, PrintWriter out, Supplier<String> line)
            throws InterruptedException {
        while (!stop.await(intervalSeconds > 0 ? intervalSeconds : 3600, java.util.concurrent.TimeUnit.SECONDS)) {
            if (intervalSeconds > 0) {
                out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line.get());
                out.flush();
            }
        }
    }
}
