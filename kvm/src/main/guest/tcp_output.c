/* Building and sending TCP segments: data, FIN, ACKs, probes and resets. */
#include "lib.h"
#include "tcp.h"

#define TCP_OPT_MSS     2
#define TCP_OPT_MSS_LEN 4

struct tcp_header {
    uint16_t src_port, dst_port;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    bool mss_option;
};

/* Sends a segment whose payload_len bytes are already in place behind the (option-less or
 * MSS-option) header at ipv4_tx_payload(). */
static void tcp_transmit(const uint8_t mac[ETH_ADDR_LEN], uint32_t dst, const struct tcp_header *h, size_t payload_len)
{
    uint8_t *t = ipv4_tx_payload();
    size_t hdr_len = TCP_HDR_LEN + (h->mss_option ? TCP_OPT_MSS_LEN : 0);
    size_t len = hdr_len + payload_len;
    put16(t, h->src_port);
    put16(t + 2, h->dst_port);
    put32(t + 4, h->seq);
    put32(t + 8, h->ack);
    t[12] = (uint8_t)(hdr_len / 4) << 4;
    t[13] = h->flags;
    put16(t + 14, h->wnd);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (h->mss_option) {
        t[20] = TCP_OPT_MSS;
        t[21] = TCP_OPT_MSS_LEN;
        put16(t + 22, (uint16_t)tcp_our_mss());
    }
    put16(t + 16, csum_finish(csum_add(csum_pseudo_header(net_cfg.ip, dst, IP_PROTO_TCP, len), t, len)));
    ipv4_send(mac, dst, IP_PROTO_TCP, len);
}

/* The window we advertise is exactly the free receive buffer (no scaling, so at most 65535). */
static uint16_t tcp_advertise(struct tcp_conn *c)
{
    uint32_t wnd = MIN(tcp_rcv_window(c), 0xffff);
    c->rcv_adv = c->rcv_nxt + wnd;
    c->ack_pending = false;
    return (uint16_t)wnd;
}

/* A segment carrying len bytes from send-buffer offset off (counted from snd_una). */
static void tcp_send_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t off, uint32_t len)
{
    uint8_t *payload = ipv4_tx_payload() + TCP_HDR_LEN;
    uint32_t start = (c->sb_head + off) & (TCP_SNDBUF - 1);
    uint32_t first = MIN(len, TCP_SNDBUF - start);
    memcpy(payload, c->sndbuf + start, first);
    memcpy(payload + first, c->sndbuf, len - first);
    struct tcp_header h = {
        .src_port = c->local_port, .dst_port = c->peer_port,
        .seq = seq, .ack = c->rcv_nxt, .flags = flags | TCP_ACK, .wnd = tcp_advertise(c),
    };
    tcp_transmit(c->peer_mac, c->peer_ip, &h, len);
}

void tcp_send_syn_ack(struct tcp_conn *c)
{
    struct tcp_header h = {
        .src_port = c->local_port, .dst_port = c->peer_port,
        .seq = c->snd_una, .ack = c->rcv_nxt, .flags = TCP_SYN | TCP_ACK, .wnd = tcp_advertise(c),
        .mss_option = true,
    };
    tcp_transmit(c->peer_mac, c->peer_ip, &h, 0);
}

static void tcp_send_ack(struct tcp_conn *c)
{
    tcp_send_segment(c, c->snd_nxt, 0, 0, 0);
}

/* An already-acknowledged sequence number: the peer answers with an ACK carrying its window. */
void tcp_send_probe(struct tcp_conn *c)
{
    tcp_send_segment(c, c->snd_una - 1, 0, 0, 0);
}

/* Fast retransmit: the oldest unacknowledged segment again, without rewinding snd_nxt. */
void tcp_retransmit_first(struct tcp_conn *c)
{
    uint32_t outstanding = c->snd_max - c->snd_una;
    uint32_t len = MIN(MIN(c->snd_mss, c->sb_len), outstanding);
    if (len > 0)
        tcp_send_segment(c, c->snd_una, TCP_PSH, 0, len);
    else if (c->fin_sent)
        tcp_send_segment(c, c->snd_una, TCP_FIN, 0, 0);
    c->rtt_timing = false;
}

void tcp_abort(struct tcp_conn *c, const char *why)
{
    struct tcp_header h = {
        .src_port = c->local_port, .dst_port = c->peer_port,
        .seq = c->snd_nxt, .ack = c->rcv_nxt, .flags = TCP_RST | TCP_ACK,
    };
    tcp_transmit(c->peer_mac, c->peer_ip, &h, 0);
    tcp_closed(c, why);
}

/* RFC 793 reset for a segment that belongs to no connection. */
void tcp_reset_unknown(const struct tcp_segment *seg)
{
    struct tcp_header h = { .src_port = seg->dst_port, .dst_port = seg->src_port };
    if (seg->flags & TCP_ACK) {
        h.seq = seg->ack;
        h.flags = TCP_RST;
    } else {
        h.ack = seg->seq + seg->data_len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
        h.flags = TCP_RST | TCP_ACK;
    }
    tcp_transmit(seg->ip->src_mac, seg->ip->src, &h, 0);
}

/* The service consumed enough input that the peer should hear about the larger window. */
static bool tcp_window_update_due(const struct tcp_conn *c)
{
    uint32_t edge = c->rcv_nxt + MIN(tcp_rcv_window(c), 0xffff);
    return seq_ge(edge, c->rcv_adv + MIN(TCP_RCVBUF / 2, c->snd_mss));
}

/* Sends what the peer's window (and, after a timeout, cwnd) allows, then a FIN or ACK if due. */
void tcp_output(struct tcp_conn *c)
{
    if (c->state == TCP_FREE || c->state == TCP_SYN_RCVD)
        return;
    bool was_idle = c->snd_una == c->snd_nxt;
    bool sent = false;
    uint32_t limit = MIN(c->snd_wnd, c->cwnd);
    while (!c->fin_sent) {
        uint32_t off = c->snd_nxt - c->snd_una;
        if (off >= c->sb_len || off >= limit)
            break;
        uint32_t unsent = c->sb_len - off;
        uint32_t len = MIN(MIN(unsent, limit - off), c->snd_mss);
        if (len < c->snd_mss && len < unsent && off > 0)
            break; /* sender-side silly window avoidance: wait for ACKs to open a useful window */
        if (!c->rtt_timing && c->snd_nxt == c->snd_max) {
            c->rtt_timing = true;
            c->rtt_seq = c->snd_nxt + len;
            c->rtt_start = net_now_ns;
        }
        tcp_send_segment(c, c->snd_nxt, len == unsent ? TCP_PSH : 0, off, len);
        c->snd_nxt += len;
        if (seq_gt(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
        sent = true;
    }
    if (c->fin_queued && !c->fin_sent && c->snd_nxt - c->snd_una == c->sb_len) {
        tcp_send_segment(c, c->snd_nxt, TCP_FIN, 0, 0);
        c->snd_nxt++;
        if (seq_gt(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
        c->fin_sent = true;
        if (c->state == TCP_ESTABLISHED)
            c->state = TCP_FIN_WAIT_1;
        else if (c->state == TCP_CLOSE_WAIT)
            c->state = TCP_LAST_ACK;
        sent = true;
    }
    if (!sent && (c->ack_pending || tcp_window_update_due(c)))
        tcp_send_ack(c);

    if (c->snd_nxt != c->snd_una) {
        if (was_idle || c->timer_at == 0)
            c->timer_at = net_now_ns + c->rto; /* retransmission timer */
    } else if (c->snd_wnd == 0 && c->sb_len > 0 && c->timer_at == 0) {
        c->timer_at = net_now_ns + c->rto;     /* persist timer */
    }
}
