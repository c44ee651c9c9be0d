/* Runs as a guest (UEFI boot services, chain-loaded by onestone): checks,
 * from inside, what onestone promises an unmodified OS, and prints one
 * PASS:/FAIL: line per check on the serial console plus a summary, then
 * powers the machine off. Load options: "expect=visible" (default),
 * "expect=hidden" (onestone.conf has hide_hypervisor = yes) or
 * "expect=native" (onestone refused to start; the firmware booted this
 * program itself, so there must be no hypervisor at all) or
 * "expect=triple-fault" (makes this CPU triple-fault: onestone must log it
 * and reset the platform) or "expect=partition" (the visible checks, then
 * what a primary partition beside the management partition must see:
 * guest/testguest/partition.c; it then keeps running, printing a progress
 * counter, until the harness stops the machine). */
#include <efi.h>
#include <efilib.h>
#include "onestone/efi_mp_services.h"
#include "onestone/hvabi.h"
#include "onestone/mgmt_abi.h"
#include "arch/io.h"
#include "arch/x86.h"
#include "guest/testguest/probe.h"
#include "guest/testguest/hostile.h"
#include "guest/testguest/partition.h"

static unsigned passed, failed;
static BOOLEAN expect_hidden, expect_native, expect_triple_fault, expect_partition;

void result(BOOLEAN ok, const CHAR16 *what)
{
    Print(L"%s: %s\n", ok ? L"PASS" : L"FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

static BOOLEAN signature_present(void)
{
    struct cpuid_regs r = cpuid(ONESTONE_CPUID_SIGNATURE, 0);
    return r.ebx == ONESTONE_SIGNATURE_EBX && r.ecx == ONESTONE_SIGNATURE_ECX &&
           r.edx == ONESTONE_SIGNATURE_EDX;
}

static BOOLEAN hypervisor_bit(void)
{
    return (cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR) != 0;
}

/* ---- per-CPU probe through MP services ---- */
#define MAX_CPUS 64
struct cpu_view {
    BOOLEAN ran, signature, hv_bit, vmx_bit, cr4_vmxe;
    UINT32 hv_cpu_index;
};
static struct cpu_view views[MAX_CPUS];
static BOOLEAN cpu_enabled[MAX_CPUS];
static UINTN cpus_enabled;
static EFI_MP_SERVICES_PROTOCOL *mp;

static void probe_this_cpu(struct cpu_view *v)
{
    v->signature = signature_present();
    v->hv_bit = hypervisor_bit();
    v->vmx_bit = (cpuid(1, 0).ecx & CPUID1_ECX_VMX) != 0;
    v->cr4_vmxe = (read_cr4() & CR4_VMXE) != 0;
    v->hv_cpu_index = cpuid(ONESTONE_CPUID_INFO, 0).ecx;
    v->ran = TRUE;
}

static VOID EFIAPI ap_probe(VOID *arg)
{
    (void)arg;
    UINTN n = 0;
    mp->WhoAmI(mp, &n);
    if (n < MAX_CPUS)
        probe_this_cpu(&views[n]);
}

static UINTN probe_all_cpus(void)
{
    EFI_GUID guid = EFI_MP_SERVICES_PROTOCOL_GUID;
    UINTN count = 1, enabled = 1, me = 0;
    if (!EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &guid, NULL, (void **)&mp))) {
        mp->GetNumberOfProcessors(mp, &count, &enabled);
        mp->WhoAmI(mp, &me);
    }
    if (count > MAX_CPUS)
        count = MAX_CPUS;
    cpus_enabled = 0;
    for (UINTN i = 0; i < count; i++) {
        EFI_PROCESSOR_INFORMATION info;
        cpu_enabled[i] = !mp || (!EFI_ERROR(mp->GetProcessorInfo(mp, i, &info)) &&
                                 (info.StatusFlag & PROCESSOR_ENABLED_BIT));
        cpus_enabled += cpu_enabled[i];
    }
    Print(L"testguest: MP services: %d processors, %d enabled\n", count, cpus_enabled);
    probe_this_cpu(&views[me]);
    if (mp && count > 1) {
        EFI_STATUS st = mp->StartupAllAPs(mp, ap_probe, FALSE, NULL, 10000000, NULL, NULL);
        Print(L"testguest: StartupAllAPs on %d APs: status %r\n", count - 1, st);
    }
    return count;
}

/* ---- onestone's memory must not be readable ---- */
static BOOLEAN contains(const UINT8 *p, UINTN len, const UINT8 *needle, UINTN n)
{
    for (UINTN i = 0; i + n <= len; i++)
        if (p[i] == needle[0] && CompareMem(p + i, needle, n) == 0)
            return TRUE;
    return FALSE;
}

static uint64_t hidden_base, hidden_pages;    /* a region of onestone's memory */

static void check_reserved_memory(void)
{
    /* The marker onestone keeps in its image (hv/vmx/entry.c), assembled at
     * run time so this program does not contain it as one string. */
    UINT8 marker[32];
    const char *a = "onestone-hv-", *b = "image-marker:7c1e";
    UINTN n = 0;
    for (const char *s = a; *s; s++) marker[n++] = (UINT8)*s;
    for (const char *s = b; *s; s++) marker[n++] = (UINT8)*s;

    UINTN entries, key, desc_size;
    UINT32 desc_version;
    EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &desc_size, &desc_version);
    BOOLEAN leaked = FALSE, hidden_region = FALSE;
    UINTN regions = 0;
    for (UINTN i = 0; map && i < entries; i++) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * desc_size);
        if (d->Type != EfiReservedMemoryType || d->PhysicalStart < 0x100000)
            continue;
        regions++;
        const UINT8 *p = (const UINT8 *)(UINTN)d->PhysicalStart;
        UINTN len = d->NumberOfPages * 4096;
        BOOLEAN found = contains(p, len, marker, n);
        UINTN ones_pages = 0;
        for (UINTN pg = 0; pg < d->NumberOfPages; pg++) {
            const UINT64 *q = (const UINT64 *)(p + pg * 4096);
            UINTN k = 0;
            while (k < 512 && q[k] == ~0ull)
                k++;
            if (k == 512)
                ones_pages++;
        }
        Print(L"testguest: reserved region 0x%lx-0x%lx: %d of %d pages read as all-ones, "
              L"onestone marker %a\n", d->PhysicalStart, d->PhysicalStart + len - 1,
              ones_pages, d->NumberOfPages, found ? "FOUND" : "absent");
        if (found)
            leaked = TRUE;
        if (ones_pages == d->NumberOfPages && d->NumberOfPages >= 16) {
            hidden_region = TRUE;
            hidden_base = d->PhysicalStart;
            hidden_pages = d->NumberOfPages;
        }
    }
    if (map)
        FreePool(map);
    result(regions > 0 && !leaked && hidden_region,
           L"onestone's reserved memory reads as all-ones and reveals none of its image");
}

static void check_faults(void)
{
    probe_idt_enter();

    uint64_t v = 0, fc = 0;
    uint32_t basic = probe_rdmsr(0x480, &v);                 /* IA32_VMX_BASIC */
    uint32_t fc_read = probe_rdmsr(0x3A, &fc);               /* IA32_FEATURE_CONTROL */
    uint32_t fc_write = probe_wrmsr(0x3A, fc | 4);
    uint32_t cr4 = probe_write_cr4(read_cr4() | CR4_VMXE);
    uint32_t vmxon = probe_vmxon();
    uint32_t vmcall = probe_vmcall(0x1234);
    uint32_t mgmt_hc = probe_vmcall(MGMT_HC_STATUS);

    probe_idt_leave();
    Print(L"testguest: rdmsr VMX_BASIC -> vector %d; FEATURE_CONTROL = 0x%lx (vector %d), "
          L"write -> %d; CR4.VMXE write -> %d; VMXON -> %d; foreign VMCALL -> %d; "
          L"management hypercall -> %d\n",
          basic, fc, fc_read, fc_write, cr4, vmxon, vmcall, mgmt_hc);
    result(basic == VECTOR_GP, L"reading a VMX capability MSR raises #GP, as on a CPU without VMX");
    result(fc_read == 0 && (fc & 1) && !(fc & 6) && fc_write == VECTOR_GP,
           L"IA32_FEATURE_CONTROL reads locked with VMX off and cannot be written");
    result(cr4 == VECTOR_GP && !(read_cr4() & CR4_VMXE), L"setting CR4.VMXE raises #GP");
    result(vmxon == VECTOR_UD && vmcall == VECTOR_UD,
           L"VMXON and a VMCALL that is not onestone's raise #UD");
    result(mgmt_hc == VECTOR_UD,
           L"the management partition's hypercalls raise #UD in this partition");
}

/* ---- benchmark: CPUID round trips measured in the guest ---- */
static void bench_cpuid(void)
{
    const unsigned loops = 1000;
    UINT64 t0 = rdtsc();
    for (unsigned i = 0; i < loops; i++)
        cpuid(0, 0);
    UINT64 t1 = rdtsc();
    for (unsigned i = 0; i < loops; i++)
        __asm__ volatile("lfence");
    UINT64 t2 = rdtsc();
    Print(L"BENCH: cpuid_exit_round_trip_ticks=%ld loop_overhead_ticks=%ld loops=%d\n",
          (t1 - t0) / loops, (t2 - t1) / loops, loops);
}

static BOOLEAN has_option(const CHAR16 *opts, UINT32 bytes, const CHAR16 *want)
{
    UINTN n = StrLen((CHAR16 *)want), len = bytes / sizeof(CHAR16);
    for (UINTN i = 0; i + n <= len; i++)
        if (CompareMem(opts + i, want, n * sizeof(CHAR16)) == 0)
            return TRUE;
    return FALSE;
}

/* The firmware booted this program without onestone: it must see a bare
 * CPU (no signature, no hypervisor bit) that still has VMX. */
static EFI_STATUS native_checks(void)
{
    Print(L"testguest: started natively (onestone refused)\n");
    result(!signature_present() && !hypervisor_bit(),
           L"no hypervisor: the firmware booted this guest natively after onestone refused");
    Print(L"testguest: %d passed, %d failed\n", passed, failed);
    Print(L"TESTGUEST-END\n");
    uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
    return EFI_SUCCESS;
}

/* gnu-efi's crt0 calls efi_main with the SysV convention, not EFIAPI */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    InitializeLib(image, systab);
    EFI_LOADED_IMAGE *li = NULL;
    if (!EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
                                     (void **)&li)) && li->LoadOptions) {
        const CHAR16 *opts = li->LoadOptions;
        expect_hidden = has_option(opts, li->LoadOptionsSize, L"expect=hidden");
        expect_native = has_option(opts, li->LoadOptionsSize, L"expect=native");
        expect_triple_fault = has_option(opts, li->LoadOptionsSize, L"expect=triple-fault");
        expect_partition = has_option(opts, li->LoadOptionsSize, L"expect=partition");
    }
    /* which disk and partition this copy was loaded from (the boot_volume
     * tests put one on each disk) */
    if (li && li->DeviceHandle) {
        CHAR16 *from = DevicePathToStr(DevicePathFromHandle(li->DeviceHandle));
        if (from) {
            Print(L"testguest: loaded from %s\n", from);
            FreePool(from);
        }
    }
    if (expect_native)
        return native_checks();
    if (expect_triple_fault) {
        /* an empty IDT: the breakpoint cannot be delivered, nor can the
         * #GP or #DF that follow, so the CPU shuts down (triple fault) */
        Print(L"testguest: triggering a triple fault\n");
        struct descriptor_table_reg empty = { 0, 0 };
        __asm__ volatile("cli; lidt %0; int3" : : "m"(empty));
    }
    Print(L"testguest: started, expecting the hypervisor to be %s\n",
          expect_hidden ? L"hidden" : L"visible");

    UINTN cpus = probe_all_cpus();
    BOOLEAN all_ran = TRUE, all_sig = TRUE, no_vmx = TRUE, hidden_ok = TRUE, bit_ok = TRUE;
    for (UINTN i = 0; i < cpus; i++) {
        struct cpu_view *v = &views[i];
        if (!cpu_enabled[i]) {
            Print(L"testguest: cpu%d is disabled in MP services\n", i);
            continue;
        }
        Print(L"testguest: cpu%d ran=%d signature=%d hypervisor-bit=%d vmx-bit=%d cr4.vmxe=%d "
              L"onestone-cpu-index=%d\n", i, v->ran, v->signature, v->hv_bit, v->vmx_bit,
              v->cr4_vmxe, v->hv_cpu_index);
        all_ran &= v->ran;
        all_sig &= v->signature;
        bit_ok &= v->hv_bit;
        no_vmx &= v->ran && !v->vmx_bit && !v->cr4_vmxe;
        hidden_ok &= v->ran && !v->signature && !v->hv_bit;
    }
    if (!expect_hidden) {
        result(all_sig && bit_ok, L"every CPU runs in VMX non-root (onestone signature leaf and hypervisor bit)");
    } else {
        result(hidden_ok, L"hide_hypervisor hides the hypervisor bit and the 0x40000000 leaves on every CPU");
    }
    result(no_vmx, L"VMX is invisible: CPUID.1:ECX[5] and CR4.VMXE read 0 on every CPU");
    result(all_ran && cpus_enabled >= 2, L"every enabled CPU runs guest code through MP services");
    check_reserved_memory();
    check_faults();
    check_hostile(hidden_base, hidden_pages);
    bench_cpuid();
    if (!expect_hidden)
        Print(L"testguest: asked onestone for its counters: %d\n",
              cpuid(ONESTONE_CPUID_DUMP_STATS, 0).eax);
    if (expect_partition) {
        check_partition_view(cpus, cpus_enabled);
        Print(L"testguest: %d passed, %d failed\n", passed, failed);
        partition_hold();           /* never returns: the harness ends the run */
    }
    Print(L"testguest: %d passed, %d failed\n", passed, failed);
    Print(L"TESTGUEST-END\n");
    uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
    return EFI_SUCCESS;
}
