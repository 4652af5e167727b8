package dev.colo.cli.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A node's control socket: a Unix domain socket, mode 0600, served by a thread of its own (never the node's
 * I/O loop). One selector thread accepts and reads requests, each with a deadline; a complete request goes to
 * a small pool of workers, which may wait (for a checkpoint, a failover) up to the request's own deadline. A
 * client that sends garbage, too much, or nothing in time gets an error and is disconnected; the node never
 * waits for a client.
 */
public final class ControlServer implements AutoCloseable {
    /** Handles one request (its words) on a worker thread; must answer within its own deadline. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(List<String> words);
    }

    private static final int WORKERS = 4;
    private static final long WRITE_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Path path;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Handler handler;
    private final long requestDeadlineNanos;
    private final ThreadPoolExecutor workers;
    private final Thread thread;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler, Duration requestDeadline) throws IOException {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.requestDeadlineNanos = requestDeadline.toNanos();
        this.fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16), r -> {
            Thread t = new Thread(r, "colo-control-worker");
            t.setDaemon(true);
            return t;
        });
        workers.allowCoreThreadTimeOut(true);
        this.thread = new Thread(this::serve, "colo-control");
        thread.setDaemon(true);
        thread.start();
    }

    /** Listens on {@code path} (mode 0600; a stale socket file is replaced, a live one refused). */
    public static ControlServer start(Path path, Handler handler) throws IOException {
        return start(path, handler, ControlProtocol.REQUEST_DEADLINE);
    }

    public static ControlServer start(Path path, Handler handler, Duration requestDeadline) throws IOException {
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isOther()) {
                throw new IOException(abs + " exists and is not a socket");
            }
            if (isLive(abs)) {
                throw new IOException("another node listens on " + abs);
            }
            Files.delete(abs); // left by a node that was killed
        }
        // Bound under a temporary name, made 0600, then renamed into place: never reachable with a looser mode.
        Path tmp = dir.resolve(".colo-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000 + ".tmp");
        Files.deleteIfExists(tmp);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.bind(UnixDomainSocketAddress.of(tmp));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new ControlServer(abs, s, handler, requestDeadline);
        } catch (IOException | RuntimeException e) {
            s.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Whether a node answers on this socket file (a refused connection means it was left behind). */
    static boolean isLive(Path socket) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    /** One client's request being read. */
    private static final class Pending {
        final ByteBuffer in = ByteBuffer.allocate(ControlProtocol.MAX_REQUEST + 2);
        final long deadline;

        Pending(long deadline) {
            this.deadline = deadline;
        }
    }

    private void serve() {
        List<SelectionKey> expired = new ArrayList<>();
        while (!closed) {
            try {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                    } else if (k.isReadable()) {
                        read(k);
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                expired.clear();
                for (SelectionKey k : selector.keys()) {
                    if (k.isValid() && k.attachment() instanceof Pending p && now - p.deadline >= 0) {
                        expired.add(k);
                    }
                }
                for (SelectionKey k : expired) {
                    refuse(k, "no complete request within " + TimeUnit.NANOSECONDS.toMillis(requestDeadlineNanos) + " ms");
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                // One client's trouble (or the selector's) never ends the server: carry on.
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel c;
        while ((c = server.accept()) != null) {
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, new Pending(System.nanoTime() + requestDeadlineNanos));
        }
    }

    private void read(SelectionKey k) {
        Pending p = (Pending) k.attachment();
        SocketChannel c = (SocketChannel) k.channel();
        int n;
        try {
            n = c.read(p.in);
        } catch (IOException e) {
            close(k);
            return;
        }
        int nl = indexOf(p.in, (byte) '\n');
        if (nl >= 0) {
            k.cancel();
            dispatch(c, p.in, nl);
            return;
        }
        if (n < 0) {
            if (p.in.position() == 0) {
                close(k); // connected and went away (a liveness probe): nothing to answer
            } else {
                refuse(k, "incomplete request (no end of line)");
            }
            return;
        }
        if (!p.in.hasRemaining()) {
            refuse(k, "request longer than " + ControlProtocol.MAX_REQUEST + " bytes");
        }
    }

    private static int indexOf(ByteBuffer b, byte x) {
        for (int i = 0; i < b.position(); i++) {
            if (b.get(i) == x) {
                return i;
            }
        }
        return -1;
    }

    private void dispatch(SocketChannel c, ByteBuffer in, int nl) {
        int end = nl > 0 && in.get(nl - 1) == '\r' ? nl - 1 : nl;
        if (end > ControlProtocol.MAX_REQUEST) {
            reply(c, Reply.error("request longer than " + ControlProtocol.MAX_REQUEST + " bytes"));
            return;
        }
        String line;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(in.array(), 0, end));
            line = chars.toString();
        } catch (CharacterCodingException e) {
            reply(c, Reply.error("request is not UTF-8 text"));
            return;
        }
        for (int i = 0; i < line.length(); i++) {
            if (Character.isISOControl(line.charAt(i)) && line.charAt(i) != '\t') {
                reply(c, Reply.error("request has control characters"));
                return;
            }
        }
        List<String> words = List.of(line.trim().split("[ \t]+"));
        if (words.isEmpty() || words.get(0).isEmpty()) {
            reply(c, Reply.error("empty request; expected status, set KEY VALUE, checkpoint or failover"));
            return;
        }
        try {
            workers.execute(() -> {
                Reply r;
                try {
                    r = handler.handle(words);
                } catch (RuntimeException e) {
                    r = Reply.error("internal error: " + e);
                }
                reply(c, r);
            });
        } catch (RejectedExecutionException e) {
            reply(c, Reply.error("busy: too many requests at once"));
        }
    }

    private void refuse(SelectionKey k, String reason) {
        k.cancel();
        reply((SocketChannel) k.channel(), Reply.error(reason));
    }

    private static void close(SelectionKey k) {
        k.cancel();
        try {
            k.channel().close();
        } catch (IOException e) {
            // gone
        }
    }

    /** Writes the reply without ever waiting long (a client that reads nothing loses it) and closes. */
    private static void reply(SocketChannel c, Reply r) {
        try (c) {
            ByteBuffer out = StandardCharsets.UTF_8.encode(r.encode());
            long deadline = System.nanoTime() + WRITE_DEADLINE_NANOS;
            while (out.hasRemaining() && System.nanoTime() - deadline < 0) {
                if (c.write(out) == 0) {
                    Thread.sleep(1);
                }
            }
            // Closing with unread input makes the kernel reset the connection, and the client may lose the reply
            // (an oversized request): end our side, then take what the client already sent before closing.
            c.shutdownOutput();
            ByteBuffer unread = ByteBuffer.allocate(4096);
            for (int i = 0; i < 16 && c.isBlocking() == false && c.read(unread.clear()) > 0; i++) {
                // discarded
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops serving and removes the socket file (if it is still this server's). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        try {
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                    && java.util.Objects.equals(fileKey, Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey())) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // another node may have taken the name meanwhile
        }
    }
}
