/* Runs as a guest (the EFI test guest): what a hostile or buggy kernel
 * does to the machine, each of which must fault the guest the way bare
 * hardware would, never onestone (which must keep running: the case then
 * also checks that onestone logged no error and did not reset):
 *   - writes to onestone's memory, then reads of it: all-ones, always;
 *   - WRMSR to the x2APIC ICR while the APIC is in xAPIC mode: #GP;
 *   - MSRs outside the MSR bitmap's ranges and VMX MSRs inside them: #GP;
 *   - XSETBV with invalid indices and values: #GP (#UD without OSXSAVE);
 *   - CR0/CR4 writes with reserved bits: #GP. */
#include <efi.h>
#include <efilib.h>
#include "arch/io.h"
#include "arch/lapic.h"
#include "arch/x86.h"
#include "guest/testguest/hostile.h"
#include "guest/testguest/probe.h"

static uint64_t lcg_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return lcg_state >> 11;
}

static BOOLEAN page_all_ones(const volatile uint64_t *q)
{
    for (unsigned k = 0; k < 512; k++)
        if (q[k] != ~0ull)
            return FALSE;
    return TRUE;
}

static uint64_t read_sized(volatile uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: return *(volatile uint16_t *)p;
    case 4: return *(volatile uint32_t *)p;
    default: return *(volatile uint64_t *)p;
    }
}

/* base, pages: a region of onestone's memory (EfiReservedMemoryType,
 * all-ones when read) */
static void protected_writes(uint64_t base, uint64_t pages)
{
    unsigned ops = 4000, reads = 0, ones = 0, writes = 0, faulted = 0;
    for (unsigned i = 0; i < ops; i++) {
        uint64_t r = next_random();
        unsigned size = 1u << (r & 3);
        uint64_t page = (r >> 2) % pages;
        uint64_t off = ((r >> 24) % 4096) & ~(uint64_t)(size - 1);
        volatile uint8_t *p = (volatile uint8_t *)(UINTN)(base + page * 4096 + off);
        if ((r >> 40) & 1) {
            writes++;
            faulted += probe_store(p, next_random(), size) != 0;
        } else {
            reads++;
            uint64_t want = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
            ones += read_sized(p, size) == want;
        }
    }
    /* an immediate store, then every page of the region read back */
    faulted += probe_store_imm32((volatile uint32_t *)(UINTN)(base + 64)) != 0;
    uint64_t ones_pages = 0;
    for (uint64_t pg = 0; pg < pages; pg++)
        ones_pages += page_all_ones((const volatile uint64_t *)(UINTN)(base + pg * 4096));
    Print(L"testguest: onestone's memory at 0x%lx: %d writes (%d faulted), then %d of %d reads "
          L"gave all-ones, %ld of %ld pages all-ones\n", base, writes, faulted, ones, reads,
          ones_pages, pages);
    result(faulted == 0 && ones == reads && ones_pages == pages,
           L"writes to onestone's memory are dropped: it reads as all-ones afterwards");
    /* a read-modify-write onestone does not decode: the guest faults */
    uint32_t rmw = probe_add64((volatile uint64_t *)(UINTN)(base + 128));
    BOOLEAN still = page_all_ones((const volatile uint64_t *)(UINTN)base);
    Print(L"testguest: ADD to onestone's memory -> vector %d; page still all-ones: %d\n", rmw,
          still);
    result(rmw == VECTOR_GP && still,
           L"a read-modify-write of onestone's memory raises #GP and changes nothing");
}

static void msr_probes(void)
{
    uint64_t apic_base = 0, v = 0, pat = 0;
    probe_rdmsr(MSR_IA32_APIC_BASE, &apic_base);
    BOOLEAN xapic = !(apic_base & APIC_BASE_X2APIC_ENABLE);
    /* the probe that reset the platform: a random ICR value in xAPIC mode */
    uint32_t icr = probe_wrmsr(0x830, 0x000000FF000C4500ull ^ next_random());
    uint32_t icr_read = probe_rdmsr(0x830, &v);
    uint32_t out_r = probe_rdmsr(0x40000000, &v);
    uint32_t out_w = probe_wrmsr(0x40000000, 0x1234);
    uint32_t out_hi = probe_rdmsr(0xC0002000, &v);
    uint32_t out_w2 = probe_wrmsr(0x4B564D01, 0x1001);      /* KVM's clock MSR number */
    uint32_t vmx_w = probe_wrmsr(0x480, 0);
    uint32_t pat_r = probe_rdmsr(MSR_IA32_PAT, &pat);
    uint32_t pat_w = probe_wrmsr(MSR_IA32_PAT, pat);
    Print(L"testguest: APIC in %s mode; WRMSR x2APIC ICR -> %d, RDMSR -> %d; MSR 0x40000000 "
          L"read %d write %d; 0xC0002000 read %d; 0x4B564D01 write %d; VMX_BASIC write %d; "
          L"PAT read %d write-back %d\n", xapic ? L"xAPIC" : L"x2APIC", icr, icr_read, out_r,
          out_w, out_hi, out_w2, vmx_w, pat_r, pat_w);
    result(xapic && icr == VECTOR_GP && icr_read == VECTOR_GP,
           L"x2APIC ICR access in xAPIC mode raises #GP, as on hardware");
    result(out_r == VECTOR_GP && out_w == VECTOR_GP && out_hi == VECTOR_GP &&
           out_w2 == VECTOR_GP && vmx_w == VECTOR_GP,
           L"MSRs outside the bitmap ranges and VMX MSRs raise #GP");
    result(pat_r == 0 && pat_w == 0, L"an MSR the guest owns reads and writes back unharmed");
}

static void xsetbv_probes(void)
{
    uint64_t cr4 = read_cr4();
    BOOLEAN has_xsave = (cpuid(1, 0).ecx >> 26) & 1;
    if (!has_xsave) {
        result(FALSE, L"XSETBV probes need a CPU with XSAVE");
        return;
    }
    uint32_t ud = 0;
    if (!(cr4 & CR4_OSXSAVE))
        ud = probe_xsetbv(0, 1);                  /* OSXSAVE still clear */
    else {
        probe_write_cr4(cr4 & ~CR4_OSXSAVE);
        ud = probe_xsetbv(0, 1);
    }
    probe_write_cr4(cr4 | CR4_OSXSAVE);
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    uint64_t xcr0 = ((uint64_t)hi << 32) | lo;
    uint32_t idx1 = probe_xsetbv(1, xcr0);
    uint32_t idx_big = probe_xsetbv(0x80000000u, xcr0);
    uint32_t no_x87 = probe_xsetbv(0, xcr0 & ~1ull);
    uint32_t avx_no_sse = probe_xsetbv(0, 5);
    uint32_t unsup = probe_xsetbv(0, xcr0 | (1ull << 62));
    uint32_t mpx_half = probe_xsetbv(0, xcr0 | (1ull << 3));
    uint32_t same = probe_xsetbv(0, xcr0);
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    uint64_t after = ((uint64_t)hi << 32) | lo;
    probe_write_cr4(cr4);
    Print(L"testguest: XSETBV without OSXSAVE -> %d; XCR1 -> %d; XCR 0x80000000 -> %d; XCR0 "
          L"without x87 -> %d, AVX without SSE -> %d, bit 62 -> %d, MPX half -> %d, "
          L"0x%lx again -> %d (XCR0 now 0x%lx)\n", ud, idx1, idx_big, no_x87, avx_no_sse, unsup,
          mpx_half, xcr0, same, after);
    result(ud == VECTOR_UD, L"XSETBV with CR4.OSXSAVE clear raises #UD");
    result(idx1 == VECTOR_GP && idx_big == VECTOR_GP && no_x87 == VECTOR_GP &&
           avx_no_sse == VECTOR_GP && unsup == VECTOR_GP && mpx_half == VECTOR_GP,
           L"XSETBV with invalid indices and values raises #GP");
    result(same == 0 && after == xcr0, L"a valid XSETBV still works and invalid ones changed nothing");
}

static void control_register_probes(void)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    uint32_t cr4_31 = probe_write_cr4(cr4 | (1ull << 31));
    uint32_t cr4_40 = probe_write_cr4(cr4 | (1ull << 40));
    uint32_t cr4_vmxe_rsvd = probe_write_cr4(cr4 | CR4_VMXE | (1ull << 31));
    uint32_t cr0_40 = probe_write_cr0(cr0 | (1ull << 40));
    uint32_t cr0_nw = probe_write_cr0((cr0 | CR0_NW) & ~CR0_CD);
    BOOLEAN unchanged = read_cr0() == cr0 && read_cr4() == cr4;
    Print(L"testguest: CR4 bit 31 -> %d, bit 40 -> %d, VMXE+bit 31 -> %d; CR0 bit 40 -> %d, "
          L"NW without CD -> %d; unchanged %d\n", cr4_31, cr4_40, cr4_vmxe_rsvd, cr0_40, cr0_nw,
          unchanged);
    result(cr4_31 == VECTOR_GP && cr4_40 == VECTOR_GP && cr4_vmxe_rsvd == VECTOR_GP &&
           cr0_40 == VECTOR_GP && cr0_nw == VECTOR_GP && unchanged,
           L"CR0 and CR4 writes with reserved bits raise #GP and change nothing");
}

void check_hostile(uint64_t protected_base, uint64_t protected_pages)
{
    probe_idt_enter();
    if (protected_pages)
        protected_writes(protected_base, protected_pages);
    else
        result(FALSE, L"writes to onestone's memory are dropped (no region of it found)");
    msr_probes();
    xsetbv_probes();
    control_register_probes();
    probe_idt_leave();
    Print(L"testguest: hostile probes done; onestone still runs this guest\n");
}
