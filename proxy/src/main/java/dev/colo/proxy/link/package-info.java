/**
 * Node-to-node frame links over Netty in QEMU's socket wire format, so that our nodes interoperate with
 * QEMU's filter-mirror, filter-redirector and colo-compare (the format and the QEMU sources it was checked
 * against: {@link dev.colo.proxy.link.LinkWire}).
 *
 * <ul>
 * <li>{@link dev.colo.proxy.link.FrameLinkServer}, {@link dev.colo.proxy.link.FrameLinkClient}: the two ends
 *     of a {@link dev.colo.proxy.link.FrameLink}; one peer at a time, the client reconnects until closed.
 * <li>{@link dev.colo.proxy.link.LinkConfig}: vnet_hdr, frame size limit, water marks, timeouts.
 * <li>LinkFrameDecoder / LinkFrameEncoder: the codec; received frames are views of the received bytes.
 * <li>OutboundFrames: send() from any thread, one event-loop task and one flush per batch, bounded.
 * <li>WriteStallDetector: a peer that stops reading is cut off; TCP keepalive finds a peer that is gone.
 * <li>LinkHandler: frames to the {@link dev.colo.proxy.link.FrameReceiver}, one reason per disconnect.
 * </ul>
 * Each link runs on one event-loop thread of its own (epoll where available, else NIO).
 */
package dev.colo.proxy.link;
