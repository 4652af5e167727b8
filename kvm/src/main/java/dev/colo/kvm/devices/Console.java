package dev.colo.kvm.devices;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The guest's console: bytes become lines, each handed to a sink and kept in a bounded history. Its
 * state (the unfinished line) is saved and restored with the VM, so a restored guest's next output
 * completes the same line.
 */
public final class Console {
    private static final int MAX_LINE = 4096;
    private static final int HISTORY = 512;

    private final Consumer<String> sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ArrayDeque<String> history = new ArrayDeque<>();

    public Console(Consumer<String> sink) {
        this.sink = sink;
    }

    public void write(byte[] bytes, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte b = bytes[i];
            if (b == '\n' || line.size() >= MAX_LINE) {
                emit();
                if (b == '\n') {
                    continue;
                }
            }
            line.write(b);
        }
    }

    private void emit() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        synchronized (history) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(s);
            history.notifyAll();
        }
        sink.accept(s);
    }

    /** The last lines written (at most 512). */
    public List<String> lines() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    /** Waits until a line containing {@code text} has been written; returns it, or null after the timeout. */
    public String await(String text, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (history) {
            while (true) {
                for (String l : history) {
                    if (l.contains(text)) {
                        return l;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return null;
                }
                history.wait(left);
            }
        }
    }

    public byte[] saveState() {
        return line.toByteArray();
    }

    public void restoreState(byte[] unfinishedLine) {
        line.reset();
        line.write(unfinishedLine, 0, Math.min(unfinishedLine.length, MAX_LINE));
    }
}
