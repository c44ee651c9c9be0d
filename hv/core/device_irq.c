/* Shared (VMX root, host unit tests): naming a function's interrupt
 * delivery and judging which INTx lines are shared
 * (hv/core/device_report.h). */
#include "hv/core/device_report.h"

const char *device_irq_mode_name(uint8_t mode)
{
    switch (mode) {
    case MGMT_IRQ_MSIX: return "MSI-X";
    case MGMT_IRQ_MSI: return "MSI";
    case MGMT_IRQ_INTX: return "INTx";
    case MGMT_IRQ_INTX_DISABLED: return "INTx (disabled)";
    default: return "none";
    }
}

void device_report_mark_shared(struct mgmt_hc_device *d, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        d[i].intx_sharers = 0;
        if (d[i].irq_mode != MGMT_IRQ_INTX || d[i].intx_line == 0 || d[i].intx_line == 0xFF)
            continue;
        for (unsigned k = 0; k < n; k++)
            if (k != i && d[k].irq_mode == MGMT_IRQ_INTX && d[k].intx_line == d[i].intx_line &&
                d[i].intx_sharers < 255)
                d[i].intx_sharers++;
    }
}
