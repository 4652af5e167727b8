package dev.colo.proxy.link;

/**
 * QEMU's socket wire format for frames, as spoken by filter-mirror, filter-redirector and colo-compare:
 * {@code [u32 BE length][u32 BE vnet_hdr_len, only with vnet_hdr_support=on][length bytes]}.
 *
 * <p>Facts checked against QEMU's sources (qemu/qemu on GitHub):
 * <ul>
 * <li>net/filter-mirror.c {@code filter_send}: the length is {@code iov_size()} of the packet, and with
 *     vnet_hdr on the packet starts with the netdev's virtio-net header, so <b>the length counts the vnet
 *     header</b>; the vnet_hdr_len field is {@code nf->netdev->vnet_hdr_len}; an empty packet is never sent.
 * <li>net/colo-compare.c {@code _compare_chr_send}: the same layout ({@code entry->size} includes the header);
 *     net/colo.c {@code parse_packet_early} finds the Ethernet header at {@code data + vnet_hdr_len}.
 * <li>net/net.c {@code net_fill_rstate}: reads length, then vnet_hdr_len only when the filter's vnet_hdr is
 *     on (there is no negotiation: both ends must be configured alike), then the bytes into a buffer of
 *     {@code NET_BUFSIZE}; a longer packet terminates the connection.
 * <li>include/net/net.h: {@code NET_BUFSIZE (4096 + 65536)} = 69632, "maximum GSO packet size (64k) plus
 *     plenty of room for the ethernet and virtio_net headers".
 * <li>hw/net/virtio-net.c {@code virtio_net_set_mrg_rx_bufs}: the header is 12 bytes
 *     ({@code virtio_net_hdr_mrg_rxbuf}) for virtio 1.0 or mergeable rx buffers, 10 for a legacy device
 *     without them, 20 with hash reports ({@code virtio_net_hdr_v1_hash}).
 * </ul>
 */
final class LinkWire {
    /** The u32 length before every frame. */
    static final int LENGTH_FIELD = 4;
    /** The u32 vnet_hdr_len after the length, with vnet_hdr_support on. */
    static final int VNET_HDR_LEN_FIELD = 4;
    /** QEMU's NET_BUFSIZE: the longest frame (vnet header included) its readers accept. */
    static final int QEMU_MAX_FRAME = 4096 + 65536;
    /** {@code struct virtio_net_hdr}: legacy device without mergeable rx buffers. */
    static final int VIRTIO_NET_HDR_LEN = 10;
    /** {@code struct virtio_net_hdr_mrg_rxbuf}: virtio 1.0, or mergeable rx buffers. */
    static final int VIRTIO_NET_HDR_MRG_RXBUF_LEN = 12;
    /** {@code struct virtio_net_hdr_v1_hash}: with VIRTIO_NET_F_HASH_REPORT. */
    static final int VIRTIO_NET_HDR_V1_HASH_LEN = 20;

    private LinkWire() {
    }

    /** Bytes before the frame's own bytes on the wire. */
    static int fieldsLength(boolean vnetHdr) {
        return vnetHdr ? LENGTH_FIELD + VNET_HDR_LEN_FIELD : LENGTH_FIELD;
    }
}
