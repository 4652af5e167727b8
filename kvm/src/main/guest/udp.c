/* UDP: an echo service on the configured port; datagrams to other ports are dropped. */
#include "lib.h"
#include "net.h"

#define UDP_HDR_LEN 8

void udp_input(const struct ip_packet *pkt)
{
    const uint8_t *p = pkt->payload;
    if (pkt->len < UDP_HDR_LEN)
        return;
    size_t len = get16(p + 4);
    if (len < UDP_HDR_LEN || len > pkt->len || len > ipv4_max_payload())
        return;
    if (get16(p + 6) != 0 && /* 0 = the sender computed no checksum */
        csum_finish(csum_add(csum_pseudo_header(pkt->src, pkt->dst, IP_PROTO_UDP, len), p, len)) != 0)
        return;
    if (get16(p + 2) != net_cfg.udp_port)
        return;

    uint8_t *r = ipv4_tx_payload();
    put16(r, net_cfg.udp_port);
    put16(r + 2, get16(p));
    put16(r + 4, (uint16_t)len);
    put16(r + 6, 0);
    memcpy(r + UDP_HDR_LEN, p + UDP_HDR_LEN, len - UDP_HDR_LEN);
    uint16_t sum = csum_finish(csum_add(csum_pseudo_header(net_cfg.ip, pkt->src, IP_PROTO_UDP, len), r, len));
    put16(r + 6, sum == 0 ? 0xffff : sum); /* 0 would mean "no checksum" */
    ipv4_send(pkt->src_mac, pkt->src, IP_PROTO_UDP, len);
}
