/* Runs in the management partition (64-bit CPL0 unikernel, one CPU, no
 * threads): lwIP 2.1.3 configuration. NO_SYS=1 raw API only; the main loop
 * feeds received frames to netif->input and calls sys_check_timeouts();
 * nothing in lwIP runs in interrupt context, so no locking is needed.
 * IPv4 only: Ethernet + ARP, ICMP (ping), UDP (for DHCP), TCP (the HTTP
 * API), DHCP client or a static address. Options not set here keep lwIP's
 * defaults (src/include/lwip/opt.h). The files guest/mgmt/deps.mk compiles
 * (LWIP_SRCS) match these options: enabling a module here (DNS, RAW,
 * IGMP, AUTOIP, IPv6...) also needs its .c file added there. */
#ifndef MGMT_PORT_LWIPOPTS_H
#define MGMT_PORT_LWIPOPTS_H

/* ---- platform: bare metal, single thread ---- */
#define NO_SYS                          1
#define SYS_LIGHTWEIGHT_PROT            0   /* no interrupts touch lwIP */
#define LWIP_TIMERS                     1   /* sys_check_timeouts(); needs sys_now() */
#define LWIP_SOCKET                     0
#define LWIP_NETCONN                    0
#define LWIP_NETIF_API                  0

/* ---- memory ----
 * lwIP's own heap (mem.c, a static array of MEM_SIZE) holds PBUF_RAM
 * buffers: TCP send data (tcp_write copies) and outgoing headers. Sized
 * for MEMP_NUM_TCP_PCB connections each with a full TCP_SND_BUF queued
 * (16 * 23 KiB = 365 KiB) plus headroom. */
#define MEM_LIBC_MALLOC                 0
#define MEMP_MEM_MALLOC                 0
#define MEM_ALIGNMENT                   8
#define MEM_SIZE                        (512 * 1024)

/* pbufs referencing ROM/foreign memory (PBUF_ROM/PBUF_REF) */
#define MEMP_NUM_PBUF                   32
/* the receive pool: one buffer per received frame (PBUF_POOL_BUFSIZE
 * defaults to TCP_MSS + 40 + 14 rounded up, so a full frame fits in one);
 * 64 x ~1.5 KiB = ~97 KiB */
#define PBUF_POOL_SIZE                  64

/* ---- link layer ---- */
#define LWIP_ETHERNET                   1
#define LWIP_ARP                        1
#define ARP_TABLE_SIZE                  16
#define ARP_QUEUEING                    1   /* queue packets while ARP resolves */
#define ETH_PAD_SIZE                    0

/* ---- IPv4 ---- */
#define LWIP_IPV4                       1
#define LWIP_IPV6                       0
#define LWIP_ICMP                       1   /* answers ping */
#define LWIP_RAW                        0
#define LWIP_IGMP                       0
#define LWIP_AUTOIP                     0
#define IP_REASSEMBLY                   1
#define IP_FRAG                         1

/* ---- DHCP (client) ---- */
#define LWIP_DHCP                       1
#define LWIP_UDP                        1   /* DHCP runs over UDP */
#define MEMP_NUM_UDP_PCB                4
#define LWIP_DNS                        0   /* we use IP literals only */
#define LWIP_NETIF_HOSTNAME             1   /* DHCP sends netif->hostname if set */

/* ---- TCP ---- */
#define LWIP_TCP                        1
#define TCP_MSS                         1460  /* Ethernet MTU 1500 - 40 */
#define TCP_WND                         (8 * TCP_MSS)    /* 11680: fits u16, no window scaling */
#define TCP_SND_BUF                     (16 * TCP_MSS)   /* 23360 per connection */
/* pbufs queued per connection: lwIP's own default formula (it must be at
 * least 2 * TCP_SND_BUF / TCP_MSS = 32): 64 */
#define TCP_SND_QUEUELEN                ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
#define MEMP_NUM_TCP_PCB                16
#define MEMP_NUM_TCP_PCB_LISTEN         4
/* segments queued (unsent, unacked, out of order), shared by all
 * connections: at least TCP_SND_QUEUELEN; a tcp_seg is ~40 bytes */
#define MEMP_NUM_TCP_SEG                256
#define TCP_QUEUE_OOSEQ                 1
#define TCP_LISTEN_BACKLOG              1   /* honour tcp_listen_with_backlog() */
#define LWIP_TCP_KEEPALIVE              0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1  /* LWIP_RAND(), arch/cc.h */

/* lwIP's own timers plus a few for the partition (sys_timeout()) */
#define MEMP_NUM_SYS_TIMEOUT            (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)

/* ---- netif ---- */
#define LWIP_NETIF_STATUS_CALLBACK      1
#define LWIP_NETIF_LINK_CALLBACK        1
#define LWIP_HAVE_LOOPIF                0
#define LWIP_NETIF_LOOPBACK             0

/* ---- checksums: lwIP's defaults (all computed and checked in software;
 * the e1000 driver does no offload) ---- */

/* ---- statistics and debugging ---- */
#define LWIP_STATS                      0
#define LWIP_STATS_DISPLAY              0
/* assertions stay on (LWIP_PLATFORM_ASSERT -> mgmt_assert_fail); debug
 * messages are off unless LWIP_DEBUG is defined. */

#endif
