/* hv/core/partition.c and hv/core/pci_cfg.c's pure rule: which PCI
 * functions a partition reaches and which of its addresses are its own
 * RAM. A wrong answer shows another partition's device or memory. */
#include "hv/core/partition.h"
#include "unit.h"

static void test_pci_visibility(void)
{
    struct partition primary = { .kind = PARTITION_PRIMARY, .pci_count = 1,
                                 .pci_bdf = { 0x0010 } };           /* 00:02.0 hidden */
    struct partition mgmt = { .kind = PARTITION_MGMT, .sees_only_listed = true, .pci_count = 1,
                              .pci_bdf = { 0x0010 } };
    CHECK(!partition_sees_pci(&primary, 0x0010));
    CHECK(partition_sees_pci(&primary, 0x0008));                    /* 00:01.0 */
    CHECK(partition_sees_pci(&primary, 0x0011));                    /* 00:02.1 */
    CHECK(partition_sees_pci(&mgmt, 0x0010));
    CHECK(!partition_sees_pci(&mgmt, 0x0008));
    CHECK(!partition_sees_pci(&mgmt, 0x0000));                      /* the host bridge */
    struct partition none = { .kind = PARTITION_MGMT, .sees_only_listed = true };
    CHECK(!partition_sees_pci(&none, 0x0010));
}

static void test_ram(void)
{
    struct partition m = { .kind = PARTITION_MGMT, .mem_bytes = 64u << 20,
                           .mem_hpa = 0x17e00000 };
    CHECK_EQ_U64(partition_ram_to_machine(&m, 0x1000, 328), 0x17e01000);
    CHECK_EQ_U64(partition_ram_to_machine(&m, (64u << 20) - 8, 8), 0x17e00000 + (64u << 20) - 8);
    CHECK_EQ_U64(partition_ram_to_machine(&m, (64u << 20) - 8, 9), 0);    /* one byte past */
    CHECK_EQ_U64(partition_ram_to_machine(&m, 64u << 20, 1), 0);
    CHECK_EQ_U64(partition_ram_to_machine(&m, ~0ull - 4, 8), 0);          /* wraps */
    CHECK_EQ_U64(partition_ram_to_machine(&m, 0, ~0ull), 0);
    struct partition p = { .kind = PARTITION_PRIMARY };
    CHECK_EQ_U64(partition_ram_to_machine(&p, 0x1000, 8), 0);
}

/* the e1000's I/O BAR (0xC000, 64 ports) concealed from the primary */
static void test_concealed_ports(void)
{
    struct partition p = { .kind = PARTITION_PRIMARY, .concealed_port_count = 2,
                           .concealed_ports = { { 0xC000, 0x40 }, { 0xFFF0, 0x10 } } };
    CHECK(partition_port_concealed(&p, 0xC000, 4));
    CHECK(partition_port_concealed(&p, 0xC03F, 1));
    CHECK(!partition_port_concealed(&p, 0xC040, 4));
    CHECK(!partition_port_concealed(&p, 0xBFFC, 4));
    CHECK(partition_port_concealed(&p, 0xBFFE, 4));        /* overlaps the first port */
    CHECK(partition_port_concealed(&p, 0xFFFF, 1));        /* the last port of the space */
    CHECK(!partition_port_concealed(&p, 0xCF8, 4));
    struct partition none = { .kind = PARTITION_PRIMARY };
    CHECK(!partition_port_concealed(&none, 0xC000, 4));
}

int main(int argc, char **argv)
{
    (void)argc;
    test_pci_visibility();
    test_ram();
    test_concealed_ports();
    return unit_finish(argv[0]);
}
