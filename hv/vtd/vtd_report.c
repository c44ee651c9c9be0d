/* Runs in VMX root: the console's `iommu` answer (hv/core/arch.h):
 * the VT-d units boot set up, the DMA domains (1: the primary partition,
 * every device but the management partition's; 2: the management
 * partition's devices, its memory only), fault counts per unit and per
 * device, and each unit's last faults. */
#include "hv/core/arch.h"
#include "hv/core/console_cmd.h"
#include "hv/core/log.h"
#include "vtd/vtd.h"
#include "arch/io.h"

static void put_bdf(struct text_out *o, uint16_t sid)
{
    char b[16];
    fmt_snprintf(b, sizeof b, "%02x:%02x.%x", sid >> 8, (sid >> 3) & 0x1F, sid & 7);
    text_out_str(o, b);
}

static void put_fault(struct text_out *o, const struct vtd_fault *f, uint64_t tsc, bool json)
{
    char b[160];
    uint64_t ago_ms = (rdtsc() - tsc) / hv_tsc_per_ms();
    if (json) {
        text_out_str(o, "{\"device\":\"");
        put_bdf(o, f->source_id);
        fmt_snprintf(b, sizeof b,
                     "\",\"access\":\"%s\",\"address\":\"0x%lx\",\"reason\":%u,"
                     "\"reason_text\":",
                     f->is_read ? "read" : "write", (unsigned long)f->address, f->reason);
        text_out_str(o, b);
        console_json_str(o, vtd_fault_reason_name(f->reason));
        fmt_snprintf(b, sizeof b, ",\"ago_ms\":%lu}", (unsigned long)ago_ms);
        text_out_str(o, b);
        return;
    }
    text_out_str(o, "    ");
    put_bdf(o, f->source_id);
    fmt_snprintf(b, sizeof b, " %s 0x%lx: %s (%lu ms ago)\r\n", f->is_read ? "read" : "write",
                 (unsigned long)f->address, vtd_fault_reason_name(f->reason),
                 (unsigned long)ago_ms);
    text_out_str(o, b);
}

static void put_domains(struct text_out *o, bool json)
{
    const struct plan_mgmt *m = &hv_plan->mgmt;
    if (json) {
        text_out_str(o, "{\"domain\":1,\"partition\":\"primary\",\"devices\":\"all others\"}\r\n");
        if (!m->present)
            return;
        text_out_str(o, "{\"domain\":2,\"partition\":\"mgmt\",\"devices\":[");
        for (uint32_t d = 0; d < m->device_count; d++) {
            text_out_str(o, d ? ",\"" : "\"");
            put_bdf(o, plan_device_bdf(&m->devices[d]));
            text_out_str(o, "\"");
        }
        text_out_str(o, "]}\r\n");
        return;
    }
    text_out_str(o, "domain 1: primary partition: every device but the management partition's\r\n");
    if (!m->present)
        return;
    text_out_str(o, "domain 2: mgmt partition, its memory only:");
    for (uint32_t d = 0; d < m->device_count; d++) {
        text_out_str(o, " ");
        put_bdf(o, plan_device_bdf(&m->devices[d]));
    }
    text_out_str(o, "\r\n");
}

void arch_iommu_report(struct text_out *o, bool json)
{
    char b[200];
    if (!hv_plan->vtd_unit_count) {
        if (json)
            text_out_str(o, "{\"iommu\":\"off\",\"units\":0}\r\n");
        else
            text_out_str(o, "iommu: off: no VT-d unit is in use (onestone.conf iommu = off, or "
                            "the firmware lists none); devices reach all memory\r\n");
        return;
    }
    for (uint32_t i = 0; i < hv_plan->vtd_unit_count; i++) {
        const struct vtd_unit *u = &hv_plan->vtd_units[i];
        if (json) {
            fmt_snprintf(b, sizeof b,
                         "{\"unit\":\"0x%lx\",\"levels\":%u,\"queued_invalidation\":%s,"
                         "\"interrupt_remapping\":%s,\"faults\":%lu,\"overflows\":%lu,"
                         "\"fault_devices\":[",
                         (unsigned long)u->base, u->levels,
                         u->queued_invalidation ? "true" : "false", u->irt ? "true" : "false",
                         (unsigned long)u->faults_total, (unsigned long)u->faults_overflow);
            text_out_str(o, b);
            for (unsigned d = 0; d < u->fault_device_count; d++) {
                text_out_str(o, d ? ",{\"device\":\"" : "{\"device\":\"");
                put_bdf(o, u->fault_devices[d].source_id);
                fmt_snprintf(b, sizeof b, "\",\"faults\":%lu}",
                             (unsigned long)u->fault_devices[d].count);
                text_out_str(o, b);
            }
            text_out_str(o, "],\"last_faults\":[");
        } else {
            fmt_snprintf(b, sizeof b,
                         "unit 0x%lx: %u-level tables, queued invalidation %s, "
                         "interrupt remapping %s; %lu faults, %lu overflows\r\n",
                         (unsigned long)u->base, u->levels, u->queued_invalidation ? "on" : "off",
                         u->irt ? "on" : "off", (unsigned long)u->faults_total,
                         (unsigned long)u->faults_overflow);
            text_out_str(o, b);
            for (unsigned d = 0; d < u->fault_device_count; d++) {
                text_out_str(o, "  device ");
                put_bdf(o, u->fault_devices[d].source_id);
                fmt_snprintf(b, sizeof b, ": %lu faults\r\n",
                             (unsigned long)u->fault_devices[d].count);
                text_out_str(o, b);
            }
            if (u->faults_total)
                text_out_str(o, "  last faults, oldest first:\r\n");
        }
        uint64_t n = u->faults_total < VTD_LAST_FAULTS ? u->faults_total : VTD_LAST_FAULTS;
        for (uint64_t k = 0; k < n; k++) {
            unsigned slot = (unsigned)((u->faults_total - n + k) % VTD_LAST_FAULTS);
            if (json && k)
                text_out_str(o, ",");
            put_fault(o, &u->last_faults[slot], u->last_fault_tsc[slot], json);
        }
        if (json)
            text_out_str(o, "]}\r\n");
    }
    put_domains(o, json);
}
