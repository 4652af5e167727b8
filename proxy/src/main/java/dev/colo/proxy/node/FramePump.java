package dev.colo.proxy.node;

import dev.colo.proxy.io.FramePort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A platform thread that receives frames from one port and hands each to a handler, with one direct
 * buffer reused for every frame. An I/O error is logged and counted, not fatal: a port that keeps
 * failing is retried after a pause, so a flapping interface does not end the node.
 */
final class FramePump implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FramePump.class.getName());

    /** Handles one received frame (position..limit); valid only during the call. */
    interface Handler {
        void onFrame(ByteBuffer frame, long nowNanos);
    }

    private final FramePort port;
    private final Handler handler;
    private final java.util.function.BooleanSupplier between;
    private final Thread thread;
    private final ByteBuffer buffer;
    private volatile boolean running = true;
    private volatile boolean sleeping;
    /** Empty receives before sleeping in poll: a frame that follows within microseconds costs no wake-up. */
    private static final int SPIN_BEFORE_SLEEP = Integer.getInteger("colo.pump.spins", 0);
    private int idleSpins;

    /**
     * {@code between} runs before every receive (e.g. to drain frames queued by another thread) and says
     * whether it found work; the pump sleeps in the port's poll only when neither had any. Producers of
     * such work call {@link #wake()}.
     */
    FramePump(String name, FramePort port, int maxFrame, Handler handler, java.util.function.BooleanSupplier between) {
        this.port = port;
        this.handler = handler;
        this.between = between;
        this.buffer = ByteBuffer.allocateDirect(maxFrame);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                boolean worked = between.getAsBoolean();
                buffer.clear();
                int n = port.receive(buffer);
                if (n > 0) {
                    idleSpins = 0;
                    buffer.flip();
                    handler.onFrame(buffer, System.nanoTime());
                    continue;
                }
                if (!worked && idleSpins++ < SPIN_BEFORE_SLEEP) {
                    Thread.onSpinWait();
                    continue;
                }
                if (!worked) {
                    idleSpins = 0;
                    sleeping = true;
                    // Re-check after announcing the sleep: a producer that queued work before seeing the
                    // flag is found here, one that queued after it has written the port's wakeup.
                    if (!between.getAsBoolean()) {
                        port.awaitFrame(100);
                    }
                    sleeping = false;
                }
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, port.describe() + ": " + e.getMessage(), e);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Another thread queued work for {@code between}: interrupt the poll if the pump sleeps in it. */
    void wake() {
        if (sleeping) {
            port.wakeup();
        }
    }

    @Override
    public void close() {
        running = false;
        port.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
