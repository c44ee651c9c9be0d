/* Runs in the management partition: the lwIP network interface over the
 * e1000, its address (DHCP or static) and the polling the main loop does. */
#ifndef MGMT_NET_H
#define MGMT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest/mgmt/e1000.h"

int net_init(const struct mgmt_boot_params *p, char *err, size_t errlen);
/* receive frames, run lwIP's timers; returns frames received */
unsigned net_poll(void);
bool net_has_address(void);
/* "10.0.2.15" or "none" */
const char *net_address_text(void);
struct e1000 *net_nic(void);

#endif
