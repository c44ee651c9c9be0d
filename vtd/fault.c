/* Runs in UEFI boot services and VMX root (and VT-d test programs): fault
 * recording (7.2). Every record is decoded, logged, counted per source
 * device and cleared (F is write-1-to-clear); an overflow (PFO) is counted
 * and cleared too, so nothing is lost silently. */
#include "vtd/vtd.h"
#include "vtd/vtd_internal.h"
#include "hv/core/log.h"
#include "arch/io.h"

const char *vtd_fault_reason_name(uint8_t reason)
{
    switch (reason) {
    case VTD_FR_ROOT_NOT_PRESENT: return "root entry not present";
    case VTD_FR_CONTEXT_NOT_PRESENT: return "context entry not present (device blocked)";
    case 0x03: return "invalid context entry";
    case VTD_FR_ADDR_BEYOND_MGAW: return "address beyond the guest address width";
    case VTD_FR_WRITE_DENIED: return "write to a page not mapped writable";
    case VTD_FR_READ_DENIED: return "read of a page not mapped readable";
    case 0x07: return "second-level table walk hit a bad address";
    case VTD_FR_IR_ENTRY_NOT_PRESENT: return "interrupt remapping entry not present";
    case VTD_FR_IR_COMPAT_BLOCKED: return "compatibility-format interrupt blocked";
    case VTD_FR_IR_SID_MISMATCH: return "interrupt from a source the IRTE does not allow";
    case 0x20: return "interrupt index beyond the table";
    case 0x21: return "interrupt table entry unreadable";
    }
    return "unlisted fault reason";
}

static void count_device(struct vtd_unit *u, uint16_t sid)
{
    for (unsigned i = 0; i < u->fault_device_count; i++)
        if (u->fault_devices[i].source_id == sid) {
            u->fault_devices[i].count++;
            return;
        }
    if (u->fault_device_count < VTD_MAX_FAULT_DEVICES) {
        u->fault_devices[u->fault_device_count].source_id = sid;
        u->fault_devices[u->fault_device_count].count = 1;
        u->fault_device_count++;
    }
}

static void keep_last(void *ctx, const struct vtd_fault *f)
{
    *(struct vtd_fault *)ctx = *f;
}

unsigned vtd_fault_poll(struct vtd_unit *u, void (*fn)(void *ctx, const struct vtd_fault *f),
                        void *ctx)
{
    unsigned taken = 0;
    unsigned nfr = VTD_CAP_NFR(u->cap), fro = VTD_CAP_FRO(u->cap);
    uint32_t fsts = vtd_read32(u, VTD_FSTS_REG);
    if (!(fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO)))
        return 0;
    /* walk from the index hardware says holds the first fault, wrapping */
    unsigned first = VTD_FSTS_FRI(fsts) % nfr;
    for (unsigned k = 0; k < nfr; k++) {
        unsigned i = (first + k) % nfr;
        uint64_t hi = vtd_read64(u, fro + 16 * i + 8);
        if (!(hi & VTD_FRCD_HI_F))
            continue;
        uint64_t lo = vtd_read64(u, fro + 16 * i);
        struct vtd_fault f = {
            .source_id = VTD_FRCD_HI_SID(hi),
            .reason = VTD_FRCD_HI_FR(hi),
            .is_read = (hi & VTD_FRCD_HI_T_READ) != 0,
            .address = VTD_FRCD_LO_FI(lo),
        };
        vtd_write64(u, fro + 16 * i + 8, VTD_FRCD_HI_F);
        unsigned slot = (unsigned)(u->faults_total % VTD_LAST_FAULTS);
        u->last_faults[slot] = f;
        u->last_fault_tsc[slot] = rdtsc();
        u->faults_total++;
        count_device(u, f.source_id);
        LOG_WARN_("VT-d fault: device %02x:%02x.%x %s 0x%lx: reason 0x%02x (%s)",
                  f.source_id >> 8, (f.source_id >> 3) & 0x1F, f.source_id & 7,
                  f.is_read ? "read" : "write", (unsigned long)f.address, f.reason,
                  vtd_fault_reason_name(f.reason));
        if (fn)
            fn(ctx, &f);
        taken++;
    }
    if (fsts & VTD_FSTS_PFO) {
        u->faults_overflow++;
        LOG_WARN_("VT-d unit 0x%lx: fault records overflowed; later faults were not recorded "
                  "(overflows so far: %lu)", (unsigned long)u->base, (unsigned long)u->faults_overflow);
    }
    vtd_write32(u, VTD_FSTS_REG, fsts & (VTD_FSTS_PFO | VTD_FSTS_PPF));
    return taken;
}

bool vtd_fault_wait(struct vtd_unit *u, struct vtd_fault *out)
{
    struct vtd_fault last;
    bool seen = false;
    for (unsigned spin = 0; spin < 200 && !seen; spin++) {
        unsigned before = (unsigned)u->faults_total;
        vtd_fault_poll(u, keep_last, &last);
        seen = u->faults_total != before;
        for (volatile unsigned d = 0; !seen && d < 200000; d++)
            ;
    }
    if (seen)
        *out = last;
    return seen;
}
