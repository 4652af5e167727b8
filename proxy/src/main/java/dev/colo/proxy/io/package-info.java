/**
 * Frame I/O backends behind {@link dev.colo.proxy.io.FramePort}, opened by
 * {@link dev.colo.proxy.io.FramePorts#open} or from a command-line spec ({@link dev.colo.proxy.io.PortSpec}:
 * "afpacket:veth0", "tap:colo0", "pcap:eth1").
 *
 * <ul>
 *   <li>{@link dev.colo.proxy.io.AfPacketPort} (the default): a raw socket on an existing interface; no
 *       allocation per frame. Needs CAP_NET_RAW.</li>
 *   <li>{@link dev.colo.proxy.io.TapPort}: the appliance owns the VM's tap through /dev/net/tun; no
 *       allocation per frame. Needs CAP_NET_ADMIN (or ownership of a persistent tap).</li>
 *   <li>{@link dev.colo.proxy.io.PcapPort}: libpcap (Debian package libpcap0.8) through pcap4j, for BPF
 *       capture filters; allocates per received frame and costs several times more CPU per frame.</li>
 * </ul>
 *
 * <p>Offloads: with GRO/GSO/TSO on (the default on veth and tap), AF_PACKET and pcap may see frames of up
 * to 64 KiB, merged or not yet segmented by the kernel, which a COLO comparison must not see (the two VMs'
 * segments would be merged differently). Turn them off on every interface a port uses:
 * {@code ethtool -K IF gro off gso off tso off}. Receive buffers of {@link dev.colo.proxy.io.FramePorts#MAX_FRAME}
 * bytes never truncate; such frames are counted in {@link dev.colo.proxy.io.PortStats#oversize()}.
 */
package dev.colo.proxy.io;
