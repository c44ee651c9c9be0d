/* Shared (VMX root, host unit tests): see ipi_policy.h. */
#include "hv/x86/ipi_policy.h"
#include "arch/lapic.h"

static bool in_scope(const struct ipi_scope *s, uint32_t low, uint32_t dest, bool x2apic)
{
    if (s->whole_machine)
        return true;
    switch (ICR_SHORTHAND(low)) {
    case ICR_SH_SELF:
        return true;
    case ICR_SH_NONE:
        break;
    default:
        return false;               /* a broadcast reaches other partitions */
    }
    /* logical destinations can name any CPU; physical ones are checked */
    if (low & ICR_DEST_LOGICAL)
        return false;
    if (!x2apic)
        dest &= 0xFF;
    if (dest == (x2apic ? ICR_X2APIC_BROADCAST : ICR_XAPIC_BROADCAST))
        return false;
    for (unsigned i = 0; i < s->count; i++)
        if (s->apic_ids[i] == dest)
            return true;
    return false;
}

enum ipi_action ipi_decide(uint32_t low, uint32_t dest, bool x2apic,
                           const struct ipi_scope *scope, const char **why)
{
    if (x2apic && (low & ICR_X2APIC_RESERVED)) {
        *why = "reserved x2APIC ICR bits set";
        return IPI_FAULT;
    }
    unsigned mode = ICR_DELIVERY_MODE(low);
    switch (mode) {
    case ICR_DM_SMI:
        *why = "SMI IPIs are not sent: SMM belongs to the firmware, not to a partition";
        return IPI_DROP;
    case 3:
    case 7:
        *why = "reserved delivery mode";
        return IPI_DROP;
    default:
        break;
    }
    bool startup = mode == ICR_DM_INIT || mode == ICR_DM_STARTUP;
    bool broadcast = ICR_SHORTHAND(low) == ICR_SH_ALL_INCL_SELF ||
                     ICR_SHORTHAND(low) == ICR_SH_ALL_EXCL_SELF;
    /* a broadcast INIT or start-up IPI is routed by onestone to the
     * sender's own CPUs only (the firmware wakes its APs that way) */
    if (startup && broadcast) {
        *why = 0;
        return IPI_STARTUP;
    }
    if (!in_scope(scope, low, dest, x2apic)) {
        *why = "destination outside the sender's partition";
        return IPI_DROP;
    }
    *why = 0;
    return startup ? IPI_STARTUP : IPI_SEND;
}
