package dev.colo.compare.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.TcpFlyweight;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparator on the caller's thread: every decision is made and emitted before publish returns. */
class InlineCompareTest {
    private final List<byte[]> released = new ArrayList<>();
    private final List<Divergence> checkpoints = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final DecisionListener sink = new DecisionListener() {
        @Override
        public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            released.add(Arrays.copyOfRange(frame, offset, offset + length));
            threads.add(Thread.currentThread());
        }

        @Override
        public void onCheckpointRequested(Divergence cause) {
            checkpoints.add(cause);
        }
    };

    @Test
    void equalTwinsAreReleasedWithinTheCallAndADifferenceCheckpointsThenFlushes() {
        InlineCompare compare = new InlineCompare(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED),
                dev.colo.compare.CheckpointGate.immediate(), sink);
        FrameBuilder fb = new FrameBuilder();
        byte[] buf = new byte[2000];
        byte[] body = new byte[1000 * 10];
        Arrays.fill(body, (byte) 'a');
        byte[] other = body.clone();
        other[9_500] = 'b';
        int server = FrameBuilder.ipv4(10, 0, 0, 2);
        int client = FrameBuilder.ipv4(10, 0, 0, 1);
        List<byte[]> primary = new ArrayList<>();
        long t = 1;
        for (int i = 0; i < 10; i++) {
            int len = fb.tcp4(buf, 0, server, client, 80, 1234, 1000 + i * 1000, 1, TcpFlyweight.ACK, body, i * 1000, 1000);
            primary.add(Arrays.copyOf(buf, len));
            compare.publish(Side.P, t, 1, ByteBuffer.wrap(buf, 0, len));
            len = fb.tcp4(buf, 0, server, client, 80, 1234, 5 + i * 1000, 1, TcpFlyweight.ACK, other, i * 1000, 1000);
            compare.publish(Side.S, t++, 1, ByteBuffer.wrap(buf, 0, len));
            if (i < 9) {
                assertEquals(i + 1, released.size(), "frame " + i + " released within its twin's publish");
            }
        }
        assertEquals(1, checkpoints.size());
        assertEquals(CheckpointReason.MISMATCH, checkpoints.get(0).reason());
        compare.tick(t + 1_000_000);
        assertEquals(10, released.size(), "the differing frame leaves after the checkpoint");
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(primary.get(i), released.get(i), "frame " + i);
            assertSame(Thread.currentThread(), threads.get(i));
        }
        compare.close();
        int len = fb.tcp4(buf, 0, server, client, 80, 1234, 20_000, 1, TcpFlyweight.ACK, body, 0, 10);
        compare.publish(Side.P, t + 2_000_000, 1, ByteBuffer.wrap(buf, 0, len));
        compare.enterUnprotected(t + 3_000_000);
        assertEquals(10, released.size(), "nothing is compared or released after close");
    }
}
