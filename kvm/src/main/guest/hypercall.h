/* Typed wrappers around the port-I/O hypercalls of hvc.h. */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include "hvc.h"

void hvc_console_write(const char *text, size_t len);
uint64_t hvc_walltime_ns(void);
void hvc_net_info(uint8_t mac[6], uint32_t *mtu);
/* Returns HVC_OK or a negative HVC_E* code. */
int hvc_net_send(const void *frame, size_t len);
/* Returns HVC_OK (and *len = frame length), HVC_EAGAIN when no frame waits, or another HVC_E*. */
int hvc_net_recv(void *buf, size_t cap, size_t *len);
/* Sleeps until a frame can be read or the wall clock reaches deadline_ns; returns 1 if a frame waits. */
int hvc_poll(uint64_t deadline_ns);
void hvc_halt(int status) __attribute__((noreturn));

#endif
