/*
 * RESP2, the Redis protocol, on net_cfg.resp_port (6379): enough for redis-cli and
 * redis-benchmark. Commands are RESP arrays of bulk strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") or
 * inline lines ("GET k\r\n", split at spaces and tabs, no quoting); pipelined commands are answered
 * in order. Commands (names case-insensitive):
 *   PING [msg]  ECHO msg  SET key value  GET key  INCR/DECR key  INCRBY/DECRBY key n
 *   DEL key...  EXISTS key...  DBSIZE  FLUSHALL/FLUSHDB  SELECT 0  QUIT
 *   TSC (the guest's TSC as an integer) and TIME (the wall clock): both differ between replicas
 *   COMMAND [...] (an empty array), CONFIG GET name (save, appendonly; else an empty array),
 *   INFO (a few lines): what redis-cli and redis-benchmark ask at start
 * State is the shared key/value store (keys up to KV_KEY_MAX bytes, values up to KV_VALUE_MAX; a
 * full store answers "-ERR store full"). Bounded: at most RESP_ARGS_MAX arguments, a bulk string
 * at most RESP_BULK_MAX bytes, a whole command at most SERVICE_BUF bytes; a protocol error is
 * answered "-ERR Protocol error: ..." and the connection closed, as Redis does.
 */
#include "hypercall.h"
#include "kvstore.h"
#include "lib.h"
#include "service.h"
#include "tcp.h"

#define RESP_ARGS_MAX   64
#define RESP_HEADER_MAX 32                 /* a "*N" or "$N" line, "\r\n" included */
#define RESP_BULK_MAX   (SERVICE_BUF - 64)
#define RESP_NAME_SHOWN 64                 /* of an unknown command's name in the error */

struct resp_command {
    int argc;
    bool too_many;                         /* an inline line with more than RESP_ARGS_MAX words */
    const char *argv[RESP_ARGS_MAX];
    size_t len[RESP_ARGS_MAX];
};

enum parse_result { PARSE_MORE, PARSE_OK, PARSE_FATAL };

/* ---- replies ---- */

static void reply_raw(struct tcp_conn *c, const char *s)
{
    tcp_send(c, s, strlen(s));
}

static void reply_int(struct tcp_conn *c, int64_t v)
{
    char t[32];
    int n = str_format(t, sizeof(t), ":%ld\r\n", (long)v);
    tcp_send(c, t, (size_t)n);
}

static void reply_bulk(struct tcp_conn *c, const void *data, size_t len)
{
    char t[32];
    int n = str_format(t, sizeof(t), "$%lu\r\n", (unsigned long)len);
    tcp_send(c, t, (size_t)n);
    tcp_send(c, data, len);
    tcp_send(c, "\r\n", 2);
}

static void reply_bulk_str(struct tcp_conn *c, const char *s)
{
    reply_bulk(c, s, strlen(s));
}

static void reply_array(struct tcp_conn *c, size_t n)
{
    char t[32];
    int len = str_format(t, sizeof(t), "*%lu\r\n", (unsigned long)n);
    tcp_send(c, t, (size_t)len);
}

/* An error line; text must not contain "\r" or "\n". */
static void reply_error(struct tcp_conn *c, const char *text)
{
    tcp_send(c, "-", 1);
    reply_raw(c, text);
    tcp_send(c, "\r\n", 2);
}

/* Appends at most max bytes of s to buf (NUL-terminated, size cap) as printable text. */
static size_t append_shown(char *buf, size_t at, size_t cap, const char *s, size_t len, bool lower)
{
    for (size_t i = 0; i < len && at + 1 < cap; i++) {
        char ch = s[i];
        if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
            ch = '?';
        else if (lower && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        buf[at++] = ch;
    }
    buf[at] = '\0';
    return at;
}

/* "ERR <before>'<name>'<after>" with the command's name made printable. */
static void reply_error_named(struct tcp_conn *c, const char *before, const struct resp_command *cmd, const char *after)
{
    char text[160];
    size_t at = append_shown(text, 0, sizeof(text), before, strlen(before), false);
    at = append_shown(text, at, sizeof(text), "'", 1, false);
    at = append_shown(text, at, sizeof(text), cmd->argv[0], MIN(cmd->len[0], (size_t)RESP_NAME_SHOWN), false);
    at = append_shown(text, at, sizeof(text), "'", 1, false);
    append_shown(text, at, sizeof(text), after, strlen(after), false);
    reply_error(c, text);
}

static void reply_arity(struct tcp_conn *c, const struct resp_command *cmd)
{
    /* Redis names the command in lower case here. */
    char text[160];
    size_t at = append_shown(text, 0, sizeof(text), "ERR wrong number of arguments for '", 35, false);
    at = append_shown(text, at, sizeof(text), cmd->argv[0], MIN(cmd->len[0], (size_t)RESP_NAME_SHOWN), true);
    append_shown(text, at, sizeof(text), "' command", 9, false);
    reply_error(c, text);
}

static void reply_kv_error(struct tcp_conn *c, enum kv_result r)
{
    reply_error(c, r == KV_FULL            ? "ERR store full"
                   : r == KV_KEY_TOO_LONG ? "ERR key too long (max 64 bytes)"
                                          : "ERR value too long (max 1024 bytes)");
}

/* ---- parsing ---- */

/* A "*N" or "$N" line at b[pos..len): N and the index past its "\n". */
static enum parse_result parse_header(const char *b, size_t len, size_t pos, int64_t *value, size_t *next)
{
    size_t avail = MIN(len - pos, (size_t)RESP_HEADER_MAX);
    const char *nl = memchr(b + pos, '\n', avail);
    if (!nl)
        return len - pos >= RESP_HEADER_MAX ? PARSE_FATAL : PARSE_MORE;
    size_t end = (size_t)(nl - b);
    size_t digits = end - pos - 1;
    if (digits > 0 && b[end - 1] == '\r')
        digits--;
    if (!parse_i64(b + pos + 1, digits, value))
        return PARSE_FATAL;
    *next = end + 1;
    return PARSE_OK;
}

static enum parse_result parse_multibulk(const char *b, size_t len, struct resp_command *cmd, size_t *consumed,
                                         const char **error)
{
    int64_t count;
    size_t pos;
    enum parse_result r = parse_header(b, len, 0, &count, &pos);
    if (r != PARSE_OK || count > RESP_ARGS_MAX) {
        *error = "ERR Protocol error: invalid multibulk length";
        return r == PARSE_MORE ? PARSE_MORE : PARSE_FATAL;
    }
    for (int64_t i = 0; i < count; i++) {
        if (pos >= len)
            return PARSE_MORE;
        if (b[pos] != '$') {
            *error = "ERR Protocol error: expected '$'";
            return PARSE_FATAL;
        }
        int64_t n;
        r = parse_header(b, len, pos, &n, &pos);
        if (r != PARSE_OK || n < 0 || n > RESP_BULK_MAX) {
            *error = "ERR Protocol error: invalid bulk length";
            return r == PARSE_MORE ? PARSE_MORE : PARSE_FATAL;
        }
        if (len - pos < (size_t)n + 2)
            return PARSE_MORE;
        if (b[pos + n] != '\r' || b[pos + n + 1] != '\n') {
            *error = "ERR Protocol error: bulk string not followed by CRLF";
            return PARSE_FATAL;
        }
        cmd->argv[i] = b + pos;
        cmd->len[i] = (size_t)n;
        pos += (size_t)n + 2;
    }
    cmd->argc = count > 0 ? (int)count : 0; /* "*0" and "*-1" are no command */
    *consumed = pos;
    return PARSE_OK;
}

static enum parse_result parse_inline(const char *b, size_t len, struct resp_command *cmd, size_t *consumed,
                                      const char **error)
{
    const char *nl = memchr(b, '\n', len);
    if (!nl) {
        *error = "ERR Protocol error: too big inline request";
        return len >= SERVICE_BUF ? PARSE_FATAL : PARSE_MORE;
    }
    size_t end = (size_t)(nl - b);
    *consumed = end + 1;
    if (end > 0 && b[end - 1] == '\r')
        end--;
    for (size_t i = 0; i < end;) {
        while (i < end && (b[i] == ' ' || b[i] == '\t'))
            i++;
        if (i == end)
            break;
        size_t start = i;
        while (i < end && b[i] != ' ' && b[i] != '\t')
            i++;
        if (cmd->argc == RESP_ARGS_MAX) {
            cmd->too_many = true;
            break;
        }
        cmd->argv[cmd->argc] = b + start;
        cmd->len[cmd->argc] = i - start;
        cmd->argc++;
    }
    return PARSE_OK;
}

/* ---- commands ---- */

static bool arg_is(const struct resp_command *cmd, int i, const char *word)
{
    return word_eq(cmd->argv[i], cmd->len[i], word);
}

static void cmd_incrby(struct tcp_conn *c, const struct resp_command *cmd, int64_t delta)
{
    size_t old_len;
    const char *old = kv_get(cmd->argv[1], cmd->len[1], &old_len);
    int64_t v = 0, sum;
    if (old && !parse_i64(old, old_len, &v)) {
        reply_error(c, "ERR value is not an integer or out of range");
        return;
    }
    if (__builtin_add_overflow(v, delta, &sum)) {
        reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    char text[24];
    int n = str_format(text, sizeof(text), "%ld", (long)sum);
    enum kv_result r = kv_set(cmd->argv[1], cmd->len[1], text, (size_t)n);
    if (r == KV_OK)
        reply_int(c, sum);
    else
        reply_kv_error(c, r);
}

static void cmd_config(struct tcp_conn *c, const struct resp_command *cmd)
{
    if (cmd->argc != 3 || !arg_is(cmd, 1, "get")) {
        reply_error(c, "ERR only CONFIG GET parameter is supported");
        return;
    }
    if (arg_is(cmd, 2, "save")) {
        reply_array(c, 2);
        reply_bulk_str(c, "save");
        reply_bulk_str(c, "");
    } else if (arg_is(cmd, 2, "appendonly")) {
        reply_array(c, 2);
        reply_bulk_str(c, "appendonly");
        reply_bulk_str(c, "no");
    } else {
        reply_array(c, 0);
    }
}

static void cmd_time(struct tcp_conn *c)
{
    uint64_t ns = hvc_walltime_ns();
    char sec[24], usec[24];
    int a = str_format(sec, sizeof(sec), "%lu", (unsigned long)(ns / 1000000000ULL));
    int b = str_format(usec, sizeof(usec), "%lu", (unsigned long)(ns / 1000ULL % 1000000ULL));
    reply_array(c, 2);
    reply_bulk(c, sec, (size_t)a);
    reply_bulk(c, usec, (size_t)b);
}

static void cmd_info(struct tcp_conn *c)
{
    char text[256];
    int n = str_format(text, sizeof(text),
                       "# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nserver_name:colo-guest\r\n"
                       "\r\n# Keyspace\r\ndb0:keys=%lu,expires=0,avg_ttl=0\r\n",
                       (unsigned long)kv_count());
    reply_bulk(c, text, MIN((size_t)n, sizeof(text) - 1));
}

/* Runs one command; false if the connection is to close after its answer. */
static bool execute(struct tcp_conn *c, const struct resp_command *cmd)
{
    int argc = cmd->argc;
    const char *const *v = cmd->argv;
    const size_t *l = cmd->len;
#define IS(name) arg_is(cmd, 0, name)
#define ARITY(ok)                  \
    if (!(ok)) {                   \
        reply_arity(c, cmd);       \
        return true;               \
    }
    if (IS("ping")) {
        ARITY(argc <= 2);
        if (argc == 1)
            reply_raw(c, "+PONG\r\n");
        else
            reply_bulk(c, v[1], l[1]);
    } else if (IS("echo")) {
        ARITY(argc == 2);
        reply_bulk(c, v[1], l[1]);
    } else if (IS("set")) {
        ARITY(argc >= 3);
        if (argc > 3) {
            reply_error(c, "ERR syntax error");
            return true;
        }
        enum kv_result r = kv_set(v[1], l[1], v[2], l[2]);
        if (r == KV_OK)
            reply_raw(c, "+OK\r\n");
        else
            reply_kv_error(c, r);
    } else if (IS("get")) {
        ARITY(argc == 2);
        size_t value_len;
        const char *value = kv_get(v[1], l[1], &value_len);
        if (value)
            reply_bulk(c, value, value_len);
        else
            reply_raw(c, "$-1\r\n");
    } else if (IS("incr") || IS("decr")) {
        ARITY(argc == 2);
        cmd_incrby(c, cmd, IS("incr") ? 1 : -1);
    } else if (IS("incrby") || IS("decrby")) {
        ARITY(argc == 3);
        int64_t delta;
        if (!parse_i64(v[2], l[2], &delta) || (IS("decrby") && delta == INT64_MIN)) {
            reply_error(c, "ERR value is not an integer or out of range");
            return true;
        }
        cmd_incrby(c, cmd, IS("incrby") ? delta : -delta);
    } else if (IS("del") || IS("unlink")) {
        ARITY(argc >= 2);
        int64_t n = 0;
        for (int i = 1; i < argc; i++)
            n += kv_delete(v[i], l[i]);
        reply_int(c, n);
    } else if (IS("exists")) {
        ARITY(argc >= 2);
        int64_t n = 0;
        size_t ignored;
        for (int i = 1; i < argc; i++)
            n += kv_get(v[i], l[i], &ignored) != NULL;
        reply_int(c, n);
    } else if (IS("dbsize")) {
        ARITY(argc == 1);
        reply_int(c, (int64_t)kv_count());
    } else if (IS("flushall") || IS("flushdb")) {
        kv_clear();
        reply_raw(c, "+OK\r\n");
    } else if (IS("select")) {
        ARITY(argc == 2);
        if (l[1] == 1 && v[1][0] == '0')
            reply_raw(c, "+OK\r\n");
        else
            reply_error(c, "ERR DB index is out of range");
    } else if (IS("tsc")) {
        ARITY(argc == 1);
        reply_int(c, (int64_t)(rdtsc() & INT64_MAX));
    } else if (IS("time")) {
        ARITY(argc == 1);
        cmd_time(c);
    } else if (IS("command")) {
        reply_array(c, 0); /* no command table: clients fall back to their own */
    } else if (IS("config")) {
        ARITY(argc >= 2);
        cmd_config(c, cmd);
    } else if (IS("info")) {
        cmd_info(c);
    } else if (IS("quit")) {
        reply_raw(c, "+OK\r\n");
        return false;
    } else {
        reply_error_named(c, "ERR unknown command ", cmd, "");
    }
#undef IS
#undef ARITY
    return true;
}

bool resp_step(struct tcp_conn *c)
{
    struct service_session *s = &c->app;
    const char *b = (const char *)c->appbuf;
    struct resp_command cmd;
    cmd.argc = 0;
    cmd.too_many = false;
    size_t consumed = 0;
    const char *error = "ERR Protocol error";
    enum parse_result r = b[0] == '*' ? parse_multibulk(b, s->in_len, &cmd, &consumed, &error)
                                      : parse_inline(b, s->in_len, &cmd, &consumed, &error);
    if (r == PARSE_MORE && s->in_len == SERVICE_BUF) {
        r = PARSE_FATAL;
        error = "ERR Protocol error: command too big";
    }
    if (r == PARSE_MORE)
        return false;
    if (r == PARSE_FATAL) {
        reply_error(c, error);
        service_shutdown(c);
        return true;
    }
    bool keep = true;
    if (cmd.too_many)
        reply_error(c, "ERR Protocol error: too many arguments");
    else if (cmd.argc > 0)
        keep = execute(c, &cmd);
    service_take(c, (uint32_t)consumed);
    if (!keep)
        service_shutdown(c);
    return true;
}
