package dev.colo.proxy.node;

import dev.colo.proxy.io.FramePort;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node's one I/O thread: a Netty epoll event loop that serves the node's links and, through
 * {@link #watch}, its frame ports, so that a frame goes from one port or link to the next with no hand-off
 * between threads. On a machine where a wake-up costs 100 us or more, a hand-off per hop was most of
 * COLO's added latency.
 *
 * <p>With a busy-poll time above zero the loop polls without sleeping for that long after its last
 * event, so a reply that follows within it costs no wake-up; for hosts with a core to spare per node.
 */
public final class NodeLoop implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group;
    private final IoEventLoop loop;
    private final String name;

    private NodeLoop(String name, Duration busyPoll) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("a node needs Netty's native epoll transport: " + Epoll.unavailabilityCause());
        }
        this.name = name;
        long spinNanos = busyPoll.toNanos();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("colo-" + name, true),
                spinNanos > 0 ? EpollIoHandler.newFactory(0, () -> new SpinThenSleep(spinNanos)) : EpollIoHandler.newFactory());
        this.loop = group.next();
    }

    /** Starts the loop thread. {@code busyPoll} zero: sleep in epoll_wait whenever idle. */
    public static NodeLoop start(String name, Duration busyPoll) {
        if (busyPoll.isNegative()) {
            throw new IllegalArgumentException("busy-poll time must be >= 0, got " + busyPoll);
        }
        return new NodeLoop(name, busyPoll);
    }

    /** The loop, for the node's links to run on. */
    public IoEventLoop loop() {
        return loop;
    }

    public boolean inLoop() {
        return loop.inEventLoop();
    }

    /** Queues {@code task} for the loop; once the loop has stopped (the node is closing) the task is dropped. */
    public void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: nothing runs on the loop any more, and nothing needs to
        }
    }

    /** Runs {@code task} on the loop and waits for it (at once when called on the loop). */
    public void run(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.submit(task).syncUninterruptibly();
        }
    }

    /**
     * As {@link #run}, but does nothing once the loop is shutting down (the node is closing), and waits at
     * most 5 s. A task that fails still throws.
     */
    public void runUnlessStopped(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        if (loop.isShuttingDown()) {
            return;
        }
        io.netty.util.concurrent.Future<?> done;
        try {
            done = loop.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return; // stopped meanwhile: nothing runs on it any more
        }
        if (done.awaitUninterruptibly(5, TimeUnit.SECONDS) && done.cause() instanceof RuntimeException failure
                && !(failure instanceof java.util.concurrent.RejectedExecutionException)) {
            throw failure;
        }
    }

    /** Runs {@code task} on the loop every {@code periodNanos}. */
    public ScheduledFuture<?> every(long periodNanos, Runnable task) {
        return loop.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Delivers the frames {@code port} receives to {@code handler} on this loop, until the watch is cancelled. */
    public PortWatch watch(FramePort port, int maxFrame, PortWatch.Handler handler) {
        PortWatch w = new PortWatch(port, maxFrame, handler, loop);
        run(() -> {
            try {
                w.register();
            } catch (Exception e) {
                throw new IllegalStateException(name + ": cannot watch " + port.describe() + ": " + e.getMessage(), e);
            }
        });
        return w;
    }

    /** Stops the thread after the tasks already queued; links and watches should be closed first. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Polls without sleeping while events came within the last {@code spinNanos}, then sleeps in epoll_wait. */
    private static final class SpinThenSleep implements SelectStrategy {
        private final long spinNanos;
        private long lastEvent = System.nanoTime();

        SpinThenSleep(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        @Override
        public int calculateStrategy(io.netty.util.IntSupplier selectNow, boolean hasTasks) throws Exception {
            int ready = selectNow.get();
            long now = System.nanoTime();
            if (ready > 0 || hasTasks) {
                lastEvent = now;
                return ready;
            }
            return now - lastEvent < spinNanos ? SelectStrategy.CONTINUE : SelectStrategy.SELECT;
        }
    }
}
