/*
 * A small TCP server: passive open on the services' ports (service_listens()), in-order receive,
 * a retransmitting send buffer per connection, no window scaling/SACK/timestamps (we never offer
 * them). tcp calls service_pump() whenever the connection's service may make progress, and the
 * service uses the buffer API below.
 */
#ifndef GUEST_TCP_H
#define GUEST_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "net.h"
#include "service.h"

#define TCP_MAX_CONNS   128           /* redis-benchmark opens 50 at a time by default, and 50 more
                                         * while the last test's close */
#define TCP_SNDBUF      (64 * 1024)   /* powers of two: ring indices wrap with a mask */
#define TCP_RCVBUF      (8 * 1024)

enum tcp_state {
    TCP_FREE = 0,      /* slot unused */
    TCP_SYN_RCVD,
    TCP_ESTABLISHED,
    TCP_CLOSE_WAIT,    /* peer sent FIN; we may still send */
    TCP_LAST_ACK,      /* both FINs sent, waiting for the ACK of ours */
    TCP_FIN_WAIT_1,    /* we sent FIN first */
    TCP_FIN_WAIT_2,
    TCP_CLOSING,
    TCP_TIME_WAIT,
};

struct tcp_conn {
    enum tcp_state state;
    uint8_t peer_mac[ETH_ADDR_LEN];
    uint32_t peer_ip;
    uint16_t peer_port;
    uint16_t local_port;

    /* Send side. The ring holds the bytes from snd_una on (unacknowledged, then unsent).
     * [snd_una, snd_nxt) is in flight; a timeout rewinds snd_nxt, so snd_nxt == snd_una with
     * data buffered and a zero window means persist mode (probe), not retransmission. */
    uint32_t snd_una, snd_nxt;
    uint32_t snd_max;        /* highest sequence number sent so far (snd_nxt goes back on timeout) */
    uint32_t snd_wnd;        /* peer's advertised window */
    uint32_t snd_wl1, snd_wl2; /* seq/ack of the segment that last updated snd_wnd */
    uint32_t snd_mss;
    uint32_t cwnd;           /* only to avoid re-flooding after a timeout */
    uint32_t sb_head, sb_len;
    bool fin_queued;         /* the service closed: FIN follows the buffered data */
    bool fin_sent;           /* our FIN lies in [snd_una, snd_nxt) */
    uint32_t dup_acks;

    /* Receive side: in-order bytes not yet consumed by the service. */
    uint32_t rcv_nxt;
    uint32_t rcv_adv;        /* right window edge we last advertised */
    uint32_t rb_head, rb_len;
    bool ack_pending;

    /* One timer per connection; what it means depends on the state (see tcp_timer_expired). */
    uint64_t timer_at;       /* 0 = not armed */
    uint64_t rto;
    uint32_t retries;
    uint64_t srtt, rttvar;   /* 0 = no sample yet */
    bool rtt_timing;
    uint32_t rtt_seq;
    uint64_t rtt_start;

    struct service_session app;

    /* Large buffers last: resetting a slot clears only the fields above them. */
    uint8_t sndbuf[TCP_SNDBUF];
    uint8_t rcvbuf[TCP_RCVBUF];
    uint8_t appbuf[SERVICE_BUF];  /* the HTTP/RESP services' request assembly */
};

/* Entry points for the rest of the guest. */
void tcp_input(const struct ip_packet *pkt);
void tcp_peer_moved(uint32_t ip, const uint8_t mac[ETH_ADDR_LEN]);
void tcp_run_timers(void);
uint64_t tcp_next_deadline(void); /* 0 = no timer armed */

/* For the service: the receive buffer (contiguous chunks) and the send buffer. */
size_t tcp_recv_peek(const struct tcp_conn *c, const uint8_t **data);
void tcp_recv_consume(struct tcp_conn *c, size_t n);
size_t tcp_send_space(const struct tcp_conn *c);
void tcp_send(struct tcp_conn *c, const void *data, size_t len); /* len <= tcp_send_space() */
bool tcp_peer_finished(const struct tcp_conn *c);               /* peer's FIN received, we are open */
void tcp_close(struct tcp_conn *c);

/* Internal to tcp*.c. */
enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };
#define TCP_HDR_LEN        20
#define TCP_DEFAULT_MSS    536
#define TCP_RTO_INITIAL    (200 * NS_PER_MS)
#define TCP_RTO_MIN        (200 * NS_PER_MS)
#define TCP_RTO_MAX        (30 * NS_PER_S)
#define TCP_MAX_RETRIES    7                  /* 8 transmissions in all, then RST */
#define TCP_SYN_RETRIES    4                  /* a half-open slot is kept ~6 s at most */
#define TCP_PERSIST_MAX    (5 * NS_PER_S)
#define TCP_TIME_WAIT_NS   (2 * NS_PER_S)     /* short on purpose: a test VM reuses ports fast */
#define TCP_FIN_WAIT_2_NS  (30 * NS_PER_S)

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

struct tcp_segment {
    const struct ip_packet *ip;
    uint16_t src_port, dst_port;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    uint16_t mss;            /* from the MSS option, 0 if absent */
    const uint8_t *data;
    uint32_t data_len;
};

extern struct tcp_conn tcp_conns[TCP_MAX_CONNS];

/* tcp.c */
struct tcp_conn *tcp_find(uint32_t ip, uint16_t peer_port, uint16_t local_port);
struct tcp_conn *tcp_alloc(void);
void tcp_release(struct tcp_conn *c);
void tcp_closed(struct tcp_conn *c, const char *reason);
void tcp_log(const struct tcp_conn *c, const char *event, const char *reason);
uint32_t tcp_rcv_window(const struct tcp_conn *c);
void tcp_rcv_append(struct tcp_conn *c, const uint8_t *data, uint32_t len);
void tcp_snd_drop_acked(struct tcp_conn *c, uint32_t len);
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt);
uint32_t tcp_our_mss(void);
void tcp_enter_time_wait(struct tcp_conn *c);

/* tcp_output.c */
void tcp_output(struct tcp_conn *c);
void tcp_send_syn_ack(struct tcp_conn *c);
void tcp_send_probe(struct tcp_conn *c);
void tcp_retransmit_first(struct tcp_conn *c);
void tcp_abort(struct tcp_conn *c, const char *why);
void tcp_reset_unknown(const struct tcp_segment *seg);

#endif
