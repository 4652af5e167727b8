package dev.colo.bench;

import dev.colo.proxy.io.FramePort;
import java.nio.ByteBuffer;

/**
 * The cheapest thing in the primary node's place: two threads copying frames between two ports, no
 * mirror, no comparison. Its cost over the direct path is this machine's floor for any user-space node.
 */
final class BareForwarder implements AutoCloseable {
    private final Thread[] threads;
    private volatile boolean running = true;
    private final FramePort a;
    private final FramePort b;

    BareForwarder(FramePort a, FramePort b) {
        this.a = a;
        this.b = b;
        threads = new Thread[] {pump(a, b), pump(b, a)};
    }

    private Thread pump(FramePort in, FramePort out) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(70_000);
            try {
                while (running) {
                    buf.clear();
                    if (in.receive(buf) > 0) {
                        buf.flip();
                        out.send(buf);
                    } else {
                        in.awaitFrame(100);
                    }
                }
            } catch (java.io.IOException e) {
                // closed
            }
        }, "bare-forwarder");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        a.wakeup();
        b.wakeup();
        for (Thread t : threads) {
            t.join(1000);
        }
        a.close();
        b.close();
    }
}
