/* IPv4 input/output (no options, no fragments) and the Internet checksum. */
#include "lib.h"
#include "net.h"
#include "tcp.h"

#define IP_FLAG_DF        0x4000
#define IP_FRAGMENT_BITS  0x3fff   /* MF flag and fragment offset */
#define IP_TTL            64

static uint16_t next_ip_id;

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
    /* Sum 64-bit little-endian words with end-around carry; folding and one byte swap then give
     * the sum of big-endian 16-bit words (RFC 1071: the sum is byte-order independent). */
    const uint8_t *p = data;
    uint64_t acc = 0;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        acc += w;
        acc += acc < w;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < len; i++)
        tail |= (uint64_t)p[i] << (8 * i);
    acc += tail;
    acc += acc < tail;
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    uint32_t be = (uint32_t)(((acc & 0xff) << 8) | (acc >> 8));
    uint64_t total = (uint64_t)sum + be;
    return (uint32_t)((total & 0xffffffff) + (total >> 32));
}

uint32_t csum_pseudo_header(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + (uint32_t)len;
}

uint16_t csum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint8_t *ipv4_tx_payload(void)
{
    return eth_tx_payload() + IPV4_HDR_LEN;
}

size_t ipv4_max_payload(void)
{
    return net_cfg.mtu - IPV4_HDR_LEN;
}

void ipv4_send(const uint8_t dst_mac[ETH_ADDR_LEN], uint32_t dst, uint8_t proto, size_t payload_len)
{
    if (payload_len > ipv4_max_payload())
        return;
    uint8_t *h = eth_tx_payload();
    h[0] = 0x45; /* version 4, 5-word header */
    h[1] = 0;
    put16(h + 2, (uint16_t)(IPV4_HDR_LEN + payload_len));
    put16(h + 4, next_ip_id++);
    put16(h + 6, IP_FLAG_DF);
    h[8] = IP_TTL;
    h[9] = proto;
    put16(h + 10, 0);
    put32(h + 12, net_cfg.ip);
    put32(h + 16, dst);
    put16(h + 10, csum_finish(csum_add(0, h, IPV4_HDR_LEN)));
    eth_send(dst_mac, ETH_TYPE_IPV4, IPV4_HDR_LEN + payload_len);
}

/* Sources we never answer: unspecified, loopback, multicast/reserved/broadcast, ourselves. */
static bool bogus_source(uint32_t ip)
{
    return ip == 0 || (ip >> 24) == 127 || (ip >> 28) >= 0xe || ip == net_cfg.ip;
}

void ipv4_input(const uint8_t *src_mac, const uint8_t *p, size_t len)
{
    if (len < IPV4_HDR_LEN || p[0] != 0x45) /* IPv4 without options only */
        return;
    size_t total = get16(p + 2);
    if (total < IPV4_HDR_LEN || total > len) /* the frame may be padded, never short */
        return;
    if (get16(p + 6) & IP_FRAGMENT_BITS)
        return;
    if (csum_finish(csum_add(0, p, IPV4_HDR_LEN)) != 0)
        return;
    struct ip_packet pkt = {
        .src_mac = src_mac,
        .src = get32(p + 12),
        .dst = get32(p + 16),
        .payload = p + IPV4_HDR_LEN,
        .len = total - IPV4_HDR_LEN,
    };
    if (pkt.dst != net_cfg.ip || bogus_source(pkt.src))
        return;
    switch (p[9]) {
    case IP_PROTO_ICMP:
        icmp_input(&pkt);
        break;
    case IP_PROTO_UDP:
        udp_input(&pkt);
        break;
    case IP_PROTO_TCP:
        tcp_input(&pkt);
        break;
    default:
        break;
    }
}

char *ip_to_str(uint32_t ip, char *buf)
{
    str_format(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
    return buf;
}
