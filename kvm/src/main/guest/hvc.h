/*
 * The guest <-> VMM interface of colo-kvm ("hypercalls"). The VMM's Java side mirrors it in
 * dev.colo.kvm.guest.GuestAbi; change both together.
 *
 * Boot: the guest image is a flat binary loaded at GUEST_LOAD_ADDR and entered there, in 64-bit
 * mode at CPL 3 (on kvm-pvm ring-0 code is emulated, ring-3 code runs natively), with
 *   rdi = guest-physical address of a struct hvc_boot_info (at GUEST_BOOT_INFO_ADDR),
 *   rsp = top of guest memory (16-byte aligned), interrupts off, no IDT: any fault is fatal.
 * All guest memory is identity-mapped (virtual == physical), user-accessible, writable.
 *
 * A hypercall is one `outl %eax, %dx`: dx = HVC_PORT_BASE + call number, eax = guest-physical
 * address of the call's argument block (below 4 GiB). The VMM reads the block, acts, writes the
 * results into the block, and resumes the guest after the `out`. A block that is not entirely
 * inside guest memory stops the VM with an error; a buffer pointer inside a block that is not
 * entirely inside guest memory makes the call fail with ret = HVC_EFAULT.
 */
#ifndef COLO_HVC_H
#define COLO_HVC_H

#include <stdint.h>

#define GUEST_LOAD_ADDR      0x100000UL
#define GUEST_BOOT_INFO_ADDR 0x7000UL

#define HVC_PORT_BASE 0x500

/* Call numbers (port = HVC_PORT_BASE + number). */
#define HVC_PUTS      0  /* struct hvc_puts: write bytes to the console */
#define HVC_WALLTIME  1  /* struct hvc_walltime: nanoseconds since the Unix epoch */
#define HVC_NET_INFO  2  /* struct hvc_net_info: the NIC's MAC and MTU */
#define HVC_NET_WRITE 3  /* struct hvc_net_write: transmit one Ethernet frame */
#define HVC_NET_READ  4  /* struct hvc_net_read: receive one Ethernet frame, non-blocking */
#define HVC_POLL      5  /* struct hvc_poll: wait until a frame can be read or a deadline */
#define HVC_HALT      6  /* struct hvc_halt: stop the VM for good */

/* Return codes (in the `ret` field of a block). */
#define HVC_OK      0
#define HVC_EAGAIN  (-11) /* NET_READ: no frame waiting */
#define HVC_EFAULT  (-14) /* a buffer is not inside guest memory */
#define HVC_EINVAL  (-22) /* a length out of range (e.g. a frame longer than the MTU + 14) */

struct hvc_boot_info {
    uint64_t memory_size;      /* bytes of guest RAM, starting at physical 0 */
    uint64_t image_end;        /* first byte after the loaded image (GUEST_LOAD_ADDR + image size) */
    uint32_t ipv4_addr;        /* the guest's IPv4 address, network byte order (0 = none given) */
    uint32_t ipv4_prefix_len;  /* e.g. 24 */
    char     cmdline[240];     /* NUL-terminated, free-form "key=value ..." options */
};

struct hvc_puts {
    uint64_t data;   /* in: guest address of the bytes */
    uint64_t len;    /* in */
    int32_t  ret;    /* out */
    uint32_t pad;
};

struct hvc_walltime {
    uint64_t nanos;  /* out */
};

struct hvc_net_info {
    uint8_t  mac[6]; /* out */
    uint16_t pad;
    uint32_t mtu;    /* out: IP MTU, e.g. 1500; frames are at most mtu + 14 bytes */
};

struct hvc_net_write {
    uint64_t data;   /* in: guest address of the frame (Ethernet header first, no FCS) */
    uint64_t len;    /* in */
    int32_t  ret;    /* out */
    uint32_t pad;
};

struct hvc_net_read {
    uint64_t data;   /* in: guest address of a buffer */
    uint64_t len;    /* in: buffer size; out: frame length */
    int32_t  ret;    /* out: HVC_OK, HVC_EAGAIN, HVC_EFAULT */
    uint32_t pad;
};

struct hvc_poll {
    uint64_t deadline_nanos; /* in: wall-clock time (as HVC_WALLTIME) to give up at; 0 = don't wait */
    uint32_t ready;          /* out: 1 if a frame can be read, 0 on timeout */
    int32_t  ret;            /* out */
};

struct hvc_halt {
    int32_t status;  /* in: 0 = clean exit */
    uint32_t pad;
};

#endif
