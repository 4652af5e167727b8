package dev.colo.compare.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.TcpFlyweight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ComparePipelineTest {

    private static final class Recorder implements DecisionListener {
        final List<byte[]> released = new ArrayList<>();
        final List<Divergence> checkpoints = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        int flushes;

        @Override
        public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            released.add(Arrays.copyOfRange(frame, offset, offset + length));
            if (threads.isEmpty()) {
                threads.add(Thread.currentThread());
            }
        }

        @Override
        public void onCheckpointRequested(Divergence cause) {
            checkpoints.add(cause);
        }

        @Override
        public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
            flushes++;
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ComparePipeline.ParseOn.class)
    void framesFlowThroughAllStagesInPrimaryOrderWithOneCheckpointForOneDifference(ComparePipeline.ParseOn parseOn) {
        Recorder sink = new Recorder();
        ComparePipeline pipeline = ComparePipeline.builder()
                .config(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED))
                .parseOn(parseOn).publishBatch(8).sink(sink).ringSize(64).start();
        FrameBuilder fb = new FrameBuilder();
        byte[] buf = new byte[2000];
        byte[] body = new byte[1000 * 100];
        new Random(5).nextBytes(body);
        byte[] sBody = body.clone();
        sBody[50_000] ^= 1;
        List<byte[]> primaryFrames = new ArrayList<>();
        int server = FrameBuilder.ipv4(10, 0, 0, 2);
        int client = FrameBuilder.ipv4(10, 0, 0, 1);
        long t = 1;
        for (int i = 0; i < 100; i++) {
            int len = fb.tcp4(buf, 0, server, client, 80, 1234, 1000 + i * 1000, 1, TcpFlyweight.ACK, body, i * 1000, 1000);
            primaryFrames.add(Arrays.copyOf(buf, len));
            pipeline.publish(Side.P, t, 1, buf, 0, len);
            len = fb.tcp4(buf, 0, server, client, 80, 1234, 7 + i * 1000, 1, TcpFlyweight.ACK, sBody, i * 1000, 1000);
            pipeline.publish(Side.S, t++, 1, buf, 0, len);
        }
        pipeline.finish(t);

        assertEquals(100, sink.released.size());
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(primaryFrames.get(i), sink.released.get(i), "frame " + i);
        }
        assertEquals(1, sink.checkpoints.size());
        assertEquals(CheckpointReason.MISMATCH, sink.checkpoints.get(0).reason());
        assertEquals(50_000, sink.checkpoints.get(0).streamOffset());
        assertEquals(1, sink.flushes);
        assertEquals("colo-emit-1", sink.threads.get(0).getName(), "the sink runs on the emit stage");
        CompareStats stats = pipeline.comparator().stats();
        assertEquals(200, stats.get(CompareStats.FRAMES_PRIMARY) + stats.get(CompareStats.FRAMES_SECONDARY));
        assertEquals(0, pipeline.comparator().heldFrames());
    }

    @Test
    void releasedBytesStayIntactWhileASlowSinkLagsAndSlotsAreReused() {
        List<byte[]> got = new ArrayList<>();
        DecisionListener slowSink = (frame, offset, length, capturedAt, now) -> {
            got.add(Arrays.copyOfRange(frame, offset, offset + length));
            if (got.size() % 50 == 0) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        // 8 small slots for 2000 frames: slots are reused hundreds of times while the sink lags.
        ComparePipeline pipeline = ComparePipeline.builder()
                .config(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED).smallSlots(8).largeSlots(1))
                .sink(slowSink).ringSize(256).start();
        FrameBuilder fb = new FrameBuilder();
        byte[] buf = new byte[2000];
        List<byte[]> sent = new ArrayList<>();
        Random r = new Random(11);
        for (int i = 0; i < 1000; i++) {
            byte[] payload = new byte[100 + r.nextInt(1300)];
            r.nextBytes(payload);
            int len = fb.udp4(buf, 0, FrameBuilder.ipv4(10, 0, 0, 2), FrameBuilder.ipv4(10, 0, 0, 1), 7, 9, payload, 0, payload.length);
            sent.add(Arrays.copyOf(buf, len));
            pipeline.publish(Side.P, i, 1, buf, 0, len);
            pipeline.publish(Side.S, i, 1, buf, 0, len);
        }
        pipeline.finish(1000);
        assertEquals(0, pipeline.comparator().stats().totalCheckpoints(), "a lagging sink is back-pressure, not a checkpoint");
        assertEquals(1000, got.size());
        for (int i = 0; i < 1000; i++) {
            assertArrayEquals(sent.get(i), got.get(i), "frame " + i);
        }
    }

    @Test
    void ringSizeMustBeAPowerOfTwo() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ComparePipeline.builder().ringSize(1000));
        assertEquals("ring size must be a power of two >= 2, got 1000", e.getMessage());
    }
}
