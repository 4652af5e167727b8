package dev.colo.checkpoint;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP relay between secondary and primary that understands the link's framing and can break it
 * on purpose: when it sees a frame of a chosen type it closes the link, injects garbage, sends the frame
 * twice, corrupts its payload, or stops forwarding without closing (a hung or vanished peer).
 */
final class FaultyRelay implements AutoCloseable {
    enum Fault { NONE, CLOSE, GARBAGE, DUPLICATE, CORRUPT, STALL }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int faultType = -1;
    private volatile Fault fault = Fault.NONE;
    final AtomicInteger faultsFired = new AtomicInteger();
    private volatile boolean closed;

    FaultyRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "relay-accept");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** Arms one fault for the next frame of this message type (either direction). */
    void arm(int messageType, Fault f) {
        fault = f;
        faultType = messageType;
    }

    /** Cuts every current connection (the relay keeps accepting new ones). */
    void cutAll() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket from = server.accept();
                Socket to = new Socket();
                to.connect(target, 2000);
                from.setTcpNoDelay(true);
                to.setTcpNoDelay(true);
                sockets.add(from);
                sockets.add(to);
                AtomicBoolean stalled = new AtomicBoolean(); // a stall silences this connection only
                pump(from, to, "s->p", stalled);
                pump(to, from, "p->s", stalled);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket in, Socket out, String name, AtomicBoolean stalled) {
        Thread t = new Thread(() -> {
            try {
                DataInputStream din = new DataInputStream(in.getInputStream());
                OutputStream os = out.getOutputStream();
                while (true) {
                    int length = din.readInt();
                    byte[] frame = new byte[length];
                    din.readFully(frame);
                    int type = frame[0];
                    Fault f = Fault.NONE;
                    if (type == faultType) {
                        f = fault;
                        faultType = -1;
                        faultsFired.incrementAndGet();
                    }
                    if (f == Fault.STALL) {
                        stalled.set(true);
                    }
                    if (stalled.get()) {
                        continue; // swallow everything, keep the sockets open: a silent peer
                    }
                    switch (f) {
                        case CLOSE -> {
                            in.close();
                            out.close();
                            return;
                        }
                        case GARBAGE -> {
                            os.write(new byte[] {0x7f, 0x00, 0x13, 0x37, 0x42, 0x42, 0x42, 0x42});
                            write(os, frame);
                        }
                        case DUPLICATE -> {
                            write(os, frame);
                            write(os, frame);
                        }
                        case CORRUPT -> {
                            frame[frame.length - 1] ^= 0x5a; // payload damaged, framing intact
                            write(os, frame);
                        }
                        default -> write(os, frame);
                    }
                }
            } catch (IOException e) {
                close(in);
                close(out);
            }
        }, "relay-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static void write(OutputStream os, byte[] frame) throws IOException {
        byte[] out = new byte[4 + frame.length];
        out[0] = (byte) (frame.length >>> 24);
        out[1] = (byte) (frame.length >>> 16);
        out[2] = (byte) (frame.length >>> 8);
        out[3] = (byte) frame.length;
        System.arraycopy(frame, 0, out, 4, frame.length);
        os.write(out);
        os.flush();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cutAll();
    }

}
