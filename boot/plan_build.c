/* Runs in UEFI boot services: platform facts for the plan (memory-map top,
 * physical address width, MTRRs, VMX fixed bits, CPUID features) and the
 * size of onestone's page pool. */
#include "boot/acpi_s5.h"
#include "hv/core/console.h"
#include "boot/boot.h"
#include "arch/io.h"
#include "arch/x86.h"
#include "hv/core/log.h"

static void collect_mtrr(struct mtrr_state *m)
{
    SetMem(m, sizeof *m, 0);
    if (!(cpuid(1, 0).edx & CPUID1_EDX_MTRR))
        return;
    uint64_t cap = rdmsr(MSR_IA32_MTRRCAP);
    uint64_t def = rdmsr(MSR_IA32_MTRR_DEF_TYPE);
    m->enabled = (def >> 11) & 1;
    m->fixed_enabled = ((def >> 10) & 1) && ((cap >> 8) & 1);
    m->default_type = (uint8_t)(def & 0xFF);
    if (m->fixed_enabled) {
        static const uint32_t fixed_msrs[11] = {
            MSR_IA32_MTRR_FIX64K_00000, MSR_IA32_MTRR_FIX16K_80000, MSR_IA32_MTRR_FIX16K_A0000,
            MSR_IA32_MTRR_FIX4K_C0000, MSR_IA32_MTRR_FIX4K_C0000 + 1, MSR_IA32_MTRR_FIX4K_C0000 + 2,
            MSR_IA32_MTRR_FIX4K_C0000 + 3, MSR_IA32_MTRR_FIX4K_C0000 + 4,
            MSR_IA32_MTRR_FIX4K_C0000 + 5, MSR_IA32_MTRR_FIX4K_C0000 + 6,
            MSR_IA32_MTRR_FIX4K_C0000 + 7,
        };
        for (int i = 0; i < 11; i++) {
            uint64_t v = rdmsr(fixed_msrs[i]);
            for (int b = 0; b < 8; b++)
                m->fixed[i * 8 + b] = (uint8_t)(v >> (8 * b));
        }
    }
    m->variable_count = (unsigned)(cap & 0xFF);
    if (m->variable_count > MTRR_MAX_VARIABLE)
        m->variable_count = MTRR_MAX_VARIABLE;
    for (unsigned i = 0; i < m->variable_count; i++) {
        m->variable[i].base = rdmsr(MSR_IA32_MTRR_PHYSBASE0 + 2 * i);
        m->variable[i].mask = rdmsr(MSR_IA32_MTRR_PHYSMASK0 + 2 * i);
    }
}

/* Highest address in the UEFI memory map, so RAM and firmware-described
 * MMIO are inside the identity map from the start. */
static UINT64 memory_map_top(void)
{
    UINTN entries, key, desc_size;
    UINT32 desc_version;
    EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &desc_size, &desc_version);
    UINT64 top = 0;
    if (!map)
        return 0;
    for (UINTN i = 0; i < entries; i++) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * desc_size);
        UINT64 end = d->PhysicalStart + d->NumberOfPages * 0x1000;
        if (end > top)
            top = end;
    }
    FreePool(map);
    return top;
}

UINT64 plan_map_top(unsigned phys_bits)
{
    UINT64 top = memory_map_top();
    if (top < (4ull << 30))
        top = 4ull << 30;           /* the 32-bit MMIO hole and firmware flash */
    top = (top + (1ull << 30) - 1) & ~((1ull << 30) - 1);
    if (phys_bits && phys_bits < 64 && top > (1ull << phys_bits))
        top = 1ull << phys_bits;
    return top;
}

UINT64 plan_pool_bytes(UINT64 map_top, UINT32 cpus, BOOLEAN ept_1g)
{
    UINT64 gib = map_top >> 30;
    /* per identity map: PDs (none with 1 GiB pages), PDPTs, PML4, and
     * page tables where onestone's memory splits a 2 MiB page */
    UINT64 tables = (ept_1g ? 0 : gib) + (gib / 512) + 2 + 8;
    UINT64 per_cpu = 2 * 0x1000 + 16 * 1024 + 0x1000;   /* VMXON, VMCS, stack, percpu */
    /* + bitmaps, sink, lazy maps; a management partition's EPT (its RAM in
     * large pages, a few BAR pages), MSR bitmap and the primary's I/O
     * bitmaps; the log ring; the serial console's buffers */
    return 2 * tables * 0x1000 + cpus * per_cpu + 64 * 0x1000 + 32 * 0x1000 +
           HV_LOG_RING_BYTES + CONSOLE_POOL_BYTES(cpus);
}

void plan_collect_platform(struct hv_plan *plan)
{
    struct cpuid_regs ext = cpuid(0x80000000, 0);
    plan->phys_addr_bits = ext.eax >= 0x80000008 ? (cpuid(0x80000008, 0).eax & 0xFF) : 36;
    collect_mtrr(&plan->mtrr);
    plan->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    plan->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    plan->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    plan->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    plan->cpuid_xsave = (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) != 0;
    plan->cpuid_invpcid = (cpuid(7, 0).ebx & CPUID7_EBX_INVPCID) != 0;
    plan->cpuid_xsaves = plan->cpuid_xsave && (cpuid(0xD, 1).eax & CPUIDD1_EAX_XSAVES) != 0;
    plan->cpuid_rdtscp = ext.eax >= 0x80000001 &&
                         (cpuid(0x80000001, 0).edx & CPUID80000001_EDX_RDTSCP) != 0;
    acpi_s5_collect(&plan->poweroff);
}
