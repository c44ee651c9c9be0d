/* Host unit test: vtd/fault.c against a fake register block. QEMU models
 * a single fault record and never overflows, so the multi-record walk
 * (NFR > 1, starting at FSTS.FRI and wrapping), the overflow bit and the
 * per-device counting are checked here. */
#include "unit.h"
#include "vtd/vtd.h"

static uint64_t regs[512];          /* 4 KiB of "registers" */

static void put64(unsigned off, uint64_t v)
{
    memcpy((uint8_t *)regs + off, &v, 8);
}

static uint64_t get64(unsigned off)
{
    uint64_t v;
    memcpy(&v, (uint8_t *)regs + off, 8);
    return v;
}

static void put32(unsigned off, uint32_t v)
{
    memcpy((uint8_t *)regs + off, &v, 4);
}

static struct vtd_fault seen[8];
static unsigned nseen;

static void collect(void *ctx, const struct vtd_fault *f)
{
    (void)ctx;
    if (nseen < 8)
        seen[nseen] = *f;
    nseen++;
}

#define FRO 0x200u
static uint64_t frcd_hi(uint16_t sid, uint8_t reason, bool read)
{
    return VTD_FRCD_HI_F | ((uint64_t)reason << 32) | sid | (read ? VTD_FRCD_HI_T_READ : 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    struct vtd_unit u;
    memset(&u, 0, sizeof u);
    u.regs = (volatile uint8_t *)regs;
    u.coherent = true;
    /* NFR field 3 = 4 records, FRO field 0x20 = offset 0x200 */
    u.cap = ((uint64_t)3 << 40) | ((uint64_t)(FRO / 16) << 24);

    /* nothing pending: nothing taken, nothing written */
    CHECK_EQ_U64(vtd_fault_poll(&u, collect, NULL), 0);

    /* records 2, 3 and 0 hold faults (FRI = 2: the walk wraps); 1 is empty */
    put64(FRO + 16 * 2, 0x1234000);
    put64(FRO + 16 * 2 + 8, frcd_hi(0x0010, VTD_FR_WRITE_DENIED, false));
    put64(FRO + 16 * 3, 0x5678000);
    put64(FRO + 16 * 3 + 8, frcd_hi(0x0010, VTD_FR_READ_DENIED, true));
    put64(FRO + 16 * 0, 0x9000000);
    put64(FRO + 16 * 0 + 8, frcd_hi(0x0300, VTD_FR_CONTEXT_NOT_PRESENT, true));
    put32(VTD_FSTS_REG, VTD_FSTS_PPF | VTD_FSTS_PFO | (2u << 8));
    nseen = 0;
    CHECK_EQ_U64(vtd_fault_poll(&u, collect, NULL), 3);
    CHECK_EQ_U64(nseen, 3);
    /* oldest first: FRI, then onwards */
    CHECK_EQ_U64(seen[0].address, 0x1234000);
    CHECK_EQ_U64(seen[0].reason, VTD_FR_WRITE_DENIED);
    CHECK(!seen[0].is_read);
    CHECK_EQ_U64(seen[1].address, 0x5678000);
    CHECK(seen[1].is_read);
    CHECK_EQ_U64(seen[2].source_id, 0x0300);
    /* each record is cleared by writing F back (write-1-to-clear) */
    CHECK_EQ_U64(get64(FRO + 16 * 2 + 8), VTD_FRCD_HI_F);
    CHECK_EQ_U64(get64(FRO + 16 * 3 + 8), VTD_FRCD_HI_F);
    CHECK_EQ_U64(get64(FRO + 16 * 0 + 8), VTD_FRCD_HI_F);
    CHECK_EQ_U64(get64(FRO + 16 * 1 + 8), 0);
    /* overflow counted; per-device counts: 00:02.0 twice, 03:00.0 once */
    CHECK_EQ_U64(u.faults_total, 3);
    CHECK_EQ_U64(u.faults_overflow, 1);
    CHECK_EQ_U64(u.fault_device_count, 2);
    CHECK_EQ_U64(u.fault_devices[0].source_id, 0x0010);
    CHECK_EQ_U64(u.fault_devices[0].count, 2);
    CHECK_EQ_U64(u.fault_devices[1].count, 1);
    /* the log names device, direction, address and reason */
    CHECK_CONTAINS(host_uart_out, "device 00:02.0 write 0x1234000: reason 0x05");
    CHECK_CONTAINS(host_uart_out, "overflowed");

    /* reason names for the ones operators meet */
    CHECK_CONTAINS(vtd_fault_reason_name(VTD_FR_IR_COMPAT_BLOCKED), "compatibility");
    CHECK_CONTAINS(vtd_fault_reason_name(0xEE), "unlisted");
    return unit_finish(argv[0]);
}
