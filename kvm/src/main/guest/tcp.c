/* TCP connection table, send/receive buffers, RTT estimation and timers. */
#include <stddef.h>

#include "lib.h"
#include "tcp.h"

struct tcp_conn tcp_conns[TCP_MAX_CONNS];

struct tcp_conn *tcp_find(uint32_t ip, uint16_t peer_port, uint16_t local_port)
{
    for (int i = 0; i < TCP_MAX_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->state != TCP_FREE && c->peer_ip == ip && c->peer_port == peer_port && c->local_port == local_port)
            return c;
    }
    return NULL;
}

static void tcp_clear(struct tcp_conn *c)
{
    /* Not the buffers: 2+ MiB of memset per connection would dirty every page of them. */
    memset(c, 0, offsetof(struct tcp_conn, sndbuf));
}

/* Which slot a new connection may take over when none is free: TIME_WAIT (both ends are done)
 * before SYN_RCVD (never accepted: perhaps a flood), each the one closest to its timer. */
static int tcp_evict_rank(const struct tcp_conn *c)
{
    return c->state == TCP_TIME_WAIT ? 2 : c->state == TCP_SYN_RCVD ? 1 : 0;
}

struct tcp_conn *tcp_alloc(void)
{
    struct tcp_conn *victim = NULL;
    for (int i = 0; i < TCP_MAX_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->state == TCP_FREE) {
            tcp_clear(c);
            return c;
        }
        int rank = tcp_evict_rank(c);
        if (rank > 0 && (!victim || rank > tcp_evict_rank(victim) ||
                         (rank == tcp_evict_rank(victim) && c->timer_at < victim->timer_at)))
            victim = c;
    }
    if (victim)
        tcp_clear(victim);
    return victim;
}

/* One console line per accepted and per closed connection; reason may be NULL. */
void tcp_log(const struct tcp_conn *c, const char *event, const char *reason)
{
    char ip[16];
    console_printf("colo-guest: tcp %s %s:%u%s%s%s\n", event, ip_to_str(c->peer_ip, ip), c->peer_port,
                   reason ? " (" : "", reason ? reason : "", reason ? ")" : "");
}

/* Frees the slot silently: for connections never accepted or already logged as closed. */
void tcp_release(struct tcp_conn *c)
{
    tcp_clear(c);
}

void tcp_closed(struct tcp_conn *c, const char *reason)
{
    tcp_log(c, "close", reason);
    tcp_clear(c);
}

/* Our FIN is acknowledged and the peer's received: the connection is closed for both ends. */
void tcp_enter_time_wait(struct tcp_conn *c)
{
    c->state = TCP_TIME_WAIT;
    c->timer_at = net_now_ns + TCP_TIME_WAIT_NS;
    tcp_log(c, "close", NULL);
}

void tcp_peer_moved(uint32_t ip, const uint8_t mac[ETH_ADDR_LEN])
{
    for (int i = 0; i < TCP_MAX_CONNS; i++)
        if (tcp_conns[i].state != TCP_FREE && tcp_conns[i].peer_ip == ip)
            memcpy(tcp_conns[i].peer_mac, mac, ETH_ADDR_LEN);
}

uint32_t tcp_our_mss(void)
{
    return net_cfg.mtu - IPV4_HDR_LEN - TCP_HDR_LEN;
}

/* ---- receive buffer ---- */

uint32_t tcp_rcv_window(const struct tcp_conn *c)
{
    return TCP_RCVBUF - c->rb_len;
}

void tcp_rcv_append(struct tcp_conn *c, const uint8_t *data, uint32_t len)
{
    uint32_t tail = (c->rb_head + c->rb_len) & (TCP_RCVBUF - 1);
    uint32_t first = MIN(len, TCP_RCVBUF - tail);
    memcpy(c->rcvbuf + tail, data, first);
    memcpy(c->rcvbuf, data + first, len - first);
    c->rb_len += len;
}

size_t tcp_recv_peek(const struct tcp_conn *c, const uint8_t **data)
{
    *data = c->rcvbuf + c->rb_head;
    return MIN(c->rb_len, TCP_RCVBUF - c->rb_head);
}

void tcp_recv_consume(struct tcp_conn *c, size_t n)
{
    c->rb_head = (uint32_t)((c->rb_head + n) & (TCP_RCVBUF - 1));
    c->rb_len -= (uint32_t)n;
}

/* ---- send buffer ---- */

size_t tcp_send_space(const struct tcp_conn *c)
{
    return c->fin_queued ? 0 : TCP_SNDBUF - c->sb_len;
}

void tcp_send(struct tcp_conn *c, const void *data, size_t len)
{
    len = MIN(len, tcp_send_space(c));
    uint32_t tail = (c->sb_head + c->sb_len) & (TCP_SNDBUF - 1);
    uint32_t first = (uint32_t)MIN(len, (size_t)(TCP_SNDBUF - tail));
    memcpy(c->sndbuf + tail, data, first);
    memcpy(c->sndbuf, (const uint8_t *)data + first, len - first);
    c->sb_len += (uint32_t)len;
}

void tcp_snd_drop_acked(struct tcp_conn *c, uint32_t len)
{
    c->sb_head = (c->sb_head + len) & (TCP_SNDBUF - 1);
    c->sb_len -= len;
}

bool tcp_peer_finished(const struct tcp_conn *c)
{
    return c->state == TCP_CLOSE_WAIT;
}

void tcp_close(struct tcp_conn *c)
{
    c->fin_queued = true; /* tcp_output sends the FIN once the buffered data is out */
}

/* ---- RTT estimation (RFC 6298) ---- */

void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt)
{
    if (c->srtt == 0) {
        c->srtt = MAX(rtt, 1);
        c->rttvar = rtt / 2;
    } else {
        uint64_t diff = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;
        c->rttvar = (3 * c->rttvar + diff) / 4;
        c->srtt = MAX((7 * c->srtt + rtt) / 8, 1);
    }
    c->rto = MIN(MAX(c->srtt + 4 * c->rttvar, TCP_RTO_MIN), TCP_RTO_MAX);
}

/* ---- timers ---- */

static void tcp_retransmit_timeout(struct tcp_conn *c)
{
    if (c->retries >= TCP_MAX_RETRIES) {
        tcp_abort(c, "timeout");
        return;
    }
    c->retries++;
    c->rto = MIN(c->rto * 2, TCP_RTO_MAX);
    c->timer_at = net_now_ns + c->rto;
    /* Go back N: resend from the oldest unacknowledged byte, one segment at first. */
    c->snd_nxt = c->snd_una;
    c->fin_sent = false;
    c->cwnd = c->snd_mss;
    c->rtt_timing = false; /* Karn: no samples from retransmitted data */
    c->dup_acks = 0;
    tcp_output(c);
}

/* The peer's window is zero: ask for a fresh window; give up if it stops answering. */
static void tcp_persist_timeout(struct tcp_conn *c)
{
    if (c->retries >= TCP_MAX_RETRIES) {
        tcp_abort(c, "timeout");
        return;
    }
    c->retries++; /* reset by any segment from the peer */
    tcp_send_probe(c);
    c->timer_at = net_now_ns + MIN(c->rto << c->retries, TCP_PERSIST_MAX);
}

static void tcp_timer_expired(struct tcp_conn *c)
{
    c->timer_at = 0;
    switch (c->state) {
    case TCP_SYN_RCVD:
        if (c->retries >= TCP_SYN_RETRIES) {
            tcp_release(c); /* never accepted, so never logged */
            return;
        }
        c->retries++;
        c->rto = MIN(c->rto * 2, TCP_RTO_MAX);
        c->timer_at = net_now_ns + c->rto;
        tcp_send_syn_ack(c);
        return;
    case TCP_TIME_WAIT:
        tcp_release(c);
        return;
    case TCP_FIN_WAIT_2:
        tcp_closed(c, "fin-wait-2 timeout");
        return;
    default:
        if (c->snd_nxt != c->snd_una)
            tcp_retransmit_timeout(c);
        else if (c->snd_wnd == 0 && c->sb_len > 0)
            tcp_persist_timeout(c);
        return;
    }
}

void tcp_run_timers(void)
{
    for (int i = 0; i < TCP_MAX_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->state != TCP_FREE && c->timer_at != 0 && c->timer_at <= net_now_ns)
            tcp_timer_expired(c);
    }
}

uint64_t tcp_next_deadline(void)
{
    uint64_t next = 0;
    for (int i = 0; i < TCP_MAX_CONNS; i++) {
        const struct tcp_conn *c = &tcp_conns[i];
        if (c->state != TCP_FREE && c->timer_at != 0 && (next == 0 || c->timer_at < next))
            next = c->timer_at;
    }
    return next;
}
