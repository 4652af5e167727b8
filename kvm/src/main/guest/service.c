/*
 * Service dispatch, the helpers the services share, and the line service. Line commands (one
 * answer line each):
 *   SET key value -> OK            GET key -> VALUE value | NOTFOUND
 *   INCR key      -> new value     COUNT   -> lines answered since boot, this one included
 *   ECHO text     -> text          TSC     -> the TSC in decimal (differs between replicas)
 *   FILL n        -> FILLED n      BLOB n  -> n bytes of 'a'..'z' repeating
 *   QUIT          -> BYE, then FIN
 * Answers are produced only while the send buffer has room for the longest one, so input
 * waits in the receive buffer (and the advertised window shrinks) while the peer is slow.
 */
#include "fill.h"
#include "kvstore.h"
#include "lib.h"
#include "service.h"
#include "tcp.h"

#define ANSWER_MAX   (SERVICE_LINE_MAX + 16) /* "VALUE " + the longest value + "\n" */
#define BLOB_MAX     (64ULL << 20)
#define BLOB_CHUNK   4096
#define ALPHABET     26

static uint64_t commands_served;
static char blob_pattern[BLOB_CHUNK + ALPHABET]; /* 'a'..'z' repeating: any phase, one chunk */

void service_init(void)
{
    for (size_t i = 0; i < sizeof(blob_pattern); i++)
        blob_pattern[i] = (char)('a' + i % ALPHABET);
}

bool service_listens(uint16_t port)
{
    return port == net_cfg.tcp_port || port == net_cfg.http_port || port == net_cfg.resp_port;
}

void service_open(struct tcp_conn *c)
{
    memset(&c->app, 0, sizeof(c->app));
    c->app.kind = c->local_port == net_cfg.tcp_port    ? SERVICE_LINE
                  : c->local_port == net_cfg.http_port ? SERVICE_HTTP
                                                       : SERVICE_RESP;
}

bool word_eq(const char *s, size_t len, const char *word)
{
    size_t i = 0;
    for (; i < len && word[i]; i++) {
        char a = s[i], b = word[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return i == len && word[i] == '\0';
}

/* ---- generated streams ---- */

void stream_start(struct tcp_conn *c, uint64_t bytes, bool newline, bool close_after)
{
    struct service_session *s = &c->app;
    s->stream_active = true;
    s->stream_left = bytes;
    s->stream_phase = 0;
    s->stream_newline = newline;
    s->close_after_stream = close_after;
}

/* Queues as much of the stream as the send buffer takes; true once it is all queued. */
static bool stream_continue(struct tcp_conn *c)
{
    struct service_session *s = &c->app;
    size_t space;
    while (s->stream_left > 0 && (space = tcp_send_space(c)) > 0) {
        size_t n = MIN(MIN(space, (size_t)BLOB_CHUNK), s->stream_left);
        tcp_send(c, blob_pattern + s->stream_phase, n);
        s->stream_phase = (uint32_t)((s->stream_phase + n) % ALPHABET);
        s->stream_left -= n;
    }
    if (s->stream_left > 0)
        return false;
    if (s->stream_newline) {
        if (tcp_send_space(c) == 0)
            return false;
        tcp_send(c, "\n", 1);
    }
    s->stream_active = false;
    if (s->close_after_stream)
        service_shutdown(c);
    return true;
}

/* ---- the buffered services' input ---- */

void service_pull(struct tcp_conn *c)
{
    struct service_session *s = &c->app;
    while (s->in_len < SERVICE_BUF) {
        const uint8_t *data;
        size_t n = tcp_recv_peek(c, &data);
        if (n == 0)
            return;
        n = MIN(n, (size_t)(SERVICE_BUF - s->in_len));
        memcpy(c->appbuf + s->in_len, data, n);
        tcp_recv_consume(c, n);
        s->in_len += (uint32_t)n;
    }
}

void service_take(struct tcp_conn *c, uint32_t n)
{
    struct service_session *s = &c->app;
    n = MIN(n, s->in_len);
    memmove(c->appbuf, c->appbuf + n, s->in_len - n);
    s->in_len -= n;
}

void service_shutdown(struct tcp_conn *c)
{
    if (c->app.closing)
        return;
    c->app.closing = true;
    c->app.in_len = 0;
    tcp_close(c);
}

/* Acknowledges and ignores whatever arrives after the service closed its side. */
static void discard_input(struct tcp_conn *c)
{
    const uint8_t *data;
    size_t n;
    while ((n = tcp_recv_peek(c, &data)) > 0)
        tcp_recv_consume(c, n);
}

void service_buffered_pump(struct tcp_conn *c, size_t answer_max, bool (*step)(struct tcp_conn *c))
{
    struct service_session *s = &c->app;
    for (;;) {
        if (s->stream_active && !stream_continue(c))
            return; /* resumes when ACKs free send buffer */
        if (s->closing) {
            discard_input(c);
            return;
        }
        service_pull(c);
        if (s->in_len == 0)
            break;
        if (tcp_send_space(c) < answer_max)
            return; /* resumes when ACKs free send buffer */
        if (!step(c))
            break; /* an incomplete request: wait for more */
    }
    if (tcp_peer_finished(c)) {
        /* The peer is done sending and every complete request is answered: close our side too.
         * An incomplete last request is not answered. */
        service_shutdown(c);
    }
}

static void answer_text(struct tcp_conn *c, const char *prefix, const char *text, size_t len)
{
    tcp_send(c, prefix, strlen(prefix));
    tcp_send(c, text, len);
    tcp_send(c, "\n", 1);
}

static void answer(struct tcp_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void answer(struct tcp_conn *c, const char *fmt, ...)
{
    char text[ANSWER_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = str_vformat(text, sizeof(text), fmt, ap);
    va_end(ap);
    answer_text(c, "", text, MIN((size_t)n, sizeof(text) - 1));
}

static void answer_kv_error(struct tcp_conn *c, enum kv_result r)
{
    answer(c, "%s", r == KV_FULL ? "ERR store full" : r == KV_KEY_TOO_LONG ? "ERR key too long" : "ERR value too long");
}

static void cmd_set(struct tcp_conn *c, const char *arg, size_t len)
{
    const char *sp = memchr(arg, ' ', len);
    if (!sp || sp == arg) {
        answer(c, "ERR usage: SET key value");
        return;
    }
    size_t key_len = (size_t)(sp - arg);
    enum kv_result r = kv_set(arg, key_len, sp + 1, len - key_len - 1);
    if (r == KV_OK)
        answer(c, "OK");
    else
        answer_kv_error(c, r);
}

static void cmd_get(struct tcp_conn *c, const char *key, size_t len)
{
    size_t value_len;
    const char *value = kv_get(key, len, &value_len);
    if (value)
        answer_text(c, "VALUE ", value, value_len);
    else
        answer(c, "NOTFOUND");
}

static void cmd_incr(struct tcp_conn *c, const char *key, size_t len)
{
    size_t old_len;
    const char *old = kv_get(key, len, &old_len);
    int64_t v = 0;
    if (old && !parse_i64(old, old_len, &v)) {
        answer(c, "ERR value is not an integer");
        return;
    }
    if (v == INT64_MAX) {
        answer(c, "ERR increment would overflow");
        return;
    }
    char text[24];
    int n = str_format(text, sizeof(text), "%ld", (long)(v + 1));
    enum kv_result r = kv_set(key, len, text, (size_t)n);
    if (r == KV_OK)
        answer_text(c, "", text, (size_t)n);
    else
        answer_kv_error(c, r);
}

static void cmd_fill(struct tcp_conn *c, const char *arg, size_t len)
{
    uint64_t n;
    if (!parse_u64(arg, len, &n))
        answer(c, "ERR usage: FILL pages");
    else
        answer(c, "FILLED %lu", fill_pages(n));
}

static void cmd_blob(struct tcp_conn *c, const char *arg, size_t len)
{
    uint64_t n;
    if (!parse_u64(arg, len, &n)) {
        answer(c, "ERR usage: BLOB bytes");
    } else if (n > BLOB_MAX) {
        answer(c, "ERR blob too large (max %lu)", (unsigned long)BLOB_MAX);
    } else {
        stream_start(c, n, true, false);
    }
}

static void execute(struct tcp_conn *c, const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    size_t name_len = sp ? (size_t)(sp - line) : len;
    const char *arg = sp ? sp + 1 : line + len;
    size_t arg_len = (size_t)(line + len - arg);
#define IS(name) (name_len == sizeof(name) - 1 && memcmp(line, name, name_len) == 0)
    if (IS("SET"))
        cmd_set(c, arg, arg_len);
    else if (IS("GET"))
        cmd_get(c, arg, arg_len);
    else if (IS("INCR"))
        cmd_incr(c, arg, arg_len);
    else if (IS("COUNT"))
        answer(c, "%lu", commands_served);
    else if (IS("ECHO"))
        answer_text(c, "", arg, arg_len);
    else if (IS("TSC"))
        answer(c, "%lu", rdtsc());
    else if (IS("FILL"))
        cmd_fill(c, arg, arg_len);
    else if (IS("BLOB"))
        cmd_blob(c, arg, arg_len);
    else if (IS("QUIT")) {
        answer(c, "BYE");
        c->app.closing = true;
        tcp_close(c);
    } else
        answer(c, "ERR unknown command");
#undef IS
}

/* A complete line (its "\n" already removed) is in the session's buffer. */
static void finish_line(struct tcp_conn *c)
{
    struct line_session *s = &c->app.line;
    size_t len = s->line_len;
    if (!s->line_too_long && len > 0 && s->line[len - 1] == '\r')
        len--;
    commands_served++;
    if (s->line_too_long || len > SERVICE_LINE_MAX)
        answer(c, "ERR line too long");
    else
        execute(c, s->line, len);
    s->line_len = 0;
    s->line_too_long = false;
}

static void append_to_line(struct line_session *s, const uint8_t *data, size_t n)
{
    if (s->line_too_long)
        return;
    if (s->line_len + n > sizeof(s->line)) {
        s->line_too_long = true; /* the rest of this line is discarded */
        return;
    }
    memcpy(s->line + s->line_len, data, n);
    s->line_len += (uint32_t)n;
}

static void line_pump(struct tcp_conn *c)
{
    struct service_session *s = &c->app;
    for (;;) {
        if (s->stream_active && !stream_continue(c))
            return; /* resumes when ACKs free send buffer */
        const uint8_t *data;
        size_t n = tcp_recv_peek(c, &data);
        if (n == 0)
            break;
        if (s->closing) {
            tcp_recv_consume(c, n); /* after QUIT: acknowledged, ignored */
            continue;
        }
        if (tcp_send_space(c) < ANSWER_MAX)
            return;
        const uint8_t *newline = memchr(data, '\n', n);
        size_t take = newline ? (size_t)(newline - data) + 1 : n;
        append_to_line(&s->line, data, newline ? take - 1 : take);
        tcp_recv_consume(c, take);
        if (newline)
            finish_line(c);
    }
    if (tcp_peer_finished(c) && !s->closing) {
        /* The peer is done sending and every complete line is answered: close our side too.
         * An unterminated last line is not a command. */
        s->closing = true;
        tcp_close(c);
    }
}

void service_pump(struct tcp_conn *c)
{
    switch (c->app.kind) {
    case SERVICE_HTTP:
        service_buffered_pump(c, HTTP_ANSWER_MAX, http_step);
        break;
    case SERVICE_RESP:
        service_buffered_pump(c, RESP_ANSWER_MAX, resp_step);
        break;
    default:
        line_pump(c);
        break;
    }
}
