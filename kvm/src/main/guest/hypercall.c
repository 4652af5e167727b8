/* The one place that talks to the VMM: each call is an `outl` of the argument block's address. */
#include "hypercall.h"

static inline void hypercall(unsigned call, void *block)
{
    /* Blocks live in static data or on the stack, both below 4 GiB (identity-mapped RAM). */
    __asm__ volatile("outl %0, %w1"
                     :
                     : "a"((uint32_t)(uintptr_t)block), "Nd"((uint16_t)(HVC_PORT_BASE + call))
                     : "memory");
}

void hvc_console_write(const char *text, size_t len)
{
    struct hvc_puts b = { .data = (uintptr_t)text, .len = len };
    hypercall(HVC_PUTS, &b);
}

uint64_t hvc_walltime_ns(void)
{
    struct hvc_walltime b = { 0 };
    hypercall(HVC_WALLTIME, &b);
    return b.nanos;
}

void hvc_net_info(uint8_t mac[6], uint32_t *mtu)
{
    struct hvc_net_info b = { { 0 }, 0, 0 };
    hypercall(HVC_NET_INFO, &b);
    for (int i = 0; i < 6; i++)
        mac[i] = b.mac[i];
    *mtu = b.mtu;
}

int hvc_net_send(const void *frame, size_t len)
{
    struct hvc_net_write b = { .data = (uintptr_t)frame, .len = len };
    hypercall(HVC_NET_WRITE, &b);
    return b.ret;
}

int hvc_net_recv(void *buf, size_t cap, size_t *len)
{
    struct hvc_net_read b = { .data = (uintptr_t)buf, .len = cap };
    hypercall(HVC_NET_READ, &b);
    if (b.ret == HVC_OK)
        *len = b.len < cap ? b.len : cap; /* never trust a length beyond our buffer */
    return b.ret;
}

int hvc_poll(uint64_t deadline_ns)
{
    struct hvc_poll b = { .deadline_nanos = deadline_ns };
    hypercall(HVC_POLL, &b);
    return b.ret == HVC_OK && b.ready;
}

void hvc_halt(int status)
{
    struct hvc_halt b = { .status = status };
    for (;;)
        hypercall(HVC_HALT, &b);
}
