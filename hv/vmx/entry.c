/* Runs in VMX root (from the relocated copy of onestone.efi inside its
 * reserved memory): the two entry points boot/ calls. hv_prepare builds
 * everything shared (host page tables, EPT, MSR bitmap, per-CPU areas);
 * hv_launch turns the calling CPU into a guest of onestone. */
#include "hv/vmx/entry.h"
#include "hv/vmx/ept_build.h"
#include "hv/vmx/exits/exits.h"
#include "hv/vmx/host_idt.h"
#include "hv/vmx/lapic_emul.h"
#include "hv/core/log.h"
#include "hv/core/console.h"
#include "hv/core/log_ring.h"
#include "hv/vmx/msr_bitmap.h"
#include "hv/core/pool.h"
#include "hv/vmx/vmcs_setup.h"
#include "hv/vmx/vmx_ops.h"
#include "hv/vtd/vtd_faults.h"
#include "hv/core/mgmt_hypercall.h"
#include "hv/core/pci_cfg.h"
#include "arch/ept.h"
#include "arch/io.h"

/* Kept in the image so a guest test can prove it cannot read onestone's
 * memory: this string must never show up in what a guest reads. */
__attribute__((used)) const char onestone_image_marker[] = "onestone-hv-image-marker:7c1e";

struct hv_plan *hv_plan;
struct percpu *hv_cpus;
bool hv_log_every_exit;
uint64_t hv_host_cr3;
struct vmx_controls hv_controls;
struct pgtable hv_ept;
void *hv_sink_page;

extern int vmx_do_launch(void);
extern int vmx_launch_regs(const struct guest_regs *regs);
static struct pgtable mgmt_ept;

int hv_cpu_index_by_apic(uint32_t apic_id)
{
    for (uint32_t i = 0; hv_plan && i < hv_plan->cpu_count; i++)
        if (hv_plan->cpus[i].apic_id == apic_id)
            return (int)i;
    return -1;
}

/* the calling CPU by its APIC id, -1 if not one of the plan's: log lines
 * come before this CPU's own state (GS) is set up too */
static int calling_cpu_index(void)
{
    return hv_cpu_index_by_apic(cpuid(1, 0).ebx >> 24);
}

/* every line onestone writes from VMX root, also kept in its own memory */
struct log_ring hv_log_ring;

static void keep_line(const char *line, size_t len)
{
    int idx = calling_cpu_index();
    log_ring_append(&hv_log_ring, rdtsc(), idx < 0 ? 0xFFFF : (uint16_t)idx, line, len);
}

static int cpu_prefix(char *buf, size_t cap)
{
    int idx = calling_cpu_index();
    if (idx < 0)
        return 0;
    size_t n = fmt_snprintf(buf, cap, "cpu%d: ", idx);
    return (int)(n < cap ? n : cap - 1);
}

static void setup_gdt(struct percpu *cpu)
{
    uint64_t tss = (uint64_t)(uintptr_t)&cpu->tss;
    uint64_t limit = sizeof cpu->tss - 1;
    cpu->gdt.null = 0;
    cpu->gdt.code64 = 0x00AF9B000000FFFFull;    /* L=1, P, DPL0, code RX, accessed */
    cpu->gdt.data = 0x00CF93000000FFFFull;      /* P, DPL0, data RW, accessed */
    cpu->gdt.tss_low = (limit & 0xFFFF) | ((tss & 0xFFFFFF) << 16) |
                       (0x89ull << 40) | ((tss >> 24) & 0xFF) << 56;
    cpu->gdt.tss_high = tss >> 32;
    cpu->tss.iomap_base = sizeof cpu->tss;
}

static int prepare_cpus(struct hv_plan *plan)
{
    uint64_t bytes = plan->cpu_count * sizeof(struct percpu);
    hv_cpus = pool_alloc_pages((bytes + 0xFFF) / 0x1000);
    if (!hv_cpus)
        return -HV_ENOMEM;
    for (uint32_t i = 0; i < plan->cpu_count; i++) {
        struct percpu *cpu = &hv_cpus[i];
        void *vmxon = pool_alloc_pages(1), *vmcs = pool_alloc_pages(1);
        void *stack = pool_alloc_pages(HOST_STACK_SIZE / 0x1000);
        if (!vmxon || !vmcs || !stack)
            return -HV_ENOMEM;
        cpu->self = cpu;
        cpu->index = i;
        cpu->apic_id = plan->cpus[i].apic_id;
        cpu->is_bsp = plan->cpus[i].is_bsp != 0;
        cpu->vpid = (uint16_t)(i + 1);
        cpu->vmxon_pa = (uint64_t)(uintptr_t)vmxon;
        cpu->vmcs_pa = (uint64_t)(uintptr_t)vmcs;
        cpu->host_stack_top = (uint64_t)(uintptr_t)stack + HOST_STACK_SIZE;
        cpu->cr0_must_be_one = plan->cr0_fixed0 & ~(CR0_PE | CR0_PG);
        cpu->cr0_may_be_one = plan->cr0_fixed1;
        cpu->cr4_must_be_one = plan->cr4_fixed0;
        cpu->cr4_may_be_one = plan->cr4_fixed1;
        uint32_t revision = (uint32_t)(plan->vmx.basic & VMX_BASIC_REVISION_MASK);
        *(uint32_t *)vmxon = revision;
        *(uint32_t *)vmcs = revision;
        setup_gdt(cpu);
        cpu->part = &hv_partitions[0];
        if (plan->cpus[i].partition == PLAN_PARTITION_MGMT) {
            void *loan = pool_alloc_pages(1);
            if (!loan)
                return -HV_ENOMEM;
            *(uint32_t *)loan = (uint32_t)(plan->vmx.basic & VMX_BASIC_REVISION_MASK);
            cpu->loan_vmcs_pa = (uint64_t)(uintptr_t)loan;
            cpu->part = &hv_partitions[1];
            cpu->part_index = plan->cpus[i].mgmt_index;
        }
        cpu->part->cpu_count++;
        cpu->cpuid_policy = (struct cpuid_policy){
            .hide_hypervisor = plan->config.hide_hypervisor,
            .rdtscp_enabled = (hv_controls.proc2 & PROC2_ENABLE_RDTSCP) != 0,
            .invpcid_enabled = (hv_controls.proc2 & PROC2_ENABLE_INVPCID) != 0,
            .xsaves_enabled = (hv_controls.proc2 & PROC2_ENABLE_XSAVES) != 0,
            .cpu_index = i,
            .cpu_count = plan->cpu_count,
        };
    }
    return 0;
}

/* The management partition's address space: its RAM at partition address
 * 0 (write-back, large pages where aligned) and its devices' memory BARs
 * at their machine addresses (uncached); nothing else. */
static int build_mgmt_partition(struct hv_plan *plan, bool ept_1g)
{
    const struct plan_mgmt *m = &plan->mgmt;
    struct partition *p = &hv_partitions[1];
    p->kind = PARTITION_MGMT;
    p->name = "mgmt";
    p->state = PARTITION_RUNNING;
    p->mem_bytes = m->mem_size;
    p->mem_hpa = m->mem_hpa;
    p->sees_only_listed = true;
    if (pgtable_init(&mgmt_ept, ept_1g ? &ept_format_1g : &ept_format_2m,
                     &pool_pgtable_allocator) ||
        pgtable_map(&mgmt_ept, 0, m->mem_hpa, m->mem_size,
                    EPT_RWX | ((uint64_t)MTRR_TYPE_WB << EPT_MEMTYPE_SHIFT), 2))
        return -HV_ENOMEM;
    for (uint32_t d = 0; d < m->device_count; d++) {
        const struct plan_device *dev = &m->devices[d];
        p->pci_bdf[p->pci_count++] = plan_device_bdf(dev);
        for (uint32_t b = 0; b < dev->bar_count; b++)
            if (pgtable_map(&mgmt_ept, dev->bars[b].base, dev->bars[b].base, dev->bars[b].size,
                            EPT_READ | EPT_WRITE | ((uint64_t)MTRR_TYPE_UC << EPT_MEMTYPE_SHIFT),
                            1))
                return -HV_ENOMEM;
    }
    p->gpa_map = &mgmt_ept;
    p->gpa_map_pointer = mgmt_ept.root_pa | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
    /* every MSR exits (the partition gets #GP): a bitmap of all ones */
    uint8_t *msrs = pool_alloc_pages(1);
    if (!msrs)
        return -HV_ENOMEM;
    for (int i = 0; i < 4096; i++)
        msrs[i] = 0xFF;
    p->msr_bitmap_pa = (uint64_t)(uintptr_t)msrs;
    hv_partition_count = 2;
    return 0;
}

/* With a management partition, onestone owns the console UART and its
 * first CPU serves the console (hv/core/console.h): it needs the
 * VMX-preemption timer, without which COM1 stays the log it was. */
static int claim_console(struct hv_plan *plan)
{
    if (!plan->config.console_port)
        return 0;
    if (!vmcs_mgmt_has_watchdog()) {
        LOG_WARN_("console: not served: the CPUs have no VMX-preemption timer with its save "
                  "control; the serial port carries the log only, and the primary keeps it");
        return 0;
    }
    if (console_setup(plan->config.console_port))
        LOG_WARN_("console: not served: onestone's page pool has no room for its buffers "
                  "(%lu KiB); the serial port carries the log only, and the primary keeps it",
                  (unsigned long)(CONSOLE_POOL_BYTES(plan->cpu_count) / 1024));
    return 0;
}

/* The primary partition must not reach the functions another partition
 * owns: it traps the PCI configuration ports and those functions' I/O
 * BARs (I/O bitmaps, everything else direct). Their memory BARs and ECAM
 * pages are protected ranges, left out of its EPT. */
static int conceal_devices_from_primary(struct hv_plan *plan)
{
    struct partition *p = &hv_partitions[0];
    const struct plan_mgmt *m = &plan->mgmt;
    for (uint32_t d = 0; d < m->device_count; d++)
        p->pci_bdf[p->pci_count++] = plan_device_bdf(&m->devices[d]);
    bool console = console_owns(plan->config.console_port);
    if (!p->pci_count && !console)
        return 0;
    uint8_t *a = pool_alloc_pages(1), *b = pool_alloc_pages(1);
    if (!a || !b)
        return -HV_ENOMEM;
    /* the console UART's eight registers: the primary's stand-in */
    for (unsigned port = plan->config.console_port; console && port < plan->config.console_port + 8u;
         port++)
        a[port / 8] |= (uint8_t)(1u << (port % 8));
    for (unsigned port = PCI_CFG_ADDRESS_PORT; port < PCI_CFG_DATA_PORT + 4; port++)
        a[port / 8] |= (uint8_t)(1u << (port % 8));
    for (uint32_t d = 0; d < m->device_count; d++)
        for (uint32_t i = 0; i < m->devices[d].io_bar_count; i++) {
            uint32_t base = m->devices[d].io_bars[i].base, size = m->devices[d].io_bars[i].size;
            if (p->concealed_port_count == PARTITION_CONCEALED_PORTS_MAX)
                return -HV_EINVAL;
            p->concealed_ports[p->concealed_port_count].base = (uint16_t)base;
            p->concealed_ports[p->concealed_port_count].size = (uint16_t)size;
            p->concealed_port_count++;
            for (uint32_t port = base; port < base + size && port <= 0xFFFF; port++) {
                uint8_t *bitmap = port < 0x8000 ? a : b;
                bitmap[(port & 0x7FFF) / 8] |= (uint8_t)(1u << (port % 8));
            }
        }
    p->io_bitmap_pa[0] = (uint64_t)(uintptr_t)a;
    p->io_bitmap_pa[1] = (uint64_t)(uintptr_t)b;
    return 0;
}

int hv_prepare(struct hv_plan *plan)
{
    if (plan->magic != PLAN_MAGIC)
        return -HV_EINVAL;
    hv_plan = plan;
    log_setup(plan->config.console_port, plan->config.log_level);
    log_set_prefix(cpu_prefix);
    log_set_mirror(NULL);           /* the boot side's mirror calls firmware */
    pool_init(plan->pool_base, plan->pool_end);
    void *ring = pool_alloc_pages(HV_LOG_RING_BYTES / 0x1000);
    if (!ring)
        return -HV_ENOMEM;
    log_ring_init(&hv_log_ring, ring, HV_LOG_RING_BYTES);
    log_set_keeper(keep_line);
    hv_log_every_exit = plan->config.log_level >= LOG_DEBUG;

    vmx_choose_controls(&plan->vmx, plan->cpuid_rdtscp, plan->cpuid_invpcid,
                        plan->cpuid_xsaves, &hv_controls);

    hv_start_tsc = rdtsc();
    hv_partitions[0] = (struct partition){ .kind = PARTITION_PRIMARY, .name = "primary",
                                           .state = PARTITION_RUNNING };
    hv_partition_count = 1;
    int rc = prepare_cpus(plan);
    if (rc)
        return rc;

    /* host page tables: everything, identity, 1 GiB pages if the CPU has them */
    struct pgtable host;
    bool host_1g = (cpuid(0x80000001, 0).edx & (1u << 26)) != 0;
    if (pgtable_init(&host, host_1g ? &host_format : &host_format_2m,
                     &pool_pgtable_allocator) ||
        host_build_identity(&host, plan->map_top))
        return -HV_ENOMEM;
    hv_host_cr3 = host.root_pa;

    /* the primary partition's EPT: identity minus onestone's memory */
    /* ... and with the xAPIC page read+execute: writes are emulated
     * (hv/vmx/lapic_emul.h); executing it (whatever the registers decode to)
     * is the guest's business, as on hardware */
    lapic_emul_init(rdmsr(MSR_IA32_APIC_BASE));
    struct memrange_list ept_holes = plan->protected_ranges;
    memrange_add(&ept_holes, lapic_emul_page(), lapic_emul_page() + 0x1000);
    bool ept_1g = (plan->vmx.ept_vpid & VMX_EPT_1GB_PAGE) != 0;
    if (pgtable_init(&hv_ept, ept_1g ? &ept_format_1g : &ept_format_2m,
                     &pool_pgtable_allocator) ||
        ept_build_identity(&hv_ept, &ept_holes, plan->map_top, &plan->mtrr) ||
        pgtable_map(&hv_ept, lapic_emul_page(), lapic_emul_page(), 0x1000,
                    EPT_READ | EPT_EXECUTE | (MTRR_TYPE_UC << EPT_MEMTYPE_SHIFT), 1))
        return -HV_ENOMEM;
    hv_eptp = hv_ept.root_pa | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;

    void *bitmap = pool_alloc_pages(1);
    hv_sink_page = pool_alloc_pages(1);
    if (!bitmap || !hv_sink_page)
        return -HV_ENOMEM;
    msr_bitmap_build(bitmap);
    hv_msr_bitmap_pa = (uint64_t)(uintptr_t)bitmap;
    hv_partitions[0].gpa_map = &hv_ept;
    hv_partitions[0].gpa_map_pointer = hv_eptp;
    hv_partitions[0].msr_bitmap_pa = hv_msr_bitmap_pa;
    if (plan->mgmt.present) {
        if ((rc = build_mgmt_partition(plan, ept_1g)) || (rc = claim_console(plan)) ||
            (rc = conceal_devices_from_primary(plan)))
            return rc;
        LOG_INF("partition mgmt: %u CPU(s), %lu MiB at machine address 0x%lx, %u device(s), "
                "EPT %lu tables", hv_partitions[1].cpu_count,
                (unsigned long)(plan->mgmt.mem_size >> 20), (unsigned long)plan->mgmt.mem_hpa,
                plan->mgmt.device_count, mgmt_ept.tables_used);
    }
    uint8_t *sink = hv_sink_page;
    for (int i = 0; i < 4096; i++)
        sink[i] = 0xFF;

    host_idt_init();
    exits_init();
    /* VT-d is turned on by boot/ after this; hv_launch arms the polling */
    LOG_INF("hypervisor prepared: EPT %lu tables (%s pages), host tables %lu, pool %lu KiB used, %lu KiB free",
            hv_ept.tables_used, ept_1g ? "1G" : "2M", host.tables_used,
            pool_used_bytes() / 1024, pool_free_bytes() / 1024);
    return 0;
}

int hv_launch(uint64_t cpu_index, uint64_t resume_rsp, uint64_t resume_rip)
{
    if (!hv_plan || cpu_index >= hv_plan->cpu_count)
        return -HV_EINVAL;
    struct percpu *cpu = &hv_cpus[cpu_index];
    struct launch_context ctx = { resume_rsp, resume_rip, 0 };
    vtd_faults_enabled = hv_plan->vtd_unit_count > 0;      /* set by boot/iommu_launch.c */
    __asm__ volatile("pushfq; pop %0; cli" : "=r"(ctx.rflags) : : "memory");

    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    write_cr0((cr0 | cpu->cr0_must_be_one | CR0_PE | CR0_PG) & cpu->cr0_may_be_one);
    write_cr4((cr4 | cpu->cr4_must_be_one) & cpu->cr4_may_be_one);

    int err;
    uint64_t field = 0;
    if (!vmxon(cpu->vmxon_pa)) {
        err = HV_EVMXON;
        goto undo_cr;
    }
    if (!vmclear(cpu->vmcs_pa) || !vmptrld(cpu->vmcs_pa)) {
        err = HV_EVMCS;
        goto undo_vmxon;
    }
    /* flush anything cached for this VPID/EPTP by an earlier run */
    invept(INVEPT_ALL_CONTEXT, 0);
    invvpid(INVVPID_SINGLE_CONTEXT, cpu->vpid, 0);
    if (cpu->part->kind == PARTITION_MGMT) {
        /* this CPU leaves the firmware for good: it starts the partition */
        struct guest_regs regs;
        field = vmcs_setup_mgmt(cpu, &regs);
        if (field) {
            err = HV_EVMWRITE;
            goto undo_vmxon;
        }
        LOG_INF("starts the management partition (its CPU %u) at 0x%lx", cpu->part_index,
                hv_plan->mgmt.entry);
        volatile uint32_t *flag = (volatile uint32_t *)(uintptr_t)hv_plan->mgmt.launch_flags_pa;
        cpu->launched = true;
        if (flag)
            flag[cpu_index] = 1;
        vmx_launch_regs(&regs);      /* returns only on failure */
        if (flag)
            flag[cpu_index] = 2;
    } else {
        field = vmcs_setup(cpu, &ctx);
        if (field) {
            err = HV_EVMWRITE;
            goto undo_vmxon;
        }
        cpu->launched = true;
        vmx_do_launch();             /* returns only on failure */
    }
    cpu->launched = false;
    err = HV_ELAUNCH;
    field = vmread(VMCS_INSTR_ERROR);

undo_vmxon:
    __asm__ volatile("vmxoff" : : : "cc");
undo_cr:
    write_cr4(cr4);
    write_cr0(cr0);
    LOG_ERR("cpu%lu: launch failed: %s (detail 0x%lx)", cpu_index, hv_error_name(err), field);
    if (ctx.rflags & RFLAGS_IF)
        __asm__ volatile("sti");
    return -err;
}

const char *hv_error_name(int err)
{
    switch (err < 0 ? -err : err) {
    case HV_ENOMEM:   return "onestone's reserved pool is exhausted";
    case HV_EINVAL:   return "invalid plan or CPU index";
    case HV_EVMXON:   return "VMXON failed";
    case HV_EVMCS:    return "VMCLEAR/VMPTRLD failed";
    case HV_EVMWRITE: return "VMWRITE failed (field in detail)";
    case HV_ELAUNCH:  return "VMLAUNCH failed (VM-instruction error in detail)";
    }
    return "unknown error";
}
