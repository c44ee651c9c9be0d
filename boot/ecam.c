/* Shared (boot services, host unit tests): see ecam.h. */
#include "boot/ecam.h"
#include "arch/acpi.h"

uint64_t ecam_function_page(const void *mcfg, uint32_t len, uint16_t segment, uint8_t bus,
                            uint8_t dev, uint8_t fn)
{
    const struct acpi_mcfg *t = mcfg;
    if (!t || len < sizeof *t || t->header.length != len || dev > 31 || fn > 7)
        return 0;
    const struct mcfg_allocation *a = (const struct mcfg_allocation *)(t + 1);
    uint32_t count = (len - (uint32_t)sizeof *t) / (uint32_t)sizeof *a;
    for (uint32_t i = 0; i < count; i++)
        if (a[i].segment == segment && bus >= a[i].start_bus && bus <= a[i].end_bus)
            /* ECAM: the base is that of bus 0 even where start_bus is not 0 */
            return a[i].base + ((uint64_t)bus << 20 | (uint64_t)dev << 15 | (uint64_t)fn << 12);
    return 0;
}
