/*
 * The line service. Commands (one answer line each):
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

void service_open(struct tcp_conn *c)
{
    memset(&c->app, 0, sizeof(c->app));
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

/* Queues as much of the BLOB answer as the send buffer takes; true once it is all queued. */
static bool blob_continue(struct tcp_conn *c)
{
    struct line_session *s = &c->app;
    size_t space;
    while (s->blob_left > 0 && (space = tcp_send_space(c)) > 0) {
        size_t n = MIN(MIN(space, (size_t)BLOB_CHUNK), s->blob_left);
        tcp_send(c, blob_pattern + s->blob_phase, n);
        s->blob_phase = (uint32_t)((s->blob_phase + n) % ALPHABET);
        s->blob_left -= n;
    }
    if (s->blob_left > 0 || tcp_send_space(c) == 0)
        return false;
    tcp_send(c, "\n", 1);
    s->blob_active = false;
    return true;
}

static void cmd_blob(struct tcp_conn *c, const char *arg, size_t len)
{
    uint64_t n;
    if (!parse_u64(arg, len, &n)) {
        answer(c, "ERR usage: BLOB bytes");
    } else if (n > BLOB_MAX) {
        answer(c, "ERR blob too large (max %lu)", (unsigned long)BLOB_MAX);
    } else {
        c->app.blob_active = true;
        c->app.blob_left = n;
        c->app.blob_phase = 0;
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
    struct line_session *s = &c->app;
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

void service_pump(struct tcp_conn *c)
{
    struct line_session *s = &c->app;
    for (;;) {
        if (s->blob_active && !blob_continue(c))
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
        append_to_line(s, data, newline ? take - 1 : take);
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
