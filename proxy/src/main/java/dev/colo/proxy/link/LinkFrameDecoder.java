package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.BooleanSupplier;

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
    private final BooleanSupplier paused;
    private boolean failed;
    /** The peer finished sending while frames still waited here (paused): its end is handled once they are delivered. */
    private boolean endPending;

    /** @param paused while true no frame is delivered: the bytes wait here (the link stops reading the socket too) */
    LinkFrameDecoder(int maxFrame, boolean vnetHdr, Frames frames, BooleanSupplier paused) {
        this.maxFrame = maxFrame;
        this.vnetHdr = vnetHdr;
        this.frames = frames;
        this.paused = paused;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (paused.getAsBoolean()) {
            return; // nothing consumed: the decode loop stops, the bytes wait for resumption
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

    /**
     * Netty's decoder asks for another read when a read produced no message and auto-read is off, which is
     * always the case here (frames go to the link, not down the pipeline): while paused that would read on
     * without bound, so it does not.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (paused.getAsBoolean()) {
            discardSomeReadBytes();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    /** Delivers what waits (the link resumes with an empty read), then the peer's end if it came meanwhile. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        super.channelRead(ctx, msg);
        if (endPending && !paused.getAsBoolean()) {
            endPending = false;
            super.userEventTriggered(ctx, ChannelInputShutdownEvent.INSTANCE);
        }
    }

    /**
     * The peer closed its side (the link allows half-closure so that this arrives as an event): while paused,
     * the frames it sent before closing still wait here, so its end is put off until they are delivered.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && paused.getAsBoolean() && !failed) {
            endPending = true;
            return;
        }
        super.userEventTriggered(ctx, evt);
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
