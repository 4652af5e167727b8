package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits QEMU's stream into frames and hands each one to the link where it lies in the received bytes
 * (no slice object per frame), with the vnet header already skipped. The length is checked as soon as its four bytes arrive,
 * so a bogus length never makes us wait for, or allocate, the bytes it announces: the bytes held are at
 * most one maximal frame plus one read.
 *
 * <p>Errors ({@link LinkProtocolException}): a length of 0 or above the maximum, a vnet_hdr_len that leaves
 * no frame, and the peer closing in the middle of a frame. The stream cannot be resynchronised after any
 * of them: everything after is discarded and the link handler closes the connection.
 */
final class LinkFrameDecoder extends ByteToMessageDecoder {
    /** Takes one frame: {@code length} bytes at {@code index} of {@code in}, valid during the call only. */
    interface Frames {
        void onFrame(ByteBuf in, int index, int length);
    }

    private final int maxFrame;
    private final boolean vnetHdr;
    private final Frames frames;
    private boolean failed;

    LinkFrameDecoder(int maxFrame, boolean vnetHdr, Frames frames) {
        this.maxFrame = maxFrame;
        this.vnetHdr = vnetHdr;
        this.frames = frames;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < LinkWire.LENGTH_FIELD) {
            return;
        }
        long length = in.getUnsignedInt(start);
        if (length == 0) {
            throw fail(in, "frame length 0 (QEMU never sends an empty frame)");
        }
        if (length > maxFrame) {
            throw fail(in, "frame length " + length + " exceeds the maximum " + maxFrame);
        }
        long vnetHdrLen = 0;
        if (vnetHdr) {
            if (readable < LinkWire.LENGTH_FIELD + LinkWire.VNET_HDR_LEN_FIELD) {
                return;
            }
            vnetHdrLen = in.getUnsignedInt(start + LinkWire.LENGTH_FIELD);
            if (vnetHdrLen >= length) {
                throw fail(in, "vnet header length " + vnetHdrLen + " leaves no room in a frame of length " + length);
            }
        }
        int fields = LinkWire.fieldsLength(vnetHdr);
        if (readable < fields + length) {
            return; // a partial frame: wait for the rest
        }
        int frameLength = (int) (length - vnetHdrLen);
        int at = start + fields + (int) vnetHdrLen;
        in.skipBytes(fields + (int) length);
        frames.onFrame(in, at, frameLength);
    }

    /** Bytes left at the end of the stream are a frame cut short: reported before the channel goes inactive. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed || !in.isReadable()) {
            return;
        }
        int readable = in.readableBytes();
        String what;
        if (readable < LinkWire.fieldsLength(vnetHdr)) {
            what = "connection closed after " + readable + " bytes of a frame header";
        } else {
            long total = LinkWire.fieldsLength(vnetHdr) + in.getUnsignedInt(in.readerIndex());
            what = "connection closed in the middle of a frame (" + readable + " of " + total + " bytes received)";
        }
        // Thrown from here the error would reach the handlers after channelInactive; fired, it comes first.
        ctx.fireExceptionCaught(fail(in, what));
    }

    private LinkProtocolException fail(ByteBuf in, String what) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return new LinkProtocolException(what);
    }
}
