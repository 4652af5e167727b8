package dev.colo.proxy.io;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;

/**
 * The native address of a direct buffer, without allocating: Netty reads the buffer's address field
 * directly, whereas JNA's lookup allocates a Pointer each time. Where Netty cannot (no Unsafe), JNA's
 * lookup is remembered for the last buffer seen, so an I/O loop reusing its buffer still allocates
 * nothing per frame.
 */
final class BufferAddress {
    private static final boolean NETTY = PlatformDependent.hasUnsafe();
    private ByteBuffer last;
    private long address;

    long of(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("frame ports read and write direct buffers only (ByteBuffer.allocateDirect)");
        }
        if (NETTY) {
            return PlatformDependent.directBufferAddress(buffer);
        }
        if (buffer != last) {
            address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
            last = buffer;
        }
        return address;
    }
}
