package dev.colo.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.checkpoint.arbiter.NoArbiter;
import dev.colo.checkpoint.protocol.Message;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Wire;
import dev.colo.checkpoint.protocol.MessageCodecTest;
import dev.colo.checkpoint.vm.InMemoryVm;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Strangers on the primary's checkpoint port (random bytes, an absurd length, a HELLO of another cluster, a silent
 * connection, one while a secondary is attached) are refusals counted in episodes, not state transitions: a flood of a
 * thousand costs a few log lines, and a real secondary then joins with its handshake logged as before.
 */
class CheckpointPortRefusalsTest {
    @Test
    void aFloodOfStrangersCostsAFewLinesAndARealSecondaryStillJoins() throws Exception {
        List<String> transitions = new CopyOnWriteArrayList<>();
        CoordinatorListener recorder = new CoordinatorListener() {
            @Override
            public void onTransition(Role role, String from, String to, String why) {
                transitions.add(role + " " + from + "->" + to + " " + why);
            }
        };
        CheckpointConfig config = Pair.testConfig();
        try (LogCapture log = new LogCapture();
             PrimaryCoordinator primary = new PrimaryCoordinator(config.nodeId("pvm-node"), new InMemoryVm("test", Pair.PAGES), new NoArbiter(), recorder)) {
            List<String> lines = log.lines;
            InetSocketAddress at = primary.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            byte[] otherCluster = bytes(MessageCodecTest.encode(new Message.Hello(Wire.MAGIC, Wire.VERSION, Role.SECONDARY, "intruder",
                    "another-cluster", "test")));
            Random random = new Random(18);
            int strangers = 1000;
            for (int i = 0; i < strangers; i++) {
                try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                    OutputStream o = s.getOutputStream();
                    switch (i % 4) {
                        case 0 -> {
                            byte[] junk = new byte[64];
                            random.nextBytes(junk);
                            o.write(junk);
                        }
                        case 1 -> o.write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
                        case 2 -> o.write(otherCluster);
                        default -> {
                            // connects and closes
                        }
                    }
                } catch (IOException resetByTheServer) {
                    // refused before we were done: fine
                }
            }
            Pair.await(() -> primary.refusals().total() == strangers, 10_000, () -> primary.refusals().totals() + "\n" + lines);
            // A silent one holds the handshake until the peer timeout drops it.
            try (Socket silent = new Socket(at.getAddress(), at.getPort())) {
                Pair.await(() -> primary.refusals().total() == strangers + 1, 10_000, () -> "the silent stranger dropped: " + primary.refusals().totals());
            }
            assertEquals(List.of(), transitions, "strangers are no transitions");
            assertTrue(lines.size() <= 3, lines.size() + " lines for " + strangers + " strangers: " + lines);
            assertTrue(lines.get(0).startsWith("WARNING checkpoint: refused 127.0.0.1:"), lines.get(0));
            Map<String, Long> byReason = primary.refusals().totals();
            assertTrue(byReason.getOrDefault("protocol error", 0L) >= strangers / 4, "junk and absurd lengths: " + byReason);
            assertTrue(byReason.getOrDefault("handshake refused", 0L) + byReason.getOrDefault("already attached", 0L) >= strangers / 4,
                    "another cluster's HELLOs: " + byReason);
            assertTrue(byReason.getOrDefault("peer lost", 0L) >= 1, "the silent one: " + byReason);
            assertEquals(PrimaryState.UNPROTECTED, primary.state());

            // A real secondary joins; its handshake is logged and reported as it always was.
            try (SecondaryCoordinator secondary = new SecondaryCoordinator(Pair.testConfig().nodeId("svm-node"), new InMemoryVm("test", Pair.PAGES),
                    new NoArbiter(), recorder)) {
                secondary.start(at);
                Pair.await(() -> primary.state() == PrimaryState.PROTECTED && secondary.state() == SecondaryState.RUNNING, 10_000,
                        () -> "protection: " + transitions);
                List<String> primarySide = transitions.stream().filter(t -> t.startsWith("PRIMARY")).toList();
                assertTrue(primarySide.get(0).startsWith("PRIMARY UNPROTECTED->HANDSHAKING secondary connected from /127.0.0.1:"), primarySide.toString());
                assertTrue(primarySide.get(1).startsWith("PRIMARY HANDSHAKING->INITIAL_SYNC secondary svm-node accepted"), primarySide.toString());
                assertTrue(lines.stream().anyMatch(l -> l.contains("PRIMARY pvm-node: UNPROTECTED -> HANDSHAKING")), lines.toString());
                // One more stranger while it is attached: refused and counted, the pair stays in sync.
                long before = primary.refusals().totals().getOrDefault("already attached", 0L);
                new Socket(at.getAddress(), at.getPort()).close();
                Pair.await(() -> primary.refusals().totals().getOrDefault("already attached", 0L) == before + 1, 10_000,
                        () -> "refused while attached: " + primary.refusals().totals());
                assertEquals(PrimaryState.PROTECTED, primary.state());
            }
        }
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        b.release();
        return a;
    }
}
