package dev.colo.proxy.link;

import java.nio.ByteBuffer;

/** What arrives on a link, called on the link's event-loop thread. */
public interface FrameReceiver {
    /** One frame (position..limit, the vnet header already stripped); valid only during the call: copy what you keep. */
    void onFrame(ByteBuffer frame);

    /** The peer connected (a server accepted it, or a client reached it). */
    default void onLinkUp(String peer) {
    }

    /** The link broke, was refused for bad input, or timed out; {@code reason} says which. */
    default void onLinkDown(String reason) {
    }
}
