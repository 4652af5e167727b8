package dev.colo.cli.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake primary for `colo secondary`, which connects out: a port on loopback (checkpoint, mirror or redirect) that
 * serves each connection the secondary makes the next hostile act of its script, and every connection after the
 * script {@link Act#HOLD} (a quiet, well-behaved peer: the links stay up) or {@link Act#CLOSE}. Each connection is
 * closed with a reset, so the port is free again at once for the real primary that follows.
 */
final class HostilePrimary implements AutoCloseable {
    /** What one connection gets. Both wire formats frame with a 32-bit big-endian length, so one set serves all ports. */
    enum Act {
        LENGTH_0, LENGTH_2_31, LENGTH_OVER_MAX, LENGTH_ALL_ONES, RANDOM_BYTES, TRUNCATED_FRAME,
        /** A well-formed frame, one byte every 100 ms, until the secondary drops it (or 3 s). */
        SLOW_SENDER,
        /** 20,000 well-formed frames no twin will ever match. */
        FLOOD,
        /** Accepted and closed at once. */
        CLOSE,
        /** Kept open and read, sending nothing. */
        HOLD
    }

    private final String name;
    private final ServerSocket server;
    private final List<Act> script;
    private final Act after;
    private final int overMax;
    private final byte[] floodFrame;
    private final AtomicInteger served = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /**
     * @param overMax the first length over the port's maximum frame
     * @param floodFrame the frame a {@link Act#FLOOD} repeats (without its length field)
     */
    HostilePrimary(String name, int port, List<Act> script, Act after, int overMax, byte[] floodFrame) throws IOException {
        this.name = name;
        this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.script = List.copyOf(script);
        this.after = after;
        this.overMax = overMax;
        this.floodFrame = floodFrame;
        this.acceptor = new Thread(this::acceptAll, "hostile-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The script followed by {@code closes} connections accepted and closed at once. */
    static List<Act> script(List<Act> acts, int closes) {
        List<Act> all = new ArrayList<>(acts);
        for (int i = 0; i < closes; i++) {
            all.add(Act.CLOSE);
        }
        return all;
    }

    /** Connections served so far. */
    int served() {
        return served.get();
    }

    /** Whether the whole script was served. */
    boolean scriptDone() {
        return served.get() >= script.size();
    }

    @Override
    public String toString() {
        return name + ": served " + served.get() + " of a script of " + script.size();
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
                s.setSoLinger(true, 0); // a reset, no TIME_WAIT on the port the real primary takes next
            } catch (IOException closed) {
                return;
            }
            int n = served.getAndIncrement();
            Act act = n < script.size() ? script.get(n) : after;
            open.add(s);
            Thread t = new Thread(() -> serve(s, act, n), "hostile-" + name + "-" + n);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s, Act act, int n) {
        try (s) {
            OutputStream o = s.getOutputStream();
            switch (act) {
                case LENGTH_0 -> lengthThenJunk(o, 0);
                case LENGTH_2_31 -> lengthThenJunk(o, 1L << 31);
                case LENGTH_OVER_MAX -> lengthThenJunk(o, overMax);
                case LENGTH_ALL_ONES -> lengthThenJunk(o, 0xffffffffL);
                case RANDOM_BYTES -> {
                    byte[] junk = new byte[4096];
                    new Random(n).nextBytes(junk);
                    o.write(junk);
                }
                case TRUNCATED_FRAME -> o.write(new byte[] {0, 0, 3, (byte) 0xe8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
                case SLOW_SENDER -> {
                    byte[] frame = withLength(floodFrame);
                    for (int i = 0; i < Math.min(frame.length, 30); i++) {
                        o.write(frame[i]);
                        o.flush();
                        Thread.sleep(100);
                    }
                }
                case FLOOD -> {
                    byte[] frame = withLength(floodFrame);
                    byte[] burst = new byte[frame.length * 100];
                    for (int i = 0; i < 100; i++) {
                        System.arraycopy(frame, 0, burst, i * frame.length, frame.length);
                    }
                    for (int i = 0; i < 200; i++) {
                        o.write(burst);
                    }
                    Thread.sleep(500); // let it be read before the reset
                }
                case CLOSE -> {
                }
                case HOLD -> drain(s.getInputStream());
            }
        } catch (IOException droppedBySecondary) {
            // what a hostile peer should expect
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(s);
        }
    }

    private static void lengthThenJunk(OutputStream o, long length) throws IOException {
        o.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        o.write(new byte[16]);
        o.flush();
    }

    private static byte[] withLength(byte[] frame) {
        byte[] b = new byte[4 + frame.length];
        b[2] = (byte) (frame.length >>> 8);
        b[3] = (byte) frame.length;
        System.arraycopy(frame, 0, b, 4, frame.length);
        return b;
    }

    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[4096];
        while (in.read(sink) >= 0) {
            // a quiet peer: reads whatever comes
        }
    }

    /** Stops listening and resets every connection still open. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        try {
            acceptor.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
