/** Frame I/O backends behind {@link dev.colo.proxy.io.FramePort}: AF_PACKET, TAP, libpcap. */
package dev.colo.proxy.io;
