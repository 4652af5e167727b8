package dev.colo.checkpoint.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.List;
import org.junit.jupiter.api.Test;

public class MessageCodecTest {

    /** The bytes MessageEncoder writes for {@code m} (a state chunk's data is released as the channel would). */
    public static ByteBuf encode(Message m) {
        EmbeddedChannel out = new EmbeddedChannel(new MessageEncoder());
        out.writeOutbound(m);
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = out.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    private static Message decode(ByteBuf wire) {
        EmbeddedChannel in = new EmbeddedChannel(new MessageDecoder(Wire.DEFAULT_MAX_FRAME));
        in.writeInbound(wire);
        return in.readInbound();
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        List<Message> all = List.of(
                new Message.Hello(Wire.MAGIC, Wire.VERSION, Role.SECONDARY, "svm-1", "prod", "kvm:web:512M"),
                new Message.Refused("VM mismatch"),
                new Message.CheckpointReady(2),
                new Message.New(7, Trigger.ON_DEMAND, "MISMATCH TCP 10.0.0.2:80"),
                new Message.Suspended(7),
                new Message.Send(7, false),
                new Message.StateEnd(7, 123456789L, 0xCAFEBABE),
                new Message.Received(7),
                new Message.Loaded(7),
                new Message.Abort(7, "state stream damaged"),
                new Message.Heartbeat(99));
        for (Message m : all) {
            assertEquals(m, decode(encode(m)), m.type().name());
        }
        ByteBuf data = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5});
        Message.StateChunk chunk = (Message.StateChunk) decode(encode(new Message.StateChunk(8, data)));
        assertEquals(8, chunk.checkpointId());
        assertEquals(5, chunk.data().readableBytes());
        assertEquals(5, chunk.data().getByte(4));
        chunk.data().release();
    }

    @Test
    void aFrameOverTheMaximumIsAProtocolErrorNamingBothSizes() {
        EmbeddedChannel in = new EmbeddedChannel(new MessageDecoder(1000));
        ByteBuf wire = Unpooled.buffer().writeInt(5_000_000).writeByte(4);
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(wire));
        assertInstanceOf(ProtocolException.class, e.getCause());
        assertEquals("frame of 5000000 bytes (maximum 1000)", e.getCause().getMessage());
    }

    @Test
    void unknownTruncatedAndOverlongMessagesAreProtocolErrors() {
        assertProtocolError(Unpooled.buffer().writeInt(1).writeByte(99), "unknown message type 99");
        assertProtocolError(Unpooled.buffer().writeInt(5).writeByte(4).writeInt(1), "truncated NEW message");
        assertProtocolError(Unpooled.buffer().writeInt(10).writeByte(12).writeLong(1).writeByte(0), "HEARTBEAT message has 1 bytes too many");
        assertProtocolError(Unpooled.buffer().writeInt(0), "frame of 0 bytes (maximum " + Wire.DEFAULT_MAX_FRAME + ")");
        ByteBuf badRole = Unpooled.buffer().writeInt(0).writeByte(1).writeInt(Wire.MAGIC).writeShort(1).writeByte(9);
        badRole.setInt(0, badRole.readableBytes() - 4);
        assertProtocolError(badRole, "unknown role code 9");
    }

    /**
     * Found by MessageDecoderFuzzTest: after a bad message the decoder went on decoding the bytes behind it, so the
     * messages there were delivered and, when the channel closed, its end decoded the rest into a second error.
     */
    @Test
    void nothingBehindABadMessageIsDecodedNotEvenAtTheChannelsEnd() {
        EmbeddedChannel in = new EmbeddedChannel(new MessageDecoder(Wire.DEFAULT_MAX_FRAME));
        ByteBuf wire = Unpooled.buffer().writeInt(1).writeByte(99);
        wire.writeBytes(encode(new Message.Heartbeat(7)));
        wire.writeInt(-1); // the start of a frame over the maximum
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(wire));
        assertEquals("unknown message type 99", e.getCause().getMessage());
        in.writeInbound(encode(new Message.Heartbeat(8)));
        assertFalse(in.finish(), "no message after the bad one");
        assertNull(in.readInbound());
    }

    @Test
    void randomGarbageNeverEscapesAsAnythingButAProtocolError() {
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(64)];
            r.nextBytes(junk);
            EmbeddedChannel in = new EmbeddedChannel(new MessageDecoder(4096));
            try {
                in.writeInbound(Unpooled.wrappedBuffer(junk));
                for (Object o; (o = in.readInbound()) != null; ) {
                    if (o instanceof Message.StateChunk c) {
                        c.data().release();
                    }
                }
            } catch (DecoderException e) {
                assertInstanceOf(ProtocolException.class, e.getCause(), "garbage " + i);
            }
            in.finishAndReleaseAll();
        }
    }

    private static void assertProtocolError(ByteBuf wire, String message) {
        EmbeddedChannel in = new EmbeddedChannel(new MessageDecoder(Wire.DEFAULT_MAX_FRAME));
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(wire));
        assertInstanceOf(ProtocolException.class, e.getCause());
        assertTrue(e.getCause().getMessage().equals(message), e.getCause().getMessage());
    }
}
