/* hv/core/device_irq.c: which INTx lines are shared. A missed share hides
 * the first link of the HDMI-audio failure; a false one cries wolf. */
#include "hv/core/device_report.h"
#include "unit.h"

int main(int argc, char **argv)
{
    (void)argc;
    struct mgmt_hc_device d[6] = {
        { .dev = 1, .irq_mode = MGMT_IRQ_INTX, .intx_pin = 1, .intx_line = 11 },
        { .dev = 2, .irq_mode = MGMT_IRQ_INTX, .intx_pin = 1, .intx_line = 11 },
        { .dev = 3, .irq_mode = MGMT_IRQ_MSI, .intx_pin = 1, .intx_line = 11 },     /* MSI: off the line */
        { .dev = 4, .irq_mode = MGMT_IRQ_INTX_DISABLED, .intx_pin = 2, .intx_line = 11 },
        { .dev = 5, .irq_mode = MGMT_IRQ_INTX, .intx_pin = 4, .intx_line = 0xFF },  /* unknown line */
        { .dev = 6, .irq_mode = MGMT_IRQ_INTX, .intx_pin = 4, .intx_line = 10 },
    };
    device_report_mark_shared(d, 6);
    CHECK_EQ_U64(d[0].intx_sharers, 1);
    CHECK_EQ_U64(d[1].intx_sharers, 1);
    CHECK_EQ_U64(d[2].intx_sharers, 0);
    CHECK_EQ_U64(d[3].intx_sharers, 0);
    CHECK_EQ_U64(d[4].intx_sharers, 0);
    CHECK_EQ_U64(d[5].intx_sharers, 0);
    d[5].intx_line = 11;
    device_report_mark_shared(d, 6);
    CHECK_EQ_U64(d[0].intx_sharers, 2);
    CHECK_EQ_U64(d[5].intx_sharers, 2);
    CHECK_STREQ(device_irq_mode_name(MGMT_IRQ_MSIX), "MSI-X");
    CHECK_STREQ(device_irq_mode_name(MGMT_IRQ_INTX_DISABLED), "INTx (disabled)");
    CHECK_STREQ(device_irq_mode_name(99), "none");
    return unit_finish(argv[0]);
}
