/*
 * Shared definitions of the guest's network stack: configuration, byte-order helpers, and the
 * entry points each protocol layer offers the others. Frames are handled one at a time: a
 * received frame is parsed in place, and replies are built in one static transmit frame.
 */
#ifndef GUEST_NET_H
#define GUEST_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ADDR_LEN   6
#define ETH_HDR_LEN    14
#define ETH_MIN_FRAME  60      /* without FCS; shorter frames are padded */
#define ETH_TYPE_IPV4  0x0800
#define ETH_TYPE_ARP   0x0806
#define NET_MTU_MAX    9000    /* largest IP MTU we accept from the VMM */
#define FRAME_MAX      (ETH_HDR_LEN + NET_MTU_MAX)

#define IPV4_HDR_LEN   20
#define IP_PROTO_ICMP  1
#define IP_PROTO_TCP   6
#define IP_PROTO_UDP   17

struct net_config {
    uint8_t mac[ETH_ADDR_LEN];
    uint32_t ip;          /* host byte order */
    uint32_t prefix_len;
    uint32_t mtu;         /* IP MTU */
    uint16_t tcp_port;    /* the line service */
    uint16_t http_port;
    uint16_t resp_port;   /* Redis protocol */
    uint16_t udp_port;
};

extern struct net_config net_cfg;
/* Wall-clock time of the current main-loop pass (ns); protocol timers are based on it. */
extern uint64_t net_now_ns;

#define NS_PER_MS 1000000ULL
#define NS_PER_S  1000000000ULL

/* Big-endian (network order) field access on byte pointers: no alignment or aliasing concerns. */
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* A received IPv4 packet, as handed to the transport layers. */
struct ip_packet {
    const uint8_t *src_mac;  /* replies go back to the MAC that sent this */
    uint32_t src, dst;       /* host byte order */
    const uint8_t *payload;
    size_t len;              /* payload bytes (from the IP total length, not the frame length) */
};

/* eth.c (Ethernet and ARP) */
void eth_input(const uint8_t *frame, size_t len);
uint8_t *eth_tx_payload(void);
void eth_send(const uint8_t dst[ETH_ADDR_LEN], uint16_t type, size_t payload_len);

/* ipv4.c (IPv4 and the Internet checksum) */
void ipv4_input(const uint8_t *src_mac, const uint8_t *packet, size_t len);
uint8_t *ipv4_tx_payload(void);
size_t ipv4_max_payload(void);
void ipv4_send(const uint8_t dst_mac[ETH_ADDR_LEN], uint32_t dst, uint8_t proto, size_t payload_len);
/* One's-complement sum of data added to sum (network order semantics, not yet folded). */
uint32_t csum_add(uint32_t sum, const void *data, size_t len);
uint32_t csum_pseudo_header(uint32_t src, uint32_t dst, uint8_t proto, size_t len);
uint16_t csum_finish(uint32_t sum);

/* icmp.c, udp.c */
void icmp_input(const struct ip_packet *pkt);
void udp_input(const struct ip_packet *pkt);

/* Text helpers for log lines; buffers of at least 16 and 18 bytes. */
char *ip_to_str(uint32_t ip, char *buf);
char *mac_to_str(const uint8_t mac[ETH_ADDR_LEN], char *buf);

#endif
