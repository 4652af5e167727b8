package dev.colo.proxy.link;

import static dev.colo.proxy.link.LinkTestSupport.await;
import static dev.colo.proxy.link.LinkTestSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * No stranger holds a link's one peer slot: a slow sender is dropped once its first frame is not complete within the
 * frame deadline, an idle one gives way to a newcomer, an established peer that stops mid-frame is dropped, an idle
 * established peer is not; each refusal is counted in the link's episode log, and the real peer gets in.
 */
class FrameDeadlineTest {
    private static final Duration DEADLINE = Duration.ofMillis(800);
    private final LinkConfig config = new LinkConfig().frameDeadline(DEADLINE);

    @Test
    void aSlowStrangerIsDroppedAndTheRealPeerGetsIn() throws Exception {
        LinkTestSupport.RecordingReceiver atServer = new LinkTestSupport.RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("slow-server", loopback(0), config, atServer);
             Socket stranger = new Socket(server.boundAddress().getAddress(), server.boundAddress().getPort())) {
            await(server::isConnected, 5000, () -> "the stranger connected");
            // A byte every 200 ms of a well-formed 60-byte frame, the way one byte a second would, only sooner.
            byte[] frame = new byte[64];
            frame[3] = 60;
            OutputStream out = stranger.getOutputStream();
            for (int i = 0; i < frame.length && !server.refusals().totals().containsKey("stranger: first frame incomplete"); i++) {
                try {
                    out.write(frame[i]);
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(java.util.Map.of("stranger: first frame incomplete", 1L), server.refusals().totals(),
                    "the slow stranger was dropped by the deadline, for nothing else");
            assertTrue(atServer.frames.isEmpty(), "nothing of it was delivered");
            assertEndOfStream(stranger);
            realPeerGetsIn(server, atServer);
        }
    }

    @Test
    void anIdleStrangerGivesWayToANewcomer() throws Exception {
        LinkTestSupport.RecordingReceiver atServer = new LinkTestSupport.RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("idle-server", loopback(0), config, atServer);
             Socket stranger = new Socket(server.boundAddress().getAddress(), server.boundAddress().getPort())) {
            await(server::isConnected, 5000, () -> "the stranger connected");
            realPeerGetsIn(server, atServer);
            assertEndOfStream(stranger);
            assertTrue(server.refusals().totals().containsKey("stranger displaced"), server.refusals().totals().toString());
        }
    }

    /** On a link whose peer only receives (a mirror's secondary, outdev's reader), a silent peer is the norm: it stays. */
    @Test
    void aPeerThatOnlyReceivesKeepsItsSlotAgainstNewcomers() throws Exception {
        try (FrameLinkServer server = new FrameLinkServer("mirror-like", loopback(0), config.copy().peerSends(false),
                new LinkTestSupport.RecordingReceiver());
             FrameLinkClient receiver = new FrameLinkClient("receiver", server.boundAddress(), config,
                     new LinkTestSupport.RecordingReceiver())) {
            await(() -> receiver.isConnected() && server.isConnected(), 5000, () -> "the receiving peer connected");
            Thread.sleep(DEADLINE.toMillis() * 2); // long past the deadline, no frame sent: its role
            for (int i = 0; i < 3; i++) {
                try (Socket newcomer = new Socket(server.boundAddress().getAddress(), server.boundAddress().getPort())) {
                    assertEndOfStream(newcomer);
                }
            }
            assertTrue(receiver.isConnected(), "the receiving peer kept its link");
            assertEquals(java.util.Map.of("already connected", 3L), server.refusals().totals());
            assertTrue(server.send(new byte[64], 0, 64), "frames still flow to it");
        }
    }

    @Test
    void anEstablishedPeerThatStopsMidFrameIsDroppedAndAnIdleOneIsNot() throws Exception {
        LinkTestSupport.RecordingReceiver atServer = new LinkTestSupport.RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("mid-server", loopback(0), config, atServer);
             Socket peer = new Socket(server.boundAddress().getAddress(), server.boundAddress().getPort())) {
            OutputStream out = peer.getOutputStream();
            out.write(new byte[] {0, 0, 0, 60});
            out.write(new byte[60]);
            out.flush();
            await(() -> atServer.frames.size() == 1, 5000, () -> "the first frame");
            Thread.sleep(DEADLINE.toMillis() * 3); // idle, no partial frame: not a stranger
            assertTrue(server.isConnected(), "an idle established peer stays");
            assertEquals(0, server.refusals().total(), server.refusals().totals().toString());
            out.write(new byte[] {0, 0, 0, 60, 1, 2}); // half a frame, then silence
            out.flush();
            await(() -> !server.isConnected(), 10_000, () -> "the peer silent mid-frame dropped");
            assertTrue(server.refusals().totals().containsKey("frame incomplete"), server.refusals().totals().toString());
            assertEndOfStream(peer);
        }
    }

    /** A FrameLinkClient (it retries every 200 ms) connects and its frame arrives. */
    private void realPeerGetsIn(FrameLinkServer server, LinkTestSupport.RecordingReceiver atServer) throws Exception {
        int before = atServer.frames.size();
        try (FrameLinkClient real = new FrameLinkClient("real", server.boundAddress(), config,
                new LinkTestSupport.RecordingReceiver())) {
            await(() -> real.isConnected() && real.send(new byte[64], 0, 64) && atServer.frames.size() > before,
                    10 * DEADLINE.toMillis(), () -> "the real peer's frame; refusals " + server.refusals().totals());
        }
    }

    private static void assertEndOfStream(Socket s) throws IOException {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        try {
            assertEquals(-1, in.read(), "the server closed the connection");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open", e);
        } catch (IOException reset) {
            // closed with a reset: closed all the same
        }
    }
}
