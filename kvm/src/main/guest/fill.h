/*
 * The FILL buffer: all RAM between the image (rounded up to 2 MiB) and the last 1 MiB (the stack).
 * FILL n dirties exactly n of its 4 KiB pages, one 8-byte store each, so a test can make the
 * VMM's dirty log show a known number of pages.
 */
#ifndef GUEST_FILL_H
#define GUEST_FILL_H

#include <stdint.h>

#include "hvc.h"

void fill_init(const struct hvc_boot_info *boot);
/* Writes a fresh value into min(n, buffer pages) distinct pages; returns that count. */
uint64_t fill_pages(uint64_t n);

#endif
