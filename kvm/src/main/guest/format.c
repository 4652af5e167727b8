/* A small printf-style formatter and the console printf built on it. */
#include "hypercall.h"
#include "lib.h"

struct sink {
    char *buf;
    size_t size;
    size_t len; /* what the output would be without truncation */
};

static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->size)
        s->buf[s->len] = c;
    s->len++;
}

static void put_padded(struct sink *s, const char *text, size_t len, unsigned width, char pad)
{
    for (size_t i = len; i < width; i++)
        put(s, pad);
    for (size_t i = 0; i < len; i++)
        put(s, text[i]);
}

static void put_number(struct sink *s, uint64_t v, bool negative, unsigned base, unsigned width, char pad)
{
    char digits[24];
    size_t n = sizeof(digits);
    do {
        digits[--n] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    if (negative) {
        if (pad == '0') {
            put(s, '-');
            width = width > 0 ? width - 1 : 0;
        } else {
            digits[--n] = '-';
        }
    }
    put_padded(s, digits + n, sizeof(digits) - n, width, pad);
}

int str_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { buf, size, 0 };
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&s, *f);
            continue;
        }
        f++;
        char pad = ' ';
        if (*f == '0') {
            pad = '0';
            f++;
        }
        unsigned width = 0;
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (unsigned)(*f++ - '0');
        unsigned longs = 0;
        while (*f == 'l') {
            longs++;
            f++;
        }
        switch (*f) {
        case 'd':
        case 'i': {
            int64_t v = longs ? va_arg(ap, long) : va_arg(ap, int);
            put_number(&s, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, 10, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            put_number(&s, v, false, *f == 'x' ? 16 : 10, width, pad);
            break;
        }
        case 'p':
            put(&s, '0');
            put(&s, 'x');
            put_number(&s, (uintptr_t)va_arg(ap, void *), false, 16, width, pad);
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            put_padded(&s, str, strlen(str), width, ' ');
            break;
        }
        case 'c':
            put(&s, (char)va_arg(ap, int));
            break;
        case '%':
            put(&s, '%');
            break;
        case '\0':
            f--; /* a lone '%' at the end: stop at the NUL */
            break;
        default:
            put(&s, '%');
            put(&s, *f);
            break;
        }
    }
    if (size > 0)
        buf[MIN(s.len, size - 1)] = '\0';
    return (int)s.len;
}

int str_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = str_vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void console_printf(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = str_vformat(line, sizeof(line), fmt, ap);
    va_end(ap);
    hvc_console_write(line, MIN((size_t)n, sizeof(line) - 1));
}
