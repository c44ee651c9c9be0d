/* Runs in UEFI boot services: QEMU's edu test device (see edu.c). */
#ifndef DRIVERS_EDU_H
#define DRIVERS_EDU_H

#include <stdbool.h>
#include <stdint.h>

#define EDU_VENDOR_DEVICE 0x11e81234u
#define EDU_DMA_SRC   0x80
#define EDU_DMA_DST   0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD   0x98
#define EDU_RAISE_IRQ 0x60
#define EDU_BUFFER    0x40000ull          /* the device's buffer, as a DMA address */
#define EDU_CMD_START 1u
#define EDU_CMD_TO_RAM 2u

struct edu {
    uint8_t bus, dev, fn;
    volatile uint8_t *bar0;
};

/* Finds the device on bus 0 and enables memory space and bus mastering. */
bool edu_find(struct edu *e);
/* The n-th (from 0) on bus 0, the same way. */
bool edu_find_nth(struct edu *e, unsigned n);
uint16_t edu_sid(const struct edu *e);
/* One DMA, waited for (edu completes on a 100 ms virtual timer). */
bool edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint64_t count, uint32_t cmd);
/* RAM -> device buffer -> RAM (256 bytes). */
bool edu_copy(struct edu *e, uint64_t from_iova, uint64_t to_iova);
/* Programs the MSI capability and makes the device send one MSI. */
bool edu_send_msi(struct edu *e, uint64_t address, uint16_t data);
/* MSI address in the VT-d remappable format for `handle`. */
uint64_t msi_remappable(unsigned handle);

#endif
