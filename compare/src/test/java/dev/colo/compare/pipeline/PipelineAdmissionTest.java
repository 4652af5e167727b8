package dev.colo.compare.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.TcpFlyweight;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Back-pressure across the Disruptor: a publisher that feeds a side only while {@link ComparePipeline#canAccept}
 * allows it never makes the compare thread meet a frame it cannot hold, however far one side runs ahead and
 * however many frames are still in the ring.
 */
@Timeout(60)
class PipelineAdmissionTest {
    @Test
    void aGatedPublisherLosesNothingWithATinyStoreAndOneSideFarAhead() {
        AtomicLong released = new AtomicLong();
        CheckpointGate never = new CheckpointGate() {
            @Override
            public long request(CheckpointReason reason) {
                return Long.MAX_VALUE;
            }

            @Override
            public long committedGeneration() {
                return 0;
            }
        };
        ComparePipeline pipeline = ComparePipeline.builder()
                .config(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_RESTORED).smallSlots(64).largeSlots(8)
                        .admissionControl(true))
                .gate(never).drainAtEnd(false).ringSize(1024)
                .emitOn(ComparePipeline.EmitOn.COMPARE_THREAD)
                .sink((DecisionListener) (frame, offset, length, captured, now) -> released.incrementAndGet())
                .start();
        FrameBuilder fb = new FrameBuilder();
        byte[] buf = new byte[2000];
        byte[] payload = new byte[200];
        int total = 20_000;
        int[] next = new int[2];
        Random random = new Random(3);
        long waits = 0;
        while (next[0] < total || next[1] < total) {
            // Bursts of one side at a time: the primary often runs far ahead of what the store holds.
            int side = random.nextInt(4) == 0 ? Side.SECONDARY.ordinal() : Side.PRIMARY.ordinal();
            if (next[side] >= total || !pipeline.canAccept(side)) {
                side = 1 - side;
            }
            if (next[side] >= total || !pipeline.canAccept(side)) {
                waits++;
                Thread.onSpinWait();
                continue;
            }
            int i = next[side]++;
            payload[0] = (byte) i;
            payload[1] = (byte) (i >> 8);
            int len = fb.tcp4(buf, 0, FrameBuilder.ipv4(10, 0, 0, 2), FrameBuilder.ipv4(10, 0, 0, 1), 80, 40000,
                    1000 + i * payload.length, 7, TcpFlyweight.ACK | TcpFlyweight.PSH, payload, 0, payload.length);
            pipeline.publish(side, i, FrameDecoder.LINKTYPE_ETHERNET, ByteBuffer.wrap(buf, 0, len));
        }
        pipeline.finish(total + 1);
        CompareStats s = pipeline.comparator().stats();
        assertEquals(0, s.get(CompareStats.LOST), "no frame met a full store");
        assertEquals(total, released.get(), "every primary frame released by comparison");
        assertEquals(0, s.totalDivergences(), s.divergencesByReason());
        assertTrue(waits > 0, "the publisher had to wait for room at least once");
    }
}
