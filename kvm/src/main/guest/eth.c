/* Ethernet framing and ARP (we answer for our own address; we never need to ask). */
#include "lib.h"
#include "net.h"
#include "tcp.h"
#include "hypercall.h"

#define ARP_LEN        28
#define ARP_HW_ETHER   1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

static const uint8_t broadcast_mac[ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint8_t tx_frame[FRAME_MAX];

uint8_t *eth_tx_payload(void)
{
    return tx_frame + ETH_HDR_LEN;
}

void eth_send(const uint8_t dst[ETH_ADDR_LEN], uint16_t type, size_t payload_len)
{
    size_t len = ETH_HDR_LEN + payload_len;
    if (len > ETH_HDR_LEN + net_cfg.mtu)
        return;
    memcpy(tx_frame, dst, ETH_ADDR_LEN);
    memcpy(tx_frame + 6, net_cfg.mac, ETH_ADDR_LEN);
    put16(tx_frame + 12, type);
    if (len < ETH_MIN_FRAME) {
        memset(tx_frame + len, 0, ETH_MIN_FRAME - len);
        len = ETH_MIN_FRAME;
    }
    hvc_net_send(tx_frame, len); /* a failed send is a lost frame: TCP retransmits, others don't care */
}

static void arp_input(const uint8_t *p, size_t len)
{
    if (len < ARP_LEN || get16(p) != ARP_HW_ETHER || get16(p + 2) != ETH_TYPE_IPV4 ||
        p[4] != ETH_ADDR_LEN || p[5] != 4)
        return;
    uint16_t op = get16(p + 6);
    const uint8_t *sender_mac = p + 8;
    uint32_t sender_ip = get32(p + 14);
    uint32_t target_ip = get32(p + 24);

    /* Learn: a peer whose MAC changed gets its TCP traffic at the new address from now on. */
    if (sender_ip != 0)
        tcp_peer_moved(sender_ip, sender_mac);

    if (op != ARP_OP_REQUEST || target_ip != net_cfg.ip)
        return;
    uint8_t *r = eth_tx_payload();
    put16(r, ARP_HW_ETHER);
    put16(r + 2, ETH_TYPE_IPV4);
    r[4] = ETH_ADDR_LEN;
    r[5] = 4;
    put16(r + 6, ARP_OP_REPLY);
    memcpy(r + 8, net_cfg.mac, ETH_ADDR_LEN);
    put32(r + 14, net_cfg.ip);
    memcpy(r + 18, sender_mac, ETH_ADDR_LEN);
    put32(r + 24, sender_ip);
    eth_send(sender_mac, ETH_TYPE_ARP, ARP_LEN);
}

void eth_input(const uint8_t *frame, size_t len)
{
    if (len < ETH_HDR_LEN)
        return;
    const uint8_t *dst = frame, *src = frame + 6;
    if (memcmp(dst, net_cfg.mac, ETH_ADDR_LEN) != 0 && memcmp(dst, broadcast_mac, ETH_ADDR_LEN) != 0)
        return;
    if (src[0] & 1)
        return; /* a multicast source address is invalid */
    switch (get16(frame + 12)) {
    case ETH_TYPE_ARP:
        arp_input(frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
        break;
    case ETH_TYPE_IPV4:
        ipv4_input(src, frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
        break;
    default:
        break;
    }
}

char *mac_to_str(const uint8_t mac[ETH_ADDR_LEN], char *buf)
{
    str_format(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}
