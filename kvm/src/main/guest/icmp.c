/* ICMP: echo requests get echo replies; everything else is ignored. */
#include "lib.h"
#include "net.h"

#define ICMP_HDR_LEN    8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO       8

void icmp_input(const struct ip_packet *pkt)
{
    const uint8_t *p = pkt->payload;
    if (pkt->len < ICMP_HDR_LEN || pkt->len > ipv4_max_payload())
        return;
    if (csum_finish(csum_add(0, p, pkt->len)) != 0)
        return;
    if (p[0] != ICMP_ECHO || p[1] != 0)
        return;
    uint8_t *r = ipv4_tx_payload();
    memcpy(r, p, pkt->len); /* same identifier, sequence number and data */
    r[0] = ICMP_ECHO_REPLY;
    put16(r + 2, 0);
    put16(r + 2, csum_finish(csum_add(0, r, pkt->len)));
    ipv4_send(pkt->src_mac, pkt->src, IP_PROTO_ICMP, pkt->len);
}
