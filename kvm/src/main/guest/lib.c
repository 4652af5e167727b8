/* Memory/string helpers and number parsing for the freestanding guest. */
#include "lib.h"

/* rep movsb/stosb are fast on current CPUs and cannot be turned back into calls by the compiler. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n-- > 0)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (unsigned char)c)
            return (void *)(p + i);
    return NULL;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

bool parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t digit = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

bool parse_i64(const char *s, size_t len, int64_t *out)
{
    bool negative = len > 0 && s[0] == '-';
    size_t skip = len > 0 && (s[0] == '-' || s[0] == '+');
    uint64_t magnitude;
    if (!parse_u64(s + skip, len - skip, &magnitude))
        return false;
    if (negative) {
        if (magnitude > (uint64_t)INT64_MAX + 1)
            return false;
        *out = (int64_t)(0 - magnitude);
    } else {
        if (magnitude > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)magnitude;
    }
    return true;
}
