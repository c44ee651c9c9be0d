/* Shared header (management partition, tests): the Intel 8254x ("e1000")
 * registers and legacy descriptors we use, with the names of the 8254x
 * Family Software Developer's Manual (section 13 registers, 3.2/3.3
 * descriptors). QEMU's `-device e1000` and Bochs's e1000 model the 82540EM. */
#ifndef ARCH_E1000_H
#define ARCH_E1000_H

#include <stdint.h>

#define E1000_VENDOR_INTEL   0x8086u
#define E1000_DEV_82540EM    0x100Eu

#define E1000_CTRL      0x0000
#define E1000_STATUS    0x0008
#define E1000_EERD      0x0014
#define E1000_ICR       0x00C0
#define E1000_IMC       0x00D8
#define E1000_RCTL      0x0100
#define E1000_TCTL      0x0400
#define E1000_TIPG      0x0410
#define E1000_RDBAL     0x2800
#define E1000_RDBAH     0x2804
#define E1000_RDLEN     0x2808
#define E1000_RDH       0x2810
#define E1000_RDT       0x2818
#define E1000_TDBAL     0x3800
#define E1000_TDBAH     0x3804
#define E1000_TDLEN     0x3808
#define E1000_TDH       0x3810
#define E1000_TDT       0x3818
#define E1000_MTA       0x5200   /* 128 dwords */
#define E1000_RAL0      0x5400
#define E1000_RAH0      0x5404

#define E1000_CTRL_FD       (1u << 0)
#define E1000_CTRL_ASDE     (1u << 5)
#define E1000_CTRL_SLU      (1u << 6)
#define E1000_CTRL_RST      (1u << 26)
#define E1000_STATUS_LU     (1u << 1)
#define E1000_EERD_START    (1u << 0)
#define E1000_EERD_DONE     (1u << 4)
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_DATA_SHIFT 16
#define E1000_RCTL_EN       (1u << 1)
#define E1000_RCTL_BAM      (1u << 15)
#define E1000_RCTL_BSIZE_2048 (0u << 16)
#define E1000_RCTL_SECRC    (1u << 26)
#define E1000_TCTL_EN       (1u << 1)
#define E1000_TCTL_PSP      (1u << 3)
#define E1000_TCTL_CT(x)    ((uint32_t)(x) << 4)
#define E1000_TCTL_COLD(x)  ((uint32_t)(x) << 12)
/* IPGT 10, IPGR1 8, IPGR2 6: the manual's values for the 82540EM (copper) */
#define E1000_TIPG_82540EM  (10u | (8u << 10) | (6u << 20))
#define E1000_RAH_AV        (1u << 31)

struct e1000_rx_desc {
    uint64_t buffer_addr;
    uint16_t length;
    uint16_t checksum;
    uint8_t  status;
    uint8_t  errors;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy receive descriptor");
#define E1000_RXD_STAT_DD   (1u << 0)
#define E1000_RXD_STAT_EOP  (1u << 1)

struct e1000_tx_desc {
    uint64_t buffer_addr;
    uint16_t length;
    uint8_t  cso;
    uint8_t  cmd;
    uint8_t  status;
    uint8_t  css;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy transmit descriptor");
#define E1000_TXD_CMD_EOP   (1u << 0)
#define E1000_TXD_CMD_IFCS  (1u << 1)
#define E1000_TXD_CMD_RS    (1u << 3)
#define E1000_TXD_STAT_DD   (1u << 0)

#endif
