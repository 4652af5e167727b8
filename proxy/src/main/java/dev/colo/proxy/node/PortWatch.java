package dev.colo.proxy.node;

import dev.colo.proxy.io.FramePort;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A frame port watched by a node's event loop (registered level-triggered with Netty's epoll, as a
 * channel would be): when the port's fd is readable, up to {@link #BURST} frames are received into reused
 * direct buffers and handed to the handler on the loop. The handler learns which frame ends the burst,
 * so it can flush a link before a slower step (the primary mirrors the client's frame before the PVM
 * answers it). A port whose receive fails is logged, counted and left alone for {@link #RETRY_MILLIS};
 * a handler that throws loses its frame only.
 */
public final class PortWatch implements EpollIoHandle {
    private static final Logger LOG = Logger.getLogger(PortWatch.class.getName());
    /** Frames taken per readiness event before the loop serves its other sources. */
    static final int BURST = 64;
    static final int RETRY_MILLIS = 100;

    /** Handles one frame (position..limit), valid only during the call, on the loop. */
    public interface Handler {
        /** @param lastOfBurst no further frame was waiting when this one was handed over */
        void onFrame(ByteBuffer frame, long nowNanos, boolean lastOfBurst);
    }

    private final FramePort port;
    private final Handler handler;
    private final IoEventLoop loop;
    private final FileDescriptor fd;
    private ByteBuffer current;
    private ByteBuffer next;
    private IoRegistration registration;
    private final Runnable drainTask = this::drain;
    private long failures;
    private boolean cancelled;
    /** Loop only: the destination of this port's frames is full; the port is not read until it has room. */
    private boolean paused;
    private boolean retrying;
    /** Taking the fd out for a pause is not the loop closing the watch. */
    private boolean deregistering;

    PortWatch(FramePort port, int maxFrame, Handler handler, IoEventLoop loop) {
        this.port = port;
        this.handler = handler;
        this.loop = loop;
        this.fd = new FileDescriptor(port.readinessFd());
        this.current = ByteBuffer.allocateDirect(maxFrame);
        this.next = ByteBuffer.allocateDirect(maxFrame);
    }

    /** On the loop (where registering completes at once). */
    void register() throws Exception {
        registration = loop.register(this).sync().getNow();
        registration.submit(EpollIoOps.EPOLLIN);
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        drain();
    }

    private void drain() {
        if (cancelled || paused) {
            return;
        }
        try {
            if (!receive(current)) {
                return;
            }
            for (int budget = BURST - 1; ; budget--) {
                boolean more;
                try {
                    // The handler of the frame before may have paused the port: the next one stays in the kernel.
                    more = budget > 0 && !paused && receive(next);
                } catch (IOException e) {
                    deliver(true); // the frame already read is not lost to the failure of the next read
                    throw e;
                }
                deliver(!more);
                if (!more) {
                    if (budget == 0 && !paused) {
                        // Frames may still wait (libpcap buffers some where epoll cannot see them): come back after the other sources.
                        loop.execute(drainTask);
                    }
                    return;
                }
                ByteBuffer done = current;
                current = next;
                next = done;
            }
        } catch (IOException e) {
            pauseAfter(e);
        }
    }

    /** A handler's bug costs its frame, not the port: the next frames are still read. */
    private void deliver(boolean lastOfBurst) {
        try {
            handler.onFrame(current, System.nanoTime(), lastOfBurst);
        } catch (RuntimeException e) {
            failures++;
            LOG.log(failures == 1 ? Level.WARNING : Level.FINE, port.describe() + ": a frame's handler failed (further failures at FINE)", e);
        }
    }

    private boolean receive(ByteBuffer into) throws IOException {
        into.clear();
        if (port.receive(into) <= 0) {
            return false;
        }
        into.flip();
        return true;
    }

    /**
     * Back-pressure, on the loop: while paused the port is not read (frames wait in the kernel's queue or
     * ring, and beyond it the kernel drops and counts them, as a full NIC would); resuming reads what waits.
     * A frame already read ahead when a handler pauses is still delivered: at most one frame after the pause.
     */
    public void pause(boolean pause) {
        if (pause == paused || cancelled) {
            return;
        }
        paused = pause;
        if (!retrying) {
            watching(!pause);
        }
        if (!pause) {
            loop.execute(drainTask); // level-triggered epoll would tell us too; this does not wait for it
        }
    }

    /**
     * Adds the port's fd to the loop's epoll set or takes it out. Netty's epoll takes an fd out of its set when
     * its interest becomes none, and a later change of interest then fails (ENOENT): so out and in again.
     */
    private void watching(boolean on) {
        if (on && registration == null) {
            try {
                register();
            } catch (Exception e) {
                throw new IllegalStateException(port.describe() + ": cannot watch it again: " + e.getMessage(), e);
            }
        } else if (!on && registration != null) {
            deregistering = true;
            try {
                if (registration.isValid()) {
                    registration.cancel();
                }
            } finally {
                deregistering = false;
            }
            registration = null;
        }
    }

    public boolean paused() {
        return paused;
    }

    /** A failing port (an interface gone down) is not watched for a while: no busy loop on a persistent error. */
    private void pauseAfter(IOException e) {
        failures++;
        LOG.log(failures == 1 ? Level.WARNING : Level.FINE, port.describe() + ": " + e.getMessage()
                + " (not read for " + RETRY_MILLIS + " ms; further failures at FINE)", e);
        try {
            watching(false);
            retrying = true;
            loop.schedule(() -> {
                retrying = false;
                if (!cancelled && !paused) {
                    watching(true);
                }
                return null;
            }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception ex) {
            LOG.log(Level.WARNING, port.describe() + ": cannot pause watching: " + ex.getMessage(), ex);
        }
    }

    /** Failures so far (receive errors and exceptions from the handler). */
    public long failures() {
        return failures;
    }

    /** Stops watching; returns once the loop no longer reads the port (so it may be closed). */
    public void cancel() {
        Runnable stop = () -> {
            cancelled = true;
            watching(false);
        };
        if (loop.inEventLoop()) {
            stop.run();
        } else if (!loop.isShuttingDown()) {
            loop.submit(stop).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        // Called by the loop when it shuts down: the port belongs to the node, which closes it.
        if (!deregistering) {
            cancelled = true;
        }
    }
}
