package dev.colo.checkpoint.arbiter;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One blocking connection to a witness: sends a request line and reads the reply line before a deadline.
 * Not thread-safe; {@link WitnessArbiter} serialises its use. Any failure drops the connection, and the
 * next request reconnects, so a half-read reply never answers the wrong request.
 */
final class WitnessClient implements AutoCloseable {
    private static final long NANOS_PER_MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private final InetSocketAddress witness;
    private final LongSupplier nanoTime;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    WitnessClient(InetSocketAddress witness, LongSupplier nanoTime) {
        this.witness = Objects.requireNonNull(witness, "witness");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Sends one request and returns the reply line, giving up at {@code deadlineNanos} (on {@code nanoTime}).
     * A connection kept from earlier may have been closed by the witness meanwhile (idle timeout, restart);
     * if it fails, one fresh connection is tried before the failure is reported.
     */
    String exchange(String request, long deadlineNanos) throws IOException {
        boolean reused = socket != null;
        try {
            return exchangeOnce(request, deadlineNanos);
        } catch (IOException first) {
            close();
            if (!reused || deadlineNanos - nanoTime.getAsLong() <= 0) {
                throw first;
            }
            try {
                return exchangeOnce(request, deadlineNanos);
            } catch (IOException second) {
                close();
                throw second;
            }
        }
    }

    private String exchangeOnce(String request, long deadlineNanos) throws IOException {
        if (socket == null) {
            connect(deadlineNanos);
        }
        out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readLine(deadlineNanos);
    }

    private void connect(long deadlineNanos) throws IOException {
        // Resolved on every connect: a witness whose name moved to another address is found again.
        InetSocketAddress target = new InetSocketAddress(witness.getHostString(), witness.getPort());
        if (target.isUnresolved()) {
            throw new UnknownHostException("cannot resolve witness host " + witness.getHostString());
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(target, timeoutMillis(deadlineNanos));
            in = new BufferedInputStream(s.getInputStream());
            out = s.getOutputStream();
            socket = s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private String readLine(long deadlineNanos) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            // The read timeout shrinks with every byte, so a witness that dribbles cannot stretch the deadline.
            socket.setSoTimeout(timeoutMillis(deadlineNanos));
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no reply from the witness in time");
            }
            if (b < 0) {
                throw new EOFException("the witness closed the connection");
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8).strip();
            }
            if (line.size() >= WitnessProtocol.MAX_LINE_BYTES) {
                throw new IOException("the witness sent a reply longer than " + WitnessProtocol.MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
    }

    /**
     * Milliseconds left, rounded up so the socket gives up at the deadline, not just before it (and never 0,
     * which would mean "no timeout" to the socket); throws once the deadline has passed.
     */
    private int timeoutMillis(long deadlineNanos) throws SocketTimeoutException {
        long leftNanos = deadlineNanos - nanoTime.getAsLong();
        if (leftNanos <= 0) {
            throw new SocketTimeoutException("no reply from the witness in time");
        }
        long millis = (leftNanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Already broken; nothing more to free.
            }
        }
        socket = null;
        in = null;
        out = null;
    }
}
