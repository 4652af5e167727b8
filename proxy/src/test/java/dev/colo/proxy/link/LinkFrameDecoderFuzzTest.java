package dev.colo.proxy.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Coverage-guided fuzzing of the link frame decoder (JAZZER_FUZZ=1, see bench/run-fuzz.sh); in the suite the corpus in
 * LinkFrameDecoderFuzzTestInputs (bundled frames in QEMU's format, with and without vnet headers) runs as
 * regression tests.
 *
 * <p>Input: a control byte (bit 0: vnet_hdr on; bit 1: a 2048-byte maximum instead of QEMU's), a byte seeding how the
 * stream is cut into reads and when the link pauses, then the stream. The decoder, driven through Netty's
 * EmbeddedChannel, must deliver exactly the frames a plain sequential reading of the stream finds, in bounds, and then
 * fail with a LinkProtocolException where that reading does (or at the end, for a frame cut short); nothing else.
 */
class LinkFrameDecoderFuzzTest {
    private static final int SMALL_MAX_FRAME = 2048;

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) {
        if (input.length < 2) {
            return;
        }
        boolean vnetHdr = (input[0] & 1) != 0;
        int maxFrame = (input[0] & 2) != 0 ? SMALL_MAX_FRAME : LinkWire.QEMU_MAX_FRAME;
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        Expected expected = Expected.read(stream, vnetHdr, maxFrame);

        List<String> frames = new ArrayList<>();
        boolean[] paused = {false};
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new LinkFrameDecoder(maxFrame, vnetHdr, (in, index, length) -> {
            assertTrue(length > 0 && length <= maxFrame, "frame length " + length);
            assertTrue(index >= 0 && index + length <= in.writerIndex(), "frame outside the received bytes");
            byte[] bytes = new byte[length];
            in.getBytes(index, bytes);
            frames.add(HexFormat.of().formatHex(bytes));
        }, () -> paused[0]));

        String error = null;
        Random cuts = new Random(input[1]);
        try {
            for (int at = 0; at < stream.length; ) {
                int n = input[1] == 0 ? stream.length : Math.min(stream.length - at, 1 + cuts.nextInt(96));
                paused[0] = cuts.nextInt(4) == 0;
                channel.writeInbound(Unpooled.wrappedBuffer(stream, at, n));
                at += n;
                if (paused[0]) {
                    paused[0] = false;
                    channel.writeInbound(Unpooled.EMPTY_BUFFER); // the link resumes with an empty read
                }
            }
            channel.finish();
        } catch (LinkProtocolException e) {
            error = e.getMessage();
        }
        channel.finishAndReleaseAll();
        assertEquals(expected.frames, frames, "frames delivered");
        assertEquals(expected.error != null, error != null, "expected error " + expected.error + ", got " + error);
    }

    /** The stream read by the format's definition, all bytes at hand. */
    private static final class Expected {
        final List<String> frames = new ArrayList<>();
        String error;

        static Expected read(byte[] stream, boolean vnetHdr, int maxFrame) {
            Expected e = new Expected();
            ByteBuf in = Unpooled.wrappedBuffer(stream);
            int fields = LinkWire.fieldsLength(vnetHdr);
            while (in.isReadable()) {
                if (in.readableBytes() < LinkWire.LENGTH_FIELD) {
                    e.error = "cut short in a header";
                    break;
                }
                long length = in.getUnsignedInt(in.readerIndex());
                if (length == 0 || length > maxFrame) {
                    e.error = "bad length " + length;
                    break;
                }
                if (in.readableBytes() < fields) {
                    e.error = "cut short in a header";
                    break;
                }
                long vnetHdrLen = vnetHdr ? in.getUnsignedInt(in.readerIndex() + LinkWire.LENGTH_FIELD) : 0;
                if (vnetHdrLen >= length) {
                    e.error = "bad vnet header length " + vnetHdrLen;
                    break;
                }
                if (in.readableBytes() < fields + length) {
                    e.error = "cut short in a frame";
                    break;
                }
                in.skipBytes(fields + (int) vnetHdrLen);
                byte[] frame = new byte[(int) (length - vnetHdrLen)];
                in.readBytes(frame);
                e.frames.add(HexFormat.of().formatHex(frame));
            }
            return e;
        }
    }
}
