/* Runs in the management partition: see net.h. lwIP runs NO_SYS: frames
 * are fed to netif->input from the main loop, which also runs lwIP's
 * timers; nothing runs in interrupt context. */
#include "guest/mgmt/mgmt.h"
#include "guest/mgmt/net.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include <stdio.h>
#include <string.h>

#define MAX_PARTS 16

static struct e1000 nic;
static struct netif netif;
static bool announced;
static char addr_text[16] = "none";
static uint8_t frame[E1000_BUF_SIZE];

struct e1000 *net_nic(void)
{
    return &nic;
}

static err_t linkoutput(struct netif *n, struct pbuf *p)
{
    (void)n;
    const void *parts[MAX_PARTS];
    size_t lens[MAX_PARTS];
    unsigned count = 0;
    for (struct pbuf *q = p; q; q = q->next) {
        if (count == MAX_PARTS)
            return ERR_BUF;
        parts[count] = q->payload;
        lens[count++] = q->len;
    }
    /* a full ring drains within microseconds: wait for it, bounded */
    for (unsigned tries = 0; tries < 100000; tries++)
        if (e1000_transmit(&nic, parts, lens, count))
            return ERR_OK;
    return ERR_IF;
}

static err_t netif_setup(struct netif *n)
{
    n->name[0] = 'e';
    n->name[1] = '0';
    n->hwaddr_len = 6;
    memcpy(n->hwaddr, nic.mac, 6);
    n->mtu = 1500;
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    n->output = etharp_output;
    n->linkoutput = linkoutput;
    return ERR_OK;
}

int net_init(const struct mgmt_boot_params *p, char *err, size_t errlen)
{
    if (e1000_open(&nic, p->nic_bus, p->nic_dev, p->nic_fn, p->dma_offset, err, errlen))
        return -1;
    mlog("NIC e1000 at %02x:%02x.%x, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s",
         nic.bdf >> 8, (nic.bdf >> 3) & 31, nic.bdf & 7, nic.mac[0], nic.mac[1], nic.mac[2],
         nic.mac[3], nic.mac[4], nic.mac[5], e1000_link_up(&nic) ? "up" : "down");
    lwip_init();
    ip4_addr_t ip, mask, gw;
    ip4_addr_set_zero(&ip);
    ip4_addr_set_zero(&mask);
    ip4_addr_set_zero(&gw);
    if (p->net_mode == MGMT_NET_STATIC) {
        ip.addr = p->ipv4_addr;
        mask.addr = p->ipv4_netmask;
        gw.addr = p->ipv4_gateway;
    }
    if (!netif_add(&netif, &ip, &mask, &gw, NULL, netif_setup, ethernet_input)) {
        snprintf(err, errlen, "lwIP refused the network interface");
        return -1;
    }
    netif_set_default(&netif);
    netif_set_up(&netif);
    if (p->net_mode == MGMT_NET_DHCP) {
        if (dhcp_start(&netif) != ERR_OK) {
            snprintf(err, errlen, "DHCP could not start");
            return -1;
        }
        mlog("asking for an address by DHCP");
    }
    return 0;
}

bool net_has_address(void)
{
    return !ip4_addr_isany_val(*netif_ip4_addr(&netif));
}

const char *net_address_text(void)
{
    return addr_text;
}

unsigned net_poll(void)
{
    unsigned frames = 0;
    size_t len;
    while (frames < 32 && (len = e1000_receive(&nic, frame, sizeof frame)) != 0) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        frames++;
        if (!p)
            continue;   /* out of pool buffers: the frame is dropped, TCP resends */
        pbuf_take(p, frame, (u16_t)len);
        if (netif.input(p, &netif) != ERR_OK)
            pbuf_free(p);
    }
    sys_check_timeouts();
    if (!announced && net_has_address()) {
        announced = true;
        ip4addr_ntoa_r(netif_ip4_addr(&netif), addr_text, sizeof addr_text);
        char m[16], g[16];
        ip4addr_ntoa_r(netif_ip4_netmask(&netif), m, sizeof m);
        ip4addr_ntoa_r(netif_ip4_gw(&netif), g, sizeof g);
        mlog("address %s netmask %s gateway %s (%s)", addr_text, m, g,
             mgmt_params.net_mode == MGMT_NET_DHCP ? "DHCP" : "static");
    }
    return frames;
}
