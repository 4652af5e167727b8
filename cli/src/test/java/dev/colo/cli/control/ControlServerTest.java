package dev.colo.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The control socket itself: mode 0600, stale files replaced, live ones refused, garbage and silence answered with an error. */
@Timeout(30)
class ControlServerTest {
    @TempDir
    Path tmp;

    private static final ControlServer.Handler ECHO = words -> words.get(0).equals("boom")
            ? Reply.error("refused: boom") : Reply.ok(List.of("body " + words.size()), String.join("+", words));

    /** Sends raw bytes (no framing added) and reads everything the server answers until it closes. */
    static String raw(Path socket, byte[] request, boolean closeOutput) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap(request));
            if (closeOutput) {
                c.shutdownOutput();
            }
            ByteBuffer in = ByteBuffer.allocate(65536);
            while (c.read(in) >= 0) {
                // until the node closes
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void socketIsPrivateAnswersAndIsRemovedAtClose() throws Exception {
        Path sock = tmp.resolve("sub/n.sock");
        try (ControlServer s = ControlServer.start(sock, ECHO)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent())), "directory made 0700");
            Reply r = ControlClient.call(sock, "status json", Duration.ofSeconds(5));
            assertTrue(r.ok());
            assertEquals(List.of("body 2"), r.body());
            assertEquals("status+json", r.text());
            Reply e = ControlClient.call(sock, "boom", Duration.ofSeconds(5));
            assertFalse(e.ok());
            assertEquals("refused: boom", e.text());
            assertTrue(Files.list(sock.getParent()).allMatch(p -> p.equals(sock)), "no temporary file left");
        }
        assertFalse(Files.exists(sock), "removed at close");
    }

    @Test
    void staleSocketIsReplacedALiveOneIsRefused() throws Exception {
        Path sock = tmp.resolve("n.sock");
        // A node killed with SIGKILL leaves its socket file behind: bound, never closed by its owner.
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(sock));
        dead.close();
        assertTrue(Files.exists(sock));
        try (ControlServer s = ControlServer.start(sock, ECHO)) {
            assertTrue(ControlClient.call(sock, "x", Duration.ofSeconds(5)).ok());
            IOException busy = assertThrows(IOException.class, () -> ControlServer.start(sock, ECHO));
            assertTrue(busy.getMessage().contains("another node listens"), busy.getMessage());
            assertTrue(ControlClient.call(sock, "x", Duration.ofSeconds(5)).ok(), "the first one still serves");
        }
        Files.writeString(sock, "not a socket");
        IOException notSocket = assertThrows(IOException.class, () -> ControlServer.start(sock, ECHO));
        assertTrue(notSocket.getMessage().contains("not a socket"), notSocket.getMessage());
    }

    @Test
    void garbageTooMuchAndSilenceGetAnErrorAndTheServerGoesOn() throws Exception {
        Path sock = tmp.resolve("n.sock");
        try (ControlServer s = ControlServer.start(sock, ECHO, Duration.ofMillis(300))) {
            assertTrue(raw(sock, new byte[] {(byte) 0xff, (byte) 0xfe, 0x01, '\n'}, false).startsWith("error request is not UTF-8"));
            assertTrue(raw(sock, "sta\u0007tus\n".getBytes(StandardCharsets.UTF_8), false).startsWith("error request has control"));
            byte[] big = new byte[ControlProtocol.MAX_REQUEST + 100];
            java.util.Arrays.fill(big, (byte) 'a');
            assertTrue(raw(sock, big, false).startsWith("error request longer than"));
            assertTrue(raw(sock, "status".getBytes(StandardCharsets.UTF_8), true).startsWith("error incomplete request"));
            assertTrue(raw(sock, "\n".getBytes(StandardCharsets.UTF_8), false).startsWith("error empty request"));
            // A client that connects and says nothing is answered at the deadline and disconnected.
            long t0 = System.nanoTime();
            String silent = raw(sock, new byte[0], false);
            assertTrue(silent.startsWith("error no complete request within 300 ms"), silent);
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
            // Many silent clients at once do not stop a good one.
            SocketChannel[] idle = new SocketChannel[20];
            for (int i = 0; i < idle.length; i++) {
                idle[i] = SocketChannel.open(UnixDomainSocketAddress.of(sock));
            }
            assertTrue(ControlClient.call(sock, "still here", Duration.ofSeconds(5)).ok());
            for (SocketChannel c : idle) {
                c.close();
            }
        }
    }
}
