package dev.colo.cli.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Sends one request to a node's control socket and reads its reply, within a deadline. */
public final class ControlClient {
    private static final int MAX_REPLY = 1 << 20;

    private ControlClient() {
    }

    /** Where to talk: {@code explicit}, else the one live socket under /run/colo/. */
    public static Path resolve(Path explicit) throws IOException {
        if (explicit != null) {
            return explicit;
        }
        Path dir = ControlProtocol.DEFAULT_DIR;
        if (!Files.isDirectory(dir)) {
            throw new IOException("no colo node found: " + dir + " does not exist (start a node, or give --socket PATH)");
        }
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.sock")) {
            for (Path p : ds) {
                all.add(p);
            }
        }
        all.sort(null);
        if (all.size() == 1) {
            return all.get(0);
        }
        List<Path> live = new ArrayList<>();
        for (Path p : all) {
            if (ControlServer.isLive(p)) {
                live.add(p);
            }
        }
        if (live.size() == 1) {
            return live.get(0);
        }
        if (all.isEmpty()) {
            throw new IOException("no colo node found: no socket under " + dir + " (give --socket PATH)");
        }
        throw new IOException((live.isEmpty() ? "no live node among " : "several nodes: ") + (live.isEmpty() ? all : live)
                + " under " + dir + "; say which with --socket PATH");
    }

    /** One request, its reply; an IOException when the node cannot be reached or does not answer in time. */
    public static Reply call(Path socket, String request, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector sel = Selector.open()) {
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new IOException("cannot reach " + socket + ": " + e.getMessage(), e);
            }
            c.configureBlocking(false);
            ByteBuffer out = StandardCharsets.UTF_8.encode(request + "\n");
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            SelectionKey key = c.register(sel, SelectionKey.OP_WRITE);
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no answer from " + socket + " within " + deadline.toMillis() + " ms");
                }
                sel.select(Math.max(1, left / 1_000_000));
                sel.selectedKeys().clear();
                if (out.hasRemaining()) {
                    c.write(out);
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                    continue;
                }
                if (!in.hasRemaining()) {
                    if (in.capacity() >= MAX_REPLY) {
                        throw new IOException("reply from " + socket + " too long");
                    }
                    ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                    in.flip();
                    bigger.put(in);
                    in = bigger;
                }
                int n = c.read(in);
                if (n < 0) {
                    return parse(socket, new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static Reply parse(Path socket, String text) throws IOException {
        List<String> body = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith(ControlProtocol.BODY)) {
                body.add(line.substring(ControlProtocol.BODY.length()));
            } else if (line.equals(ControlProtocol.OK) || line.startsWith(ControlProtocol.OK + " ")) {
                return new Reply(true, body, line.length() > 2 ? line.substring(3) : "");
            } else if (line.startsWith(ControlProtocol.ERROR + " ")) {
                return new Reply(false, body, line.substring(ControlProtocol.ERROR.length() + 1));
            }
        }
        throw new IOException("the node at " + socket + " closed without a complete answer");
    }
}
