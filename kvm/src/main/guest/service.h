/*
 * The TCP services, one per listening port (chosen by the connection's local port):
 *   - the line service (net_cfg.tcp_port, 9000): one command per "\n"-terminated line, one answer
 *     line per command (service.c);
 *   - HTTP/1.1 (net_cfg.http_port, 80): http.c;
 *   - RESP, the Redis protocol (net_cfg.resp_port, 6379): resp.c.
 * State shared by all connections (the key/value store, the command counter) lives in guest
 * memory for the VM's lifetime. Every parser is bounded: HTTP and RESP requests are assembled in
 * the connection's SERVICE_BUF-byte input buffer, and a request that cannot fit is answered with
 * an error and the connection closed.
 */
#ifndef GUEST_SERVICE_H
#define GUEST_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#define SERVICE_LINE_MAX 1024        /* longer lines are answered "ERR line too long" */
#define SERVICE_BUF      (8 * 1024)  /* a whole HTTP request head + body, or one RESP command */

enum service_kind { SERVICE_LINE, SERVICE_HTTP, SERVICE_RESP };

struct tcp_conn;

struct line_session {
    char line[SERVICE_LINE_MAX + 1]; /* + 1: room for a "\r" before the "\n" */
    uint32_t line_len;
    bool line_too_long;      /* discarding the rest of an over-long line */
};

struct service_session {
    enum service_kind kind;
    bool closing;            /* closed (QUIT, fatal error, peer's FIN): input is discarded */
    /* A generated answer (BLOB, /bytes/N) still being produced: 'a'..'z' repeating. */
    bool stream_active;
    bool stream_newline;     /* a "\n" follows the stream (BLOB) */
    bool close_after_stream; /* then close (HTTP "Connection: close") */
    uint32_t stream_phase;   /* offset of the next byte in the 'a'..'z' cycle */
    uint64_t stream_left;    /* payload bytes still to queue */
    uint32_t in_len;         /* HTTP/RESP: bytes waiting in the connection's appbuf */
    struct line_session line;
};

void service_init(void);
bool service_listens(uint16_t port);
void service_open(struct tcp_conn *c);
/* Consumes received requests and queues answers as far as the send buffer allows. */
void service_pump(struct tcp_conn *c);

/* ---- For the services (service.c) ---- */

/* The deterministic content: byte i of a stream is 'a' + i % 26. */
void stream_start(struct tcp_conn *c, uint64_t bytes, bool newline, bool close_after);
/* Moves received bytes into appbuf (as far as it has room). */
void service_pull(struct tcp_conn *c);
/* Drops the first n bytes of appbuf. */
void service_take(struct tcp_conn *c, uint32_t n);
/* Answers were queued for everything it could: close after them, discard further input. */
void service_shutdown(struct tcp_conn *c);
/*
 * The pump of the buffered services: step() handles the request at the start of appbuf (answers,
 * then service_take()s it) and returns true, or returns false if it needs more bytes. It is only
 * called with at least answer_max bytes of send space and a non-empty appbuf.
 */
void service_buffered_pump(struct tcp_conn *c, size_t answer_max, bool (*step)(struct tcp_conn *c));

bool http_step(struct tcp_conn *c);
bool resp_step(struct tcp_conn *c);
#define HTTP_ANSWER_MAX 4096
#define RESP_ANSWER_MAX (SERVICE_BUF + 256)

/* ASCII case-insensitive comparison of s[0..len) with a NUL-terminated lower- or upper-case word. */
bool word_eq(const char *s, size_t len, const char *word);

#endif
