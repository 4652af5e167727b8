/* Segment arrival (RFC 793 section 3.9, simplified to in-order reception). */
#include "lib.h"
#include "tcp.h"

#define TCP_OPT_END 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_MIN_MSS 64   /* a smaller announced MSS would only produce silly segments */

static bool tcp_parse(const struct ip_packet *pkt, struct tcp_segment *seg)
{
    const uint8_t *p = pkt->payload;
    if (pkt->len < TCP_HDR_LEN)
        return false;
    size_t hdr_len = (size_t)(p[12] >> 4) * 4;
    if (hdr_len < TCP_HDR_LEN || hdr_len > pkt->len)
        return false;
    if (csum_finish(csum_add(csum_pseudo_header(pkt->src, pkt->dst, IP_PROTO_TCP, pkt->len), p, pkt->len)) != 0)
        return false;
    seg->ip = pkt;
    seg->src_port = get16(p);
    seg->dst_port = get16(p + 2);
    seg->seq = get32(p + 4);
    seg->ack = get32(p + 8);
    seg->flags = p[13] & (TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK);
    seg->wnd = get16(p + 14);
    seg->data = p + hdr_len;
    seg->data_len = (uint32_t)(pkt->len - hdr_len);
    seg->mss = 0;
    for (size_t i = TCP_HDR_LEN; i < hdr_len;) {
        uint8_t kind = p[i];
        if (kind == TCP_OPT_END)
            break;
        if (kind == TCP_OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= hdr_len || p[i + 1] < 2 || i + p[i + 1] > hdr_len)
            break; /* malformed options: use what we have */
        if (kind == TCP_OPT_MSS && p[i + 1] == 4)
            seg->mss = get16(p + i + 2);
        i += p[i + 1];
    }
    return seg->src_port != 0 && seg->dst_port != 0;
}

/* ISN from the TSC (so replicas pick different ones), mixed with the connection's ports. */
static uint32_t tcp_new_isn(const struct tcp_conn *c)
{
    uint64_t x = rdtsc() ^ ((uint64_t)c->peer_ip << 32) ^ ((uint64_t)c->peer_port << 16) ^ c->local_port;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

static void tcp_accept(const struct tcp_segment *seg)
{
    struct tcp_conn *c = tcp_alloc();
    if (!c) {
        tcp_reset_unknown(seg); /* table full: refuse rather than let the client time out */
        return;
    }
    c->state = TCP_SYN_RCVD;
    memcpy(c->peer_mac, seg->ip->src_mac, ETH_ADDR_LEN);
    c->peer_ip = seg->ip->src;
    c->peer_port = seg->src_port;
    c->local_port = seg->dst_port;
    uint32_t peer_mss = seg->mss ? seg->mss : TCP_DEFAULT_MSS;
    c->snd_mss = MAX(MIN(peer_mss, tcp_our_mss()), TCP_MIN_MSS);
    c->cwnd = 10 * c->snd_mss;
    c->rcv_nxt = seg->seq + 1;
    uint32_t iss = tcp_new_isn(c);
    c->snd_una = iss;
    c->snd_nxt = c->snd_max = iss + 1;
    c->snd_wnd = seg->wnd;
    c->snd_wl1 = seg->seq;
    c->snd_wl2 = iss;
    c->rto = TCP_RTO_INITIAL;
    c->rtt_start = net_now_ns;
    c->timer_at = net_now_ns + c->rto;
    tcp_send_syn_ack(c);
}

static void tcp_input_unknown(const struct tcp_segment *seg)
{
    if (seg->flags & TCP_RST)
        return;
    if ((seg->flags & (TCP_SYN | TCP_ACK | TCP_FIN)) == TCP_SYN && service_listens(seg->dst_port))
        tcp_accept(seg);
    else
        tcp_reset_unknown(seg);
}

static bool tcp_in_window(const struct tcp_conn *c, uint32_t seq)
{
    return seq_ge(seq, c->rcv_nxt) && seq_lt(seq, c->rcv_nxt + MAX(tcp_rcv_window(c), 1));
}

/* Returns true once the handshake completed and the segment should be processed further. */
static bool tcp_input_syn_rcvd(struct tcp_conn *c, const struct tcp_segment *seg)
{
    if (seg->flags & TCP_RST) {
        if (tcp_in_window(c, seg->seq))
            tcp_release(c);
        return false;
    }
    if (seg->flags & TCP_SYN) {
        if (!(seg->flags & TCP_ACK) && seg->seq + 1 == c->rcv_nxt)
            tcp_send_syn_ack(c); /* our SYN-ACK got lost */
        return false;
    }
    if (!(seg->flags & TCP_ACK))
        return false;
    if (seg->ack != c->snd_nxt) {
        tcp_reset_unknown(seg);
        return false;
    }
    c->snd_una = seg->ack;
    if (c->retries == 0)
        tcp_rtt_sample(c, net_now_ns - c->rtt_start);
    c->retries = 0;
    c->timer_at = 0;
    c->snd_wnd = seg->wnd;
    c->snd_wl1 = seg->seq;
    c->snd_wl2 = seg->ack;
    c->state = TCP_ESTABLISHED;
    tcp_log(c, "accept", NULL);
    service_open(c);
    return true;
}

/* Our FIN was acknowledged. Returns false if that released the connection. */
static bool tcp_our_fin_acked(struct tcp_conn *c)
{
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        c->state = TCP_FIN_WAIT_2;
        c->timer_at = net_now_ns + TCP_FIN_WAIT_2_NS;
        return true;
    case TCP_CLOSING:
        tcp_enter_time_wait(c);
        return true;
    case TCP_LAST_ACK:
        tcp_closed(c, NULL);
        return false;
    default:
        return true;
    }
}

/* The ACK field and window. Returns false if the segment must not be processed further. */
static bool tcp_input_ack(struct tcp_conn *c, const struct tcp_segment *seg)
{
    uint32_t ack = seg->ack;
    if (seq_gt(ack, c->snd_max)) {
        c->ack_pending = true; /* acknowledges data we never sent */
        return false;
    }
    if (seq_gt(ack, c->snd_una)) {
        uint32_t acked = ack - c->snd_una;
        bool fin_acked = acked > c->sb_len; /* only our FIN lies beyond the buffered data */
        tcp_snd_drop_acked(c, fin_acked ? c->sb_len : acked);
        c->snd_una = ack;
        if (seq_lt(c->snd_nxt, ack))
            c->snd_nxt = ack;
        if (c->rtt_timing && seq_ge(ack, c->rtt_seq)) {
            c->rtt_timing = false;
            tcp_rtt_sample(c, net_now_ns - c->rtt_start);
        }
        c->retries = 0;
        c->dup_acks = 0;
        c->cwnd = MIN(c->cwnd + acked, (uint32_t)TCP_SNDBUF);
        c->timer_at = c->snd_una == c->snd_nxt ? 0 : net_now_ns + c->rto;
        if (fin_acked && !tcp_our_fin_acked(c))
            return false;
    } else if (ack == c->snd_una && seg->data_len == 0 && !(seg->flags & TCP_FIN) &&
               seg->wnd == c->snd_wnd && c->snd_nxt != c->snd_una) {
        if (++c->dup_acks == 3)
            tcp_retransmit_first(c);
    }
    if (c->snd_una == c->snd_nxt)
        c->retries = 0; /* nothing in flight and the peer talks: window probes are answered */
    if (seq_lt(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq && seq_le(c->snd_wl2, ack))) {
        c->snd_wnd = seg->wnd;
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = ack;
    }
    return true;
}

static bool tcp_receiving(enum tcp_state s)
{
    return s == TCP_ESTABLISHED || s == TCP_FIN_WAIT_1 || s == TCP_FIN_WAIT_2;
}

/* Payload and FIN: only the next expected bytes are taken; anything else just gets an ACK. */
static void tcp_input_data(struct tcp_conn *c, const struct tcp_segment *seg)
{
    const uint8_t *data = seg->data;
    uint32_t len = seg->data_len;
    uint32_t seq = seg->seq;
    bool fin = seg->flags & TCP_FIN;
    if (len == 0 && !fin)
        return;
    c->ack_pending = true; /* no delayed ACKs: answer every segment that carries something */
    if (!tcp_receiving(c->state)) {
        /* The peer's FIN is in already, so this is a retransmission. */
        if (c->state == TCP_TIME_WAIT)
            c->timer_at = net_now_ns + TCP_TIME_WAIT_NS;
        return;
    }
    if (seq_lt(seq, c->rcv_nxt)) {
        uint32_t old = c->rcv_nxt - seq;
        if (old > len)
            return; /* a pure duplicate */
        data += old;
        len -= old;
        seq = c->rcv_nxt;
    }
    if (seq != c->rcv_nxt)
        return; /* out of order */
    uint32_t room = tcp_rcv_window(c);
    if (len > room) {
        len = room;
        fin = false;
    }
    tcp_rcv_append(c, data, len);
    c->rcv_nxt += len;
    if (!fin)
        return;
    c->rcv_nxt++;
    if (c->state == TCP_ESTABLISHED)
        c->state = TCP_CLOSE_WAIT;
    else if (c->state == TCP_FIN_WAIT_1)
        c->state = TCP_CLOSING;
    else
        tcp_enter_time_wait(c);
}

static void tcp_input_synchronized(struct tcp_conn *c, const struct tcp_segment *seg)
{
    if (seg->flags & TCP_RST) {
        if (!tcp_in_window(c, seg->seq))
            return;
        if (c->state == TCP_TIME_WAIT)
            tcp_release(c); /* its close is logged already */
        else
            tcp_closed(c, "reset by peer");
        return;
    }
    if (seg->flags & TCP_SYN) {
        c->ack_pending = true; /* RFC 5961 challenge ACK */
        return;
    }
    if (!(seg->flags & TCP_ACK))
        return;
    if (!tcp_input_ack(c, seg))
        return;
    tcp_input_data(c, seg);
}

void tcp_input(const struct ip_packet *pkt)
{
    struct tcp_segment seg;
    if (!tcp_parse(pkt, &seg))
        return;
    struct tcp_conn *c = tcp_find(pkt->src, seg.src_port, seg.dst_port);
    if (c && c->state == TCP_TIME_WAIT && (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
        tcp_release(c); /* the client reuses its port: the old incarnation is done */
        c = NULL;
    }
    if (!c) {
        tcp_input_unknown(&seg);
        return;
    }
    memcpy(c->peer_mac, pkt->src_mac, ETH_ADDR_LEN);
    if (c->state == TCP_SYN_RCVD && !tcp_input_syn_rcvd(c, &seg))
        return;
    tcp_input_synchronized(c, &seg);
    if (c->state == TCP_FREE)
        return;
    service_pump(c);
    tcp_output(c);
}
