/* hv/x86/ipi_policy.c: which IPIs a guest's ICR write may send. A guest that
 * gets an SMI, an NMI or an INIT to a CPU outside its partition to the
 * hardware can stop that partition or the machine. */
#include "hv/x86/ipi_policy.h"
#include "arch/lapic.h"
#include "unit.h"

static const uint32_t two[] = {0, 1};
static const struct ipi_scope machine = {two, 2, true};
static const uint32_t mine_ids[] = {0, 1};
static const struct ipi_scope part = {mine_ids, 2, false};   /* CPUs 2, 3 are another's */

#define LOW(mode, vec) (((mode) << 8) | (vec) | ICR_LEVEL_ASSERT)

static void test_x2apic_reserved(void)
{
    const char *why = 0;
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40), 1, true, &machine, &why), IPI_SEND);
    /* bit 12 (delivery status) is ignored on Intel, as KVM has it */
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40) | ICR_BUSY, 1, true, &machine, &why),
                 IPI_SEND);
    const uint32_t reserved[] = {1u << 13, 1u << 16, 1u << 17, 1u << 20, 1u << 31};
    for (unsigned i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40) | reserved[i], 1, true, &machine, &why),
                     IPI_FAULT);
        CHECK_CONTAINS(why, "reserved");
        /* through the xAPIC page the APIC ignores them: no fault */
        CHECK(ipi_decide(LOW(ICR_DM_FIXED, 0x40) | reserved[i], 1, false, &machine, &why) !=
              IPI_FAULT);
    }
}

static void test_modes(void)
{
    const char *why = 0;
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_SMI, 0), 1, true, &machine, &why), IPI_DROP);
    CHECK_CONTAINS(why, "SMI");
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_SMI, 0), 1, false, &machine, &why), IPI_DROP);
    CHECK_EQ_U64(ipi_decide(LOW(3, 0), 1, true, &machine, &why), IPI_DROP);
    CHECK_CONTAINS(why, "reserved delivery mode");
    CHECK_EQ_U64(ipi_decide(LOW(7, 0), 1, false, &machine, &why), IPI_DROP);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_NMI, 0), 1, true, &machine, &why), IPI_SEND);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_LOWEST, 0x41), 1, true, &machine, &why), IPI_SEND);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_INIT, 0), 1, true, &machine, &why), IPI_STARTUP);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_STARTUP, 0x9A), 1, false, &machine, &why), IPI_STARTUP);
}

static void test_scope(void)
{
    const char *why = 0;
    /* the whole machine: any destination */
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_NMI, 0) | (ICR_SH_ALL_EXCL_SELF << 18), 0, true,
                            &machine, &why), IPI_SEND);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40), ICR_X2APIC_BROADCAST, true, &machine, &why),
                 IPI_SEND);
    /* a partition: its own CPUs and itself, nothing else */
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_NMI, 0), 1, true, &part, &why), IPI_SEND);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_INIT, 0), 1, true, &part, &why), IPI_STARTUP);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_NMI, 0) | (ICR_SH_SELF << 18), 7, true, &part, &why),
                 IPI_SEND);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_NMI, 0), 2, true, &part, &why), IPI_DROP);
    CHECK_CONTAINS(why, "outside");
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_INIT, 0), 3, true, &part, &why), IPI_DROP);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_STARTUP, 0x10), 3, false, &part, &why), IPI_DROP);
    for (unsigned sh = ICR_SH_ALL_INCL_SELF; sh <= ICR_SH_ALL_EXCL_SELF; sh++)
        CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40) | (sh << 18), 0, true, &part, &why),
                     IPI_DROP);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40), ICR_X2APIC_BROADCAST, true, &part, &why),
                 IPI_DROP);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40), ICR_XAPIC_BROADCAST, false, &part, &why),
                 IPI_DROP);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40) | ICR_DEST_LOGICAL, 1, true, &part, &why),
                 IPI_DROP);
    /* xAPIC destinations are 8 bits: 0x101 is CPU 1 */
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40), 0x101, false, &part, &why), IPI_SEND);
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_FIXED, 0x40), 0x101, true, &part, &why), IPI_DROP);
}

/* broadcast INIT and start-up IPIs are onestone's to route: it delivers
 * them to the sender's own CPUs only (the firmware wakes its APs so),
 * while every other broadcast from a partition is dropped */
static void test_startup_broadcast(void)
{
    const char *why = 0;
    for (unsigned sh = ICR_SH_ALL_INCL_SELF; sh <= ICR_SH_ALL_EXCL_SELF; sh++) {
        CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_INIT, 0) | (sh << 18), 0, false, &part, &why),
                     IPI_STARTUP);
        CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_STARTUP, 0x87) | (sh << 18), 0, true, &part, &why),
                     IPI_STARTUP);
        CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_NMI, 0) | (sh << 18), 0, false, &part, &why),
                     IPI_DROP);
    }
    /* a unicast INIT to another partition's CPU still reaches nobody */
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_INIT, 0), 2, false, &part, &why), IPI_DROP);
    /* nor does an SMI broadcast, even with the whole machine */
    CHECK_EQ_U64(ipi_decide(LOW(ICR_DM_SMI, 0) | (ICR_SH_ALL_EXCL_SELF << 18), 0, false,
                            &machine, &why), IPI_DROP);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_x2apic_reserved();
    test_modes();
    test_scope();
    test_startup_broadcast();
    return unit_finish(argv[0]);
}
