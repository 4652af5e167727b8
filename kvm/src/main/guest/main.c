/* Boot: configuration from the VMM, then the event loop (frames, timers, sleep). */
#include "fill.h"
#include "hypercall.h"
#include "lib.h"
#include "net.h"
#include "service.h"
#include "tcp.h"

#define DEFAULT_IP        ((10u << 24) | (77u << 16) | 2) /* 10.77.0.2 */
#define DEFAULT_PREFIX    24
#define DEFAULT_TCP_PORT  9000
#define DEFAULT_HTTP_PORT 80
#define DEFAULT_RESP_PORT 6379
#define DEFAULT_UDP_PORT  7
#define DEFAULT_MTU       1500
#define MIN_MTU           576
#define DRAIN_BATCH       64   /* frames handled before the clock and timers are looked at again */

struct net_config net_cfg;
uint64_t net_now_ns;

static uint8_t rx_frame[FRAME_MAX];

/* The value of "key=N" in a space-separated command line as a port, or fallback. */
static uint16_t cmdline_port(const char *cmdline, const char *key, uint16_t fallback)
{
    size_t key_len = strlen(key);
    for (const char *p = cmdline; *p;) {
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        uint64_t v;
        if ((size_t)(end - p) > key_len && memcmp(p, key, key_len) == 0 && p[key_len] == '=') {
            if (parse_u64(p + key_len + 1, (size_t)(end - p) - key_len - 1, &v) && v >= 1 && v <= 65535)
                return (uint16_t)v;
            console_printf("colo-guest: ignoring bad %s\n", key);
        }
        p = end;
    }
    return fallback;
}

static void configure(const struct hvc_boot_info *boot)
{
    hvc_net_info(net_cfg.mac, &net_cfg.mtu);
    if (net_cfg.mtu == 0)
        net_cfg.mtu = DEFAULT_MTU;
    net_cfg.mtu = MIN(MAX(net_cfg.mtu, MIN_MTU), NET_MTU_MAX);

    if (boot->ipv4_addr != 0) {
        net_cfg.ip = __builtin_bswap32(boot->ipv4_addr); /* network to host order */
        net_cfg.prefix_len = boot->ipv4_prefix_len >= 1 && boot->ipv4_prefix_len <= 32 ? boot->ipv4_prefix_len
                                                                                     : DEFAULT_PREFIX;
    } else {
        net_cfg.ip = DEFAULT_IP;
        net_cfg.prefix_len = DEFAULT_PREFIX;
    }

    char cmdline[sizeof(boot->cmdline) + 1];
    memcpy(cmdline, boot->cmdline, sizeof(boot->cmdline));
    cmdline[sizeof(boot->cmdline)] = '\0'; /* even if the VMM forgot the NUL */
    net_cfg.tcp_port = cmdline_port(cmdline, "tcp_port", DEFAULT_TCP_PORT);
    net_cfg.udp_port = cmdline_port(cmdline, "udp_port", DEFAULT_UDP_PORT);
    net_cfg.http_port = cmdline_port(cmdline, "http_port", DEFAULT_HTTP_PORT);
    net_cfg.resp_port = cmdline_port(cmdline, "resp_port", DEFAULT_RESP_PORT);
}

int main(struct hvc_boot_info *boot)
{
    configure(boot);
    fill_init(boot);
    service_init();

    char mac[18], ip[16];
    console_printf("colo-guest: up mac=%s ip=%s/%u tcp=%u udp=%u http=%u resp=%u\n", mac_to_str(net_cfg.mac, mac),
                   ip_to_str(net_cfg.ip, ip), net_cfg.prefix_len, net_cfg.tcp_port, net_cfg.udp_port,
                   net_cfg.http_port, net_cfg.resp_port);

    net_now_ns = hvc_walltime_ns();
    for (;;) {
        int frames = 0;
        size_t len;
        while (frames < DRAIN_BATCH && hvc_net_recv(rx_frame, sizeof(rx_frame), &len) == HVC_OK) {
            eth_input(rx_frame, len);
            frames++;
        }
        net_now_ns = hvc_walltime_ns();
        tcp_run_timers();
        if (frames == DRAIN_BATCH)
            continue; /* more frames may be waiting: no sleep */
        uint64_t idle = net_now_ns + NS_PER_S;
        uint64_t deadline = tcp_next_deadline();
        if (deadline == 0 || deadline > idle)
            deadline = idle;
        if (deadline > net_now_ns) {
            hvc_poll(deadline);
            net_now_ns = hvc_walltime_ns();
        }
    }
}
