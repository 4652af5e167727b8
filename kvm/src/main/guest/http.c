/*
 * HTTP/1.1 on net_cfg.http_port (80). Resources:
 *   GET /           a short text page listing these
 *   GET /bytes/N    N bytes of 'a'..'z' repeating (byte i is 'a' + i % 26), any N, streamed as
 *                   the send buffer drains (never held whole)
 *   GET /tsc        the guest's TSC in decimal: differs between replicas, on purpose
 *   GET /kv/KEY     the key/value store (shared with the line and RESP services); PUT or POST
 *                   sets it from the body, DELETE removes it
 * HEAD works wherever GET does. Keep-alive is the default for HTTP/1.1 ("Connection: close"
 * honoured) and on request for HTTP/1.0; pipelined requests are answered in order. No Date
 * header: replicas must answer byte for byte alike. Bounded: the request head is at most
 * HTTP_HEAD_MAX bytes (414/431), a body at most HTTP_BODY_MAX (413); malformed requests get 400
 * (505 for other HTTP versions, 501 for a Transfer-Encoding) and the connection is closed after
 * the answer, since where the next request starts is then unknown. Unknown paths get 404, other
 * methods 405.
 */
#include "kvstore.h"
#include "lib.h"
#include "service.h"
#include "tcp.h"

#define HTTP_HEAD_MAX 4096
#define HTTP_BODY_MAX KV_VALUE_MAX
_Static_assert(HTTP_HEAD_MAX + HTTP_BODY_MAX <= SERVICE_BUF, "a whole request fits in appbuf");

struct http_request {
    const char *method;
    size_t method_len;
    const char *path;        /* without the query */
    size_t path_len;
    bool http10;
    bool has_length;
    uint64_t content_length;
    bool transfer_encoding;
    bool has_host;
    bool conn_close, conn_keep_alive;
};

static const char index_page[] =
    "colo-guest: the replicated guest's web service\n"
    "GET /bytes/N      N bytes of 'a'..'z' repeating (byte i is 'a' + i % 26)\n"
    "GET /tsc          the guest's TSC (differs between replicas)\n"
    "GET /kv/KEY       the key/value store; PUT or POST sets it, DELETE removes it\n"
    "Also on this guest: the line service (tcp 9000), RESP/Redis (tcp 6379), UDP echo (7).\n";

static const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default: return "Error";
    }
}

static bool is_tchar(char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return true;
    return memchr("!#$%&'*+-.^_`|~", ch, 15) != NULL;
}

static bool is_ows(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Field values and targets: no control characters but HT (obs-text, >= 0x80, is allowed). */
static bool is_vchar_or_ws(char ch)
{
    unsigned char u = (unsigned char)ch;
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

/* Index just past the blank line that ends the head; 0 if it has not arrived yet, -1 if the
 * head is longer than HTTP_HEAD_MAX. Leading blank lines were dropped already. */
static long head_end(const char *b, size_t len)
{
    size_t limit = MIN(len, (size_t)HTTP_HEAD_MAX);
    size_t line_start = 0;
    for (size_t i = 0; i < limit; i++) {
        if (b[i] != '\n')
            continue;
        size_t l = i - line_start;
        if (line_start > 0 && (l == 0 || (l == 1 && b[line_start] == '\r')))
            return (long)(i + 1);
        line_start = i + 1;
    }
    return len >= HTTP_HEAD_MAX ? -1 : 0;
}

static void trim_ows(const char **s, size_t *len)
{
    while (*len > 0 && is_ows(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_ows((*s)[*len - 1]))
        (*len)--;
}

static int parse_request_line(const char *l, size_t len, struct http_request *r)
{
    const char *sp1 = memchr(l, ' ', len);
    if (!sp1 || sp1 == l || sp1 - l > 32)
        return 400;
    r->method = l;
    r->method_len = (size_t)(sp1 - l);
    for (size_t i = 0; i < r->method_len; i++)
        if (!is_tchar(l[i]))
            return 400;
    const char *target = sp1 + 1;
    size_t rest = len - r->method_len - 1;
    const char *sp2 = memchr(target, ' ', rest);
    if (!sp2 || sp2 == target)
        return 400;
    size_t target_len = (size_t)(sp2 - target);
    const char *version = sp2 + 1;
    size_t version_len = rest - target_len - 1;
    for (size_t i = 0; i < target_len; i++)
        if (!is_vchar_or_ws(target[i]) || target[i] == '\t')
            return 400;
    if (target[0] != '/')
        return 400; /* origin-form only */
    const char *query = memchr(target, '?', target_len);
    r->path = target;
    r->path_len = query ? (size_t)(query - target) : target_len;
    if (version_len == 8 && memcmp(version, "HTTP/1.1", 8) == 0)
        r->http10 = false;
    else if (version_len == 8 && memcmp(version, "HTTP/1.0", 8) == 0)
        r->http10 = true;
    else if (version_len == 8 && memcmp(version, "HTTP/", 5) == 0 && version[5] >= '0' && version[5] <= '9' &&
             version[6] == '.' && version[7] >= '0' && version[7] <= '9')
        return 505;
    else
        return 400;
    return 0;
}

/* The comma-separated tokens of a Connection header. */
static void parse_connection(const char *v, size_t len, struct http_request *r)
{
    while (len > 0) {
        const char *comma = memchr(v, ',', len);
        size_t n = comma ? (size_t)(comma - v) : len;
        const char *t = v;
        size_t tl = n;
        trim_ows(&t, &tl);
        if (word_eq(t, tl, "close"))
            r->conn_close = true;
        else if (word_eq(t, tl, "keep-alive"))
            r->conn_keep_alive = true;
        if (!comma)
            break;
        v = comma + 1;
        len -= n + 1;
    }
}

static int parse_header(const char *l, size_t len, struct http_request *r)
{
    if (is_ows(l[0]))
        return 400; /* obsolete line folding */
    const char *colon = memchr(l, ':', len);
    if (!colon || colon == l)
        return 400;
    size_t name_len = (size_t)(colon - l);
    for (size_t i = 0; i < name_len; i++)
        if (!is_tchar(l[i]))
            return 400;
    const char *v = colon + 1;
    size_t vl = len - name_len - 1;
    for (size_t i = 0; i < vl; i++)
        if (!is_vchar_or_ws(v[i]))
            return 400;
    trim_ows(&v, &vl);
    if (word_eq(l, name_len, "content-length")) {
        uint64_t n;
        if (!parse_u64(v, vl, &n) || (r->has_length && n != r->content_length))
            return 400;
        r->has_length = true;
        r->content_length = n;
    } else if (word_eq(l, name_len, "transfer-encoding")) {
        r->transfer_encoding = true;
    } else if (word_eq(l, name_len, "host")) {
        r->has_host = true;
    } else if (word_eq(l, name_len, "connection")) {
        parse_connection(v, vl, r);
    }
    return 0;
}

/* Parses the head b[0..end); returns 0 or the status to refuse the request with. */
static int parse_head(const char *b, size_t end, struct http_request *r)
{
    bool first = true;
    for (size_t pos = 0; pos < end;) {
        const char *nl = memchr(b + pos, '\n', end - pos);
        size_t next = (size_t)(nl - b) + 1;
        size_t len = (size_t)(nl - (b + pos));
        if (len > 0 && b[pos + len - 1] == '\r')
            len--;
        if (len == 0)
            break; /* the blank line */
        int status = first ? parse_request_line(b + pos, len, r) : parse_header(b + pos, len, r);
        if (status)
            return status;
        first = false;
        pos = next;
    }
    if (!r->http10 && !r->has_host)
        return 400; /* RFC 9112 3.2 */
    return 0;
}

static void http_answer(struct tcp_conn *c, int status, const char *type, const void *body, uint64_t body_len,
                        const char *extra, bool keep, bool http10, bool head_only)
{
    char h[512];
    int n = str_format(h, sizeof(h),
                       "HTTP/1.1 %d %s\r\nServer: colo-guest\r\nContent-Type: %s\r\nContent-Length: %lu\r\n%s%s\r\n",
                       status, http_reason(status), type, (unsigned long)body_len, extra ? extra : "",
                       !keep ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "");
    tcp_send(c, h, MIN((size_t)n, sizeof(h) - 1));
    if (body && !head_only)
        tcp_send(c, body, (size_t)body_len);
}

static void http_text(struct tcp_conn *c, int status, const char *text, const char *extra, bool keep, bool http10,
                      bool head_only)
{
    http_answer(c, status, "text/plain", text, strlen(text), extra, keep, http10, head_only);
}

static bool path_is(const struct http_request *r, const char *p)
{
    size_t n = strlen(p);
    return r->path_len == n && memcmp(r->path, p, n) == 0;
}

static bool path_under(const struct http_request *r, const char *prefix)
{
    size_t n = strlen(prefix);
    return r->path_len > n && memcmp(r->path, prefix, n) == 0;
}

static bool method_is(const struct http_request *r, const char *m)
{
    size_t n = strlen(m);
    return r->method_len == n && memcmp(r->method, m, n) == 0; /* methods are case-sensitive */
}

static void http_kv(struct tcp_conn *c, const struct http_request *r, const char *body, size_t body_len, bool keep)
{
    const char *key = r->path + 4;
    size_t key_len = r->path_len - 4;
    bool head = method_is(r, "HEAD");
    if (method_is(r, "GET") || head) {
        size_t value_len;
        const char *value = kv_get(key, key_len, &value_len);
        if (value)
            http_answer(c, 200, "application/octet-stream", value, value_len, NULL, keep, r->http10, head);
        else
            http_text(c, 404, "no such key\n", NULL, keep, r->http10, head);
    } else if (method_is(r, "PUT") || method_is(r, "POST")) {
        enum kv_result res = kv_set(key, key_len, body, body_len);
        if (res == KV_OK)
            http_text(c, 200, "OK\n", NULL, keep, r->http10, false);
        else if (res == KV_FULL)
            http_text(c, 507, "store full\n", NULL, keep, r->http10, false);
        else if (res == KV_KEY_TOO_LONG)
            http_text(c, 414, "key too long\n", NULL, keep, r->http10, false);
        else
            http_text(c, 413, "value too long\n", NULL, keep, r->http10, false);
    } else if (method_is(r, "DELETE")) {
        if (kv_delete(key, key_len))
            http_text(c, 200, "deleted\n", NULL, keep, r->http10, false);
        else
            http_text(c, 404, "no such key\n", NULL, keep, r->http10, false);
    } else {
        http_text(c, 405, "method not allowed\n", "Allow: GET, HEAD, PUT, POST, DELETE\r\n", keep, r->http10, false);
    }
}

static void http_route(struct tcp_conn *c, const struct http_request *r, const char *body, size_t body_len, bool keep)
{
    bool head = method_is(r, "HEAD");
    bool get = head || method_is(r, "GET");
    bool known = get || method_is(r, "PUT") || method_is(r, "POST") || method_is(r, "DELETE");
    bool is_kv = path_under(r, "/kv/");
    if (is_kv && known) {
        http_kv(c, r, body, body_len, keep);
        return;
    }
    if (!get) {
        http_text(c, 405, "method not allowed\n",
                  is_kv ? "Allow: GET, HEAD, PUT, POST, DELETE\r\n" : "Allow: GET, HEAD\r\n", keep, r->http10, false);
        return;
    }
    if (path_is(r, "/")) {
        http_answer(c, 200, "text/plain", index_page, sizeof(index_page) - 1, NULL, keep, r->http10, head);
    } else if (path_is(r, "/tsc")) {
        char text[24];
        int n = str_format(text, sizeof(text), "%lu\n", rdtsc());
        http_answer(c, 200, "text/plain", text, (size_t)n, NULL, keep, r->http10, head);
    } else if (path_under(r, "/bytes/")) {
        uint64_t n;
        if (!parse_u64(r->path + 7, r->path_len - 7, &n)) {
            http_text(c, 400, "bad byte count\n", NULL, keep, r->http10, head);
            return;
        }
        http_answer(c, 200, "application/octet-stream", NULL, n, NULL, keep, r->http10, true);
        if (!head && n > 0)
            stream_start(c, n, false, !keep);
    } else {
        http_text(c, 404, "not found\n", NULL, keep, r->http10, head);
    }
}

/* Refuses a request whose framing cannot be trusted: answer, then close. */
static void http_refuse(struct tcp_conn *c, int status)
{
    char text[64];
    str_format(text, sizeof(text), "%s\n", http_reason(status));
    http_text(c, status, text, NULL, false, false, false);
    service_shutdown(c);
}

bool http_step(struct tcp_conn *c)
{
    struct service_session *s = &c->app;
    const char *b = (const char *)c->appbuf;
    uint32_t blank = 0;
    while (blank < s->in_len && (b[blank] == '\r' || b[blank] == '\n'))
        blank++;
    if (blank > 0) {
        service_take(c, blank); /* RFC 9112 2.2: empty lines before a request are ignored */
        return s->in_len > 0;
    }
    long end = head_end(b, s->in_len);
    if (end == 0)
        return false;
    if (end < 0) {
        bool line_too_long = memchr(b, '\n', HTTP_HEAD_MAX) == NULL;
        http_refuse(c, line_too_long ? 414 : 431);
        return true;
    }
    struct http_request r;
    memset(&r, 0, sizeof(r));
    int status = parse_head(b, (size_t)end, &r);
    if (status == 0 && r.transfer_encoding)
        status = 501; /* no chunked request bodies */
    if (status == 0 && r.content_length > HTTP_BODY_MAX)
        status = 413;
    if (status) {
        http_refuse(c, status);
        return true;
    }
    size_t total = (size_t)end + (size_t)r.content_length;
    if (total > s->in_len)
        return false; /* the body is still arriving (it fits: HTTP_HEAD_MAX + HTTP_BODY_MAX) */
    bool keep = !r.conn_close && (!r.http10 || r.conn_keep_alive);
    http_route(c, &r, b + end, (size_t)r.content_length, keep);
    service_take(c, (uint32_t)total);
    if (!keep && !s->stream_active)
        service_shutdown(c);
    return true;
}
