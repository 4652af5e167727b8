package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;

/**
 * Writes one frame in QEMU's format into a pooled direct buffer: the length, the vnet_hdr_len (with
 * vnet_hdr on), a zeroed virtio-net header (flags 0, gso_type VIRTIO_NET_HDR_GSO_NONE, no checksum
 * offload: the frame is complete as it is), then the frame. The caller's thread does the copy, so that
 * {@code send} returns with the caller's buffer free again and the event loop only writes.
 */
final class LinkFrameEncoder {
    private final boolean vnetHdr;
    private final int vnetHdrLen;
    private final int maxPayload;
    /** What comes before the frame's bytes on the wire. */
    private final int overhead;

    LinkFrameEncoder(LinkConfig config) {
        this.vnetHdr = config.vnetHdr();
        this.vnetHdrLen = config.vnetHdr() ? config.vnetHdrLen() : 0;
        this.maxPayload = config.maxPayload();
        this.overhead = LinkWire.fieldsLength(vnetHdr) + vnetHdrLen;
    }

    /** Whether a frame of this many bytes can go on this link (empty frames cannot: QEMU sends none). */
    boolean fits(int frameLength) {
        return frameLength > 0 && frameLength <= maxPayload;
    }

    int maxPayload() {
        return maxPayload;
    }

    /** The bytes on the wire for a frame of this length. */
    int wireLength(int frameLength) {
        return overhead + frameLength;
    }

    /** The frame's own length, given its bytes on the wire. */
    int frameLength(int wireLength) {
        return wireLength - overhead;
    }

    /** A new buffer with the encoded frame; the frame's position and limit are left as they were. */
    ByteBuf encode(ByteBufAllocator alloc, ByteBuffer frame) {
        ByteBuf out = header(alloc, frame.remaining());
        int position = frame.position();
        out.writeBytes(frame);
        frame.position(position);
        return out;
    }

    /** As {@link #encode(ByteBufAllocator, ByteBuffer)}, for a frame in an array. */
    ByteBuf encode(ByteBufAllocator alloc, byte[] frame, int offset, int length) {
        return header(alloc, length).writeBytes(frame, offset, length);
    }

    /** A buffer for a frame of {@code length} bytes with the fields before it written. */
    private ByteBuf header(ByteBufAllocator alloc, int length) {
        int wire = wireLength(length);
        ByteBuf out = alloc.directBuffer(wire, wire);
        out.writeInt(vnetHdrLen + length);
        if (vnetHdr) {
            out.writeInt(vnetHdrLen);
            out.writeZero(vnetHdrLen);
        }
        return out;
    }
}
