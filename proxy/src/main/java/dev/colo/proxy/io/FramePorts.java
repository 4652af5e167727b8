package dev.colo.proxy.io;

/** Opens a frame port of the chosen backend. */
public final class FramePorts {
    /**
     * A receive buffer this long never truncates: a GRO/GSO super-frame (64 KiB when offloads are on)
     * plus link headers. With offloads off, MTU + 22 bytes would do.
     */
    public static final int MAX_FRAME = 65536 + 512;

    private FramePorts() {
    }

    public static FramePort open(FramePortType type, String device, PortOptions options) throws PortException {
        return switch (type) {
            case AFPACKET -> AfPacketPort.open(device, options);
            case TAP -> TapPort.open(device, options);
            case PCAP -> PcapPort.open(device, options);
        };
    }

    /** Opens "afpacket:veth0", "tap:colo0", "pcap:eth1" (see {@link PortSpec#parse}). */
    public static FramePort open(String spec, PortOptions options) throws PortException {
        return PortSpec.parse(spec).open(options);
    }
}
