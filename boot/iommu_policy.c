/* Runs in UEFI boot services: the `iommu` policy of onestone.conf, checked
 * before anything is changed. `required` (the default) refuses to start
 * without usable VT-d and says why; `off` starts without DMA protection
 * and says so loudly (for emulators without an IOMMU, such as Bochs). */
#include "boot/boot.h"
#include "boot/acpi_find.h"
#include "hv/core/log.h"
#include "vtd/dmar.h"
#include "vtd/vtd.h"

static struct dmar_info dmar;

const struct dmar_info *iommu_dmar(void)
{
    return &dmar;
}

const char *iommu_policy_check(const struct onestone_config *c, char *why, size_t cap)
{
    if (c->iommu == IOMMU_OFF) {
        LOG_WARN_("iommu = off: VT-d is not used: every device can DMA anywhere, onestone's "
                  "memory included (meant for emulators without an IOMMU)");
        return NULL;
    }
    const struct acpi_sdt_header *t = acpi_find_table("DMAR");
    if (!t)
        return "iommu = required but the firmware has no DMAR table (enable VT-d in the "
               "firmware setup, or set iommu = off)";
    char err[160];
    if (dmar_parse(t, t->length, &dmar, err, sizeof err)) {
        fmt_snprintf(why, cap, "iommu = required but the DMAR table is unusable: %s", err);
        return why;
    }
    for (unsigned i = 0; i < dmar.unit_count; i++) {
        struct vtd_unit probe;
        if (vtd_unit_probe(&probe, dmar.units[i].base, NULL, err, sizeof err)) {
            fmt_snprintf(why, cap, "iommu = required but a VT-d unit is refused: %s", err);
            return why;
        }
        LOG_INF("VT-d unit %u at 0x%lx: CAP 0x%lx ECAP 0x%lx", i,
                (unsigned long)dmar.units[i].base, (unsigned long)probe.cap,
                (unsigned long)probe.ecap);
    }
    if (!dmar.unit_count)
        return "iommu = required but the DMAR table lists no remapping unit";
    return NULL;                        /* boot/iommu_launch.c programs the units */
}
