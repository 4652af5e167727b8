package dev.colo.checkpoint.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Arrays;
import java.util.Random;

/**
 * Coverage-guided fuzzing of the checkpoint message decoder (JAZZER_FUZZ=1, see bench/run-fuzz.sh); in the suite the
 * corpus in MessageDecoderFuzzTestInputs (every message type as MessageEncoder writes it) runs as regression tests.
 *
 * <p>Input: a control byte (bit 0: a 256-byte maximum frame instead of the default; the rest seeds how the stream is
 * cut into reads), then the stream. Only a {@link ProtocolException} (wrapped by Netty in a DecoderException) may
 * escape; every message decoded must survive MessageEncoder and decode to itself.
 */
class MessageDecoderFuzzTest {
    private static final int SMALL_MAX_FRAME = 256;

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int maxFrame = (input[0] & 1) != 0 ? SMALL_MAX_FRAME : Wire.DEFAULT_MAX_FRAME;
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        Random cuts = new Random(input[0] >> 1);
        EmbeddedChannel channel = new EmbeddedChannel(new MessageDecoder(maxFrame));
        try {
            for (int at = 0; at < stream.length; ) {
                int n = input[0] >> 1 == 0 ? stream.length : Math.min(stream.length - at, 1 + cuts.nextInt(64));
                channel.writeInbound(Unpooled.wrappedBuffer(stream, at, n));
                at += n;
                for (Object m; (m = channel.readInbound()) != null; ) {
                    assertRoundTrip(assertInstanceOf(Message.class, m), maxFrame);
                }
            }
        } catch (DecoderException e) {
            assertInstanceOf(ProtocolException.class, e.getCause(), "only protocol errors escape: " + e);
        } finally {
            for (Object m; (m = channel.readInbound()) != null; ) {
                release((Message) m);
            }
            channel.finishAndReleaseAll();
        }
    }

    private static void assertRoundTrip(Message m, int maxFrame) {
        try {
            if (m instanceof Message.StateChunk chunk) {
                assertEquals(chunk.data().readableBytes(), chunk.data().writerIndex() - chunk.data().readerIndex());
            }
            if (hasUndecodableText(m)) {
                return; // a malformed UTF-8 string decodes to U+FFFD, which is re-encoded differently
            }
            Message expected = m;
            if (m instanceof Message.StateChunk chunk) {
                expected = new Message.StateChunk(chunk.checkpointId(), Unpooled.copiedBuffer(chunk.data())); // writing reads it
                chunk.data().retain(); // the encoder hands it to the channel, which releases it
            }
            ByteBuf wire = MessageCodecTest.encode(m);
            EmbeddedChannel in = new EmbeddedChannel(new MessageDecoder(maxFrame));
            in.writeInbound(wire);
            Message again = in.readInbound();
            try {
                assertEquals(expected, again, "re-encoded message");
                assertNull(in.readInbound(), "one message in, one out");
            } finally {
                release(again);
            }
        } finally {
            release(m);
        }
    }

    private static boolean hasUndecodableText(Message m) {
        return m.toString().indexOf('\ufffd') >= 0;
    }

    private static void release(Message m) {
        if (m instanceof Message.StateChunk chunk) {
            chunk.data().release();
        }
    }
}
