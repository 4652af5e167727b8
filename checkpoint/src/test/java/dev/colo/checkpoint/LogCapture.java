package dev.colo.checkpoint;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What the coordinators log (INFO and up, "LEVEL message" a line) while open; the logger's level is restored at close. */
final class LogCapture extends Handler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dev.colo.checkpoint");

    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Level before = LOG.getLevel();

    LogCapture() {
        LOG.setLevel(Level.INFO);
        LOG.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.INFO.intValue()) {
            lines.add(r.getLevel() + " " + r.getMessage());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        LOG.removeHandler(this);
        LOG.setLevel(before);
    }
}
