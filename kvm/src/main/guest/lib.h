/* The guest's tiny C library: memory and string helpers, number parsing and formatting, console. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* gcc may emit calls to these four itself, so they keep their standard names. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);

/* Decimal text (exactly len bytes, no sign for u64, optional '-' or '+' for i64) to a number. */
bool parse_u64(const char *s, size_t len, uint64_t *out);
bool parse_i64(const char *s, size_t len, int64_t *out);

/*
 * snprintf-lite: %s %c %d %i %u %x %p %%, the l and ll length modifiers, a field width and the
 * '0' flag. Always NUL-terminates (if size > 0); returns the length the full output would have.
 */
int str_vformat(char *buf, size_t size, const char *fmt, va_list ap);
int str_format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats and writes one console message (one hypercall; output is cut at 255 bytes). */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

#endif
