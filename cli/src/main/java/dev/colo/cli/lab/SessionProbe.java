package dev.colo.cli.lab;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client of a failover scenario, run as its own process in the client namespace ({@code java ... SessionProbe HOST
 * PORT}) against an echo service: ONE TCP session sends a 16-byte request every 10 ms (a sequence number and a value
 * derived from it) and checks every reply's bytes. Commands on stdin, answers on stdout, one line each:
 * <ul>
 * <li>{@code connect}: open new connections (one started every 20 ms, each given 1 s) until one answers a request;
 *     prints {@code newconn EPOCH_MS} (the moment it answered) or {@code newconn -1} after 10 s;</li>
 * <li>{@code stop}: stops sending, waits up to 5 s for the outstanding replies, prints {@code report sent=N received=N
 *     bad=N error=TEXT gaps=START-END,...} (reply gaps of 20 ms or more, epoch ms) and exits.</li>
 * </ul>
 * Prints {@code ready} once the session answered its first request.
 */
public final class SessionProbe {
    static final int REQUEST_BYTES = 16;
    private static final long INTERVAL_MILLIS = 10;
    private static final long GAP_WORTH_NOTING_MILLIS = 20;
    private static final int MAX_GAPS = 1000;

    private final InetSocketAddress service;
    private final PrintStream out;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong bad = new AtomicLong();
    private final List<long[]> gaps = new ArrayList<>();
    private volatile boolean sending = true;
    private volatile String error = "none";

    SessionProbe(InetSocketAddress service, PrintStream out) {
        this.service = service;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SessionProbe HOST PORT");
            System.exit(2);
        }
        new SessionProbe(new InetSocketAddress(args[0], Integer.parseInt(args[1])), System.out).run();
        System.exit(0);
    }

    /** The request with sequence number {@code seq}: the echo service must return exactly these bytes. */
    static byte[] request(long seq) {
        return ByteBuffer.allocate(REQUEST_BYTES).putLong(seq).putLong(seq * 0x9E3779B97F4A7C15L ^ 0x5DEECE66DL).array();
    }

    private void run() throws Exception {
        Socket session = new Socket();
        session.setTcpNoDelay(true);
        session.connect(service, 5000);
        Thread reader = new Thread(() -> readReplies(session), "probe-reader");
        reader.setDaemon(true);
        reader.start();
        Thread writer = new Thread(() -> sendRequests(session), "probe-writer");
        writer.setDaemon(true);
        writer.start();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.equals("connect")) {
                say("newconn " + newConnection());
            } else if (line.equals("stop")) {
                break;
            }
        }
        sending = false;
        writer.join(1000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.get() < sent.get() && error.equals("none") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        session.close();
        StringBuilder g = new StringBuilder();
        synchronized (gaps) {
            for (long[] gap : gaps) {
                g.append(g.length() == 0 ? "" : ",").append(gap[0]).append('-').append(gap[1]);
            }
        }
        say("report sent=" + sent.get() + " received=" + received.get() + " bad=" + bad.get() + " error=" + error.replace(' ', '_')
                + " gaps=" + g);
    }

    private synchronized void say(String line) {
        out.println(line);
        out.flush();
    }

    private void sendRequests(Socket session) {
        try {
            OutputStream os = session.getOutputStream();
            long next = System.nanoTime();
            while (sending) {
                os.write(request(sent.get()));
                sent.incrementAndGet();
                next += TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (IOException e) {
            broke("send: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readReplies(Socket session) {
        byte[] reply = new byte[REQUEST_BYTES];
        long last = 0;
        try {
            DataInputStream in = new DataInputStream(session.getInputStream());
            while (true) {
                in.readFully(reply);
                long now = System.currentTimeMillis();
                if (!java.util.Arrays.equals(reply, request(received.get()))) {
                    bad.incrementAndGet();
                }
                if (received.incrementAndGet() == 1) {
                    say("ready");
                } else if (now - last >= GAP_WORTH_NOTING_MILLIS) {
                    synchronized (gaps) {
                        if (gaps.size() < MAX_GAPS) {
                            gaps.add(new long[] {last, now});
                        }
                    }
                }
                last = now;
            }
        } catch (IOException e) {
            if (sending || received.get() < sent.get()) {
                broke("receive: " + e.getMessage());
            }
        }
    }

    private void broke(String why) {
        if (error.equals("none")) {
            error = why;
        }
    }

    /** Epoch ms at which a fresh connection first answered a request, or -1 when none did within 10 s. */
    private long newConnection() throws InterruptedException {
        AtomicLong answeredAt = new AtomicLong(-1);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Thread> attempts = new ArrayList<>();
        while (answeredAt.get() < 0 && System.nanoTime() < giveUp) {
            Thread t = new Thread(() -> attempt(answeredAt), "probe-connect");
            t.setDaemon(true);
            t.start();
            attempts.add(t);
            Thread.sleep(20);
        }
        for (Thread t : attempts) {
            t.join(1500);
        }
        return answeredAt.get();
    }

    private void attempt(AtomicLong answeredAt) {
        try (Socket s = new Socket()) {
            s.setSoTimeout(1000);
            s.connect(service, 1000);
            byte[] req = request(-1);
            s.getOutputStream().write(req);
            byte[] reply = new DataInputStream(s.getInputStream()).readNBytes(REQUEST_BYTES);
            if (java.util.Arrays.equals(reply, req)) {
                answeredAt.compareAndSet(-1, System.currentTimeMillis());
            }
        } catch (IOException e) {
            // this attempt failed (refused, timed out): a later one may get through
        }
    }
}
