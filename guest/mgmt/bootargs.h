/* Runs in the management partition (multiboot shim) and on the host (unit
 * tests): the boot command line of a directly booted mgmt.elf, turned into
 * the boot parameters of the 64-bit entry contract. */
#ifndef MGMT_BOOTARGS_H
#define MGMT_BOOTARGS_H

#include <stddef.h>
#include "onestone/mgmt_abi.h"

/* Standalone defaults: checkpoints at [32 MiB, 34 MiB), API on port 80,
 * DHCP, NIC found by scanning bus 0. */
#define MGMT_DEFAULT_CKPT_BASE  (32ull << 20)
#define MGMT_DEFAULT_CKPT_SIZE  (2ull << 20)
#define MGMT_DEFAULT_API_PORT   80
#define MGMT_NIC_ANY            0xFFu   /* nic_bus: not given, scan for one */

/* Fills *p with defaults, then applies the words of cmdline:
 *   token=SECRET  ip=A.B.C.D/NN  gw=A.B.C.D  dhcp  port=N
 *   project=http://A.B.C.D[:PORT][/PATH]  ckpt=ADDR:SIZE  nic=BB:DD.F
 * A first word without '=' (the loader's file name) is skipped. Returns 0,
 * or -1 with err naming the word and what is wrong with it; token= is
 * required. mem_* and cpu fields are left for the caller. */
int mgmt_parse_args(const char *cmdline, struct mgmt_boot_params *p, char *err,
                    size_t errlen);

/* "A.B.C.D" -> network byte order; 0 on success. */
int mgmt_parse_ipv4(const char *s, size_t len, uint32_t *out);

#endif
