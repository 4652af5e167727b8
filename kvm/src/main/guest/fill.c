#include "fill.h"
#include "lib.h"

#define PAGE_SIZE      4096ULL
#define FILL_ALIGN     (2ULL << 20)
#define STACK_RESERVE  (1ULL << 20)

extern char __image_end[]; /* guest.ld: end of .bss */

static uint64_t fill_base, fill_count;
static uint64_t fill_cursor;     /* successive FILLs walk the buffer round-robin */
static uint64_t fill_generation; /* makes every call's values new */

void fill_init(const struct hvc_boot_info *boot)
{
    uint64_t start = MAX(boot->image_end, (uint64_t)(uintptr_t)__image_end);
    start = (start + FILL_ALIGN - 1) & ~(FILL_ALIGN - 1);
    uint64_t end = boot->memory_size > STACK_RESERVE ? (boot->memory_size - STACK_RESERVE) & ~(PAGE_SIZE - 1) : 0;
    fill_base = start;
    fill_count = end > start ? (end - start) / PAGE_SIZE : 0;
}

uint64_t fill_pages(uint64_t n)
{
    n = MIN(n, fill_count);
    fill_generation++;
    uint64_t page = fill_cursor;
    for (uint64_t i = 0; i < n; i++) {
        volatile uint64_t *word = (volatile uint64_t *)(uintptr_t)(fill_base + page * PAGE_SIZE);
        *word = fill_generation << 32 | page;
        if (++page == fill_count)
            page = 0;
    }
    fill_cursor = page;
    return n;
}
