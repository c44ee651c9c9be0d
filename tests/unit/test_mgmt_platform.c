/* boot/mgmt_platform.c: a [mgmt] section checked against the machine.
 * Giving the partition a bridge, a function that does not exist, one that
 * is ambiguous, every CPU or more memory than there is must be refused by
 * the config line, before anything is taken from the primary partition. */
#include "boot/mgmt_platform.h"
#include "unit.h"

static struct platform_facts facts;

static void add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                uint8_t header, uint8_t cls, uint8_t sub)
{
    facts.functions[facts.function_count++] = (struct pci_function_fact){
        .bus = bus, .dev = dev, .fn = fn, .vendor = vendor, .device = device,
        .header_type = header, .class_code = cls, .subclass = sub };
}

/* an i440FX machine like Bochs's, with two e1000s and a PCI bridge */
static void machine(void)
{
    memset(&facts, 0, sizeof facts);
    facts.cpu_count = 3;
    facts.free_memory = 480ull << 20;
    add(0, 0, 0, 0x8086, 0x1237, 0, 0x06, 0x00);     /* host bridge */
    add(0, 1, 0, 0x8086, 0x7000, 0x80, 0x06, 0x01);  /* ISA bridge */
    add(0, 1, 1, 0x8086, 0x7010, 0, 0x01, 0x01);     /* IDE */
    add(0, 2, 0, 0x1234, 0x1111, 0, 0x03, 0x00);     /* VGA */
    add(0, 3, 0, 0x8086, 0x100e, 0, 0x02, 0x00);     /* e1000 */
    add(0, 4, 0, 0x8086, 0x100e, 0, 0x02, 0x00);     /* a second one */
    add(0, 5, 0, 0x8086, 0x244e, 1, 0x06, 0x04);     /* PCI-to-PCI bridge */
    add(1, 0, 0, 0x10ec, 0x8168, 0, 0x02, 0x00);     /* behind it */
}

static struct mgmt_config mgmt(void)
{
    struct mgmt_config m = { .present = true, .line = 5, .cpus = 1, .memory = 64ull << 20,
                             .checkpoint = 2ull << 20, .cpus_line = 7, .memory_line = 8,
                             .devices_line = 9 };
    return m;
}

static struct device_ref at(uint8_t bus, uint8_t dev, uint8_t fn)
{
    return (struct device_ref){ .kind = DEVICE_BY_ADDRESS, .bus = bus, .dev = dev, .fn = fn };
}

static struct device_ref id(uint16_t v, uint16_t d)
{
    return (struct device_ref){ .kind = DEVICE_BY_ID, .vendor = v, .device = d };
}

static void refused(struct mgmt_config *m, unsigned line, const char *want, int src)
{
    unsigned res[CONFIG_DEVICES_MAX];
    struct config_error err;
    int rc = mgmt_platform_check(m, &facts, res, &err);
    if (!CHECK_EQ_U64(rc, (uint64_t)-1) || !CHECK_EQ_U64(err.line, line) ||
        !CHECK_STREQ(err.message, want))
        printf("  (case at line %d)\n", src);
}
#define REFUSED(m, line, want) refused(&(m), (line), (want), __LINE__)

int main(int argc, char **argv)
{
    (void)argc;
    machine();
    unsigned res[CONFIG_DEVICES_MAX];
    struct config_error err;

    struct mgmt_config m = mgmt();
    m.devices[m.device_count++] = at(0, 3, 0);
    m.devices[m.device_count++] = id(0x10ec, 0x8168);
    if (CHECK_EQ_U64(mgmt_platform_check(&m, &facts, res, &err), 0)) {
        CHECK_EQ_U64(res[0], 4);
        CHECK_EQ_U64(res[1], 7);
    } else {
        printf("  (%s)\n", err.message);
    }

    m = mgmt();
    m.devices[m.device_count++] = at(0, 3, 0);
    m.cpus = 3;
    REFUSED(m, 7, "cpus: 3 of this machine's 3 CPUs: at least one must stay with the "
                  "primary partition");
    m.cpus = 1;
    m.memory = 256ull << 20;
    REFUSED(m, 8, "memory: 256M, but the firmware reports 480M free and the primary "
                  "partition keeps at least 256M");
    m.memory = 64ull << 30;
    REFUSED(m, 8, "memory: 65536M, but the firmware reports 480M free and the primary "
                  "partition keeps at least 256M");

    m = mgmt();
    m.devices[m.device_count++] = at(0, 9, 0);
    REFUSED(m, 9, "devices: 00:09.0: no PCI function there on this machine");
    m.devices[0] = id(0x8086, 0x10d3);
    REFUSED(m, 9, "devices: 8086:10d3: no such device on this machine");
    m.devices[0] = id(0x8086, 0x100e);
    REFUSED(m, 9, "devices: 8086:100e matches 2 functions (00:03.0, 00:04.0): name one by "
                  "its address");
    m.devices[0] = at(0, 0, 0);
    REFUSED(m, 9, "devices: 00:00.0 (00:00.0) is a host bridge: only endpoint functions can "
                  "be given to a partition");
    m.devices[0] = id(0x8086, 0x7000);
    REFUSED(m, 9, "devices: 8086:7000 (00:01.0) is a bridge: only endpoint functions can be "
                  "given to a partition");
    m.devices[0] = at(0, 5, 0);
    REFUSED(m, 9, "devices: 00:05.0 (00:05.0) is a bridge: only endpoint functions can be "
                  "given to a partition");
    m.devices[0] = at(0, 3, 0);
    m.devices[m.device_count++] = id(0x8086, 0x100e);
    REFUSED(m, 9, "devices: 8086:100e matches 2 functions (00:03.0, 00:04.0): name one by "
                  "its address");
    m.devices[1] = at(0, 4, 0);
    CHECK_EQ_U64(mgmt_platform_check(&m, &facts, res, &err), 0);
    m.devices[1] = id(0x10ec, 0x8168);
    m.devices[m.device_count++] = at(1, 0, 0);
    REFUSED(m, 9, "devices: 01:00.0 is 01:00.0, which is listed already");
    m = mgmt();
    struct device_ref seg1 = at(0, 3, 0);
    seg1.segment = 1;
    m.devices[m.device_count++] = seg1;
    REFUSED(m, 9, "devices: 0001:00:03.0: no PCI function there on this machine");
    return unit_finish(argv[0]);
}
