/* Runs in UEFI boot services: the management partition's memory as its
 * kernel first sees it (include/onestone/mgmt_abi.h, entry contract).
 * One EfiReservedMemoryType allocation, 2 MiB aligned so the partition's
 * EPT uses large pages, holds partition addresses [0, memory): boot
 * structures at 0x1000-0xFFFF, the kernel's segments where its ELF says,
 * the heap, and the checkpoint range at the top. A second reserved
 * allocation keeps a pristine copy of [0, end of the kernel) for restarts.
 * Both, and the partition's device BARs, join the ranges the primary
 * partition's EPT and VT-d domain leave out; the memory map the OS gets
 * shows them reserved. */
#include "boot/boot.h"
#include "boot/acpi_find.h"
#include "boot/ecam.h"
#include "boot/mgmt_files.h"
#include "boot/mgmt_launch.h"
#include "boot/device_reset.h"
#include "drivers/pci.h"
#include "hv/core/log.h"
#include "onestone/mgmt_abi.h"
#include "arch/io.h"

#define TWO_MIB (2ull << 20)
#define PARAMS_GPA   0x1000u
#define GDT_GPA      0x2000u
#define PML4_GPA     0x3000u
#define PDPT_GPA     0x4000u
#define PD_GPA       0x5000u        /* four: 0x5000-0x8FFF, 4 GiB in 2 MiB pages */
#define STACK_TOP    0x10000u
_Static_assert(PD_GPA + 4 * 0x1000 <= STACK_TOP - 0x1000, "boot area layout");
_Static_assert(STACK_TOP <= MGMT_BOOT_AREA_END, "boot area layout");

#define PTE_P  1ull
#define PTE_RW 2ull
#define PTE_PS (1ull << 7)

static EFI_PHYSICAL_ADDRESS mem_alloc_base, pristine_base;
static UINTN mem_alloc_pages, pristine_pages;

UINT64 mgmt_measure_tsc_khz(void)
{
    UINT64 start = rdtsc();
    uefi_call_wrapper(BS->Stall, 1, 20000);
    return (rdtsc() - start) / 20;
}

/* The last `n` CPUs in the order the primary's MADT lists them (the
 * firmware's, or without one the order onestone's minimal MADT uses). */
static int choose_cpus(struct hv_plan *plan, unsigned n)
{
    uint32_t order[PLAN_MAX_CPUS];
    unsigned count = 0;
    const struct acpi_sdt_header *h = acpi_find_table("APIC");
    if (h) {
        const uint8_t *e = (const uint8_t *)h + sizeof(struct acpi_madt);
        const uint8_t *end = (const uint8_t *)h + h->length;
        for (; e + 2 <= end && e[1] >= 2 && e + e[1] <= end; e += e[1]) {
            const struct madt_local_apic *l = (const void *)e;
            if (l->type == MADT_TYPE_LOCAL_APIC && (l->flags & MADT_LAPIC_ENABLED) &&
                count < PLAN_MAX_CPUS)
                order[count++] = l->apic_id;
        }
    }
    if (!h || count != plan->cpu_count) {
        count = plan->cpu_count;
        for (unsigned i = 0; i < count; i++)
            order[i] = plan->cpus[i].apic_id;
    }
    unsigned index = 0;
    for (unsigned k = count - n; k < count; k++) {
        for (uint32_t i = 0; i < plan->cpu_count; i++) {
            if (plan->cpus[i].apic_id != order[k])
                continue;
            if (plan->cpus[i].is_bsp) {
                LOG_ERR("the bootstrap processor (APIC id %u) is among the last %u CPUs in MADT "
                        "order: it must stay with the primary partition", order[k], n);
                return -1;
            }
            plan->cpus[i].partition = PLAN_PARTITION_MGMT;
            plan->cpus[i].mgmt_index = index++;
        }
    }
    if (index != n) {
        LOG_ERR("the MADT and the firmware's MP services disagree about the CPUs");
        return -1;
    }
    return 0;
}

/* BARs by the usual sizing (all-ones, read back), decoding off meanwhile;
 * the firmware's driver is gone by then. Memory BARs leave the primary's
 * EPT; I/O BARs trap in its I/O bitmap (hv/vmx/entry.c). */
static void read_bars(struct plan_device *d)
{
    uint16_t bdf = PCI_BDF(d->bus, d->dev, d->fn);
    uint32_t cmd = pci_read32(bdf, 0x04);
    pci_write32(bdf, 0x04, cmd & ~(uint32_t)(PCI_COMMAND_MEMORY | 1u));
    for (unsigned off = 0x10; off <= 0x24; off += 4) {
        uint32_t lo = pci_read32(bdf, (uint8_t)off);
        if (lo & 1) {
            pci_write32(bdf, (uint8_t)off, 0xFFFFFFFFu);
            uint32_t mask = pci_read32(bdf, (uint8_t)off) & ~3u;
            pci_write32(bdf, (uint8_t)off, lo);
            uint32_t size = (~(mask | 0xFFFF0000u) + 1) & 0xFFFFu, base = lo & 0xFFFCu;
            if ((mask & 0xFFFFu) && base && d->io_bar_count < PLAN_BARS_MAX) {
                d->io_bars[d->io_bar_count].base = (uint16_t)base;
                d->io_bars[d->io_bar_count].size = (uint16_t)size;
                d->io_bar_count++;
            }
            continue;
        }
        bool is64 = ((lo >> 1) & 3) == 2;
        pci_write32(bdf, (uint8_t)off, 0xFFFFFFFFu);
        uint32_t size_lo = pci_read32(bdf, (uint8_t)off);
        pci_write32(bdf, (uint8_t)off, lo);
        uint64_t base = lo & ~0xFull, mask = size_lo & ~0xFull;
        if (is64) {
            uint32_t hi = pci_read32(bdf, (uint8_t)(off + 4));
            pci_write32(bdf, (uint8_t)(off + 4), 0xFFFFFFFFu);
            uint32_t size_hi = pci_read32(bdf, (uint8_t)(off + 4));
            pci_write32(bdf, (uint8_t)(off + 4), hi);
            base |= (uint64_t)hi << 32;
            mask |= (uint64_t)size_hi << 32;
        } else {
            mask |= 0xFFFFFFFF00000000ull;
        }
        uint64_t size = ~mask + 1;
        if (mask && base && d->bar_count < PLAN_BARS_MAX) {
            size = (size + 0xFFF) & ~0xFFFull;
            d->bars[d->bar_count].base = base & ~0xFFFull;
            d->bars[d->bar_count].size = size;
            d->bar_count++;
        }
        if (is64)
            off += 4;
    }
    /* memory decoding back for the partition's driver; no bus mastering and
     * no interrupts until it sets them up */
    pci_write32(bdf, 0x04, ((cmd | PCI_COMMAND_MEMORY) & ~(uint32_t)PCI_COMMAND_MASTER) |
                               (1u << 10));
}

/* Configuration space through ECAM: the function's 4 KiB page becomes a
 * protected range of the primary (all-ones, writes dropped, as through
 * 0xCF8/0xCFC); every other function's page stays direct. */
static void conceal_ecam_page(struct hv_plan *plan, struct plan_device *d)
{
    const struct acpi_sdt_header *mcfg = acpi_find_table("MCFG");
    if (!mcfg) {
        LOG_INF("mgmt: %02x:%02x.%x: the firmware has no MCFG table (no ECAM): configuration "
                "space is reached only through 0xCF8/0xCFC, which onestone traps",
                d->bus, d->dev, d->fn);
        return;
    }
    d->ecam_page = ecam_function_page(mcfg, mcfg->length, 0, d->bus, d->dev, d->fn);
    if (!d->ecam_page) {
        LOG_WARN_("mgmt: %02x:%02x.%x: no ECAM window of the MCFG table covers it: only "
                  "0xCF8/0xCFC trap", d->bus, d->dev, d->fn);
        return;
    }
    memrange_add(&plan->protected_ranges, d->ecam_page, d->ecam_page + 0x1000);
    LOG_INF("mgmt: %02x:%02x.%x: its ECAM page 0x%lx is hidden from the primary partition",
            d->bus, d->dev, d->fn, (unsigned long)d->ecam_page);
}

/* The firmware's driver lets go of the device, so nothing of the firmware
 * touches it after the partition starts. */
static void disconnect_driver(const struct plan_device *d)
{
    EFI_HANDLE *handles = NULL;
    UINTN n = 0;
    if (EFI_ERROR(uefi_call_wrapper(BS->LocateHandleBuffer, 5, ByProtocol, &PciIoProtocol, NULL,
                                    &n, &handles)))
        return;
    for (UINTN i = 0; i < n; i++) {
        EFI_PCI_IO_PROTOCOL *io;
        UINTN seg, bus, dev, fn;
        if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, handles[i], &PciIoProtocol,
                                        (void **)&io)) ||
            EFI_ERROR(uefi_call_wrapper(io->GetLocation, 5, io, &seg, &bus, &dev, &fn)))
            continue;
        if (seg != 0 || bus != d->bus || dev != d->dev || fn != d->fn)
            continue;
        EFI_STATUS st = uefi_call_wrapper(BS->DisconnectController, 3, handles[i], NULL, NULL);
        LOG_INF("mgmt: %02x:%02x.%x: firmware driver %s", d->bus, d->dev, d->fn,
                st == EFI_SUCCESS ? "disconnected" : "none to disconnect");
    }
    FreePool(handles);
}

static void build_page_tables(uint8_t *mem)
{
    uint64_t *pml4 = (uint64_t *)(mem + PML4_GPA), *pdpt = (uint64_t *)(mem + PDPT_GPA);
    pml4[0] = PDPT_GPA | PTE_P | PTE_RW;
    for (unsigned g = 0; g < 4; g++) {
        uint64_t *pd = (uint64_t *)(mem + PD_GPA + g * 0x1000);
        pdpt[g] = (PD_GPA + g * 0x1000) | PTE_P | PTE_RW;
        for (unsigned i = 0; i < 512; i++)
            pd[i] = (((uint64_t)g << 30) + (uint64_t)i * TWO_MIB) | PTE_P | PTE_RW | PTE_PS;
    }
    uint64_t *gdt = (uint64_t *)(mem + GDT_GPA);
    gdt[0] = 0;
    gdt[1] = 0x00AF9B000000FFFFull;     /* 64-bit code, selector 0x08 */
    gdt[2] = 0x00CF93000000FFFFull;     /* flat data, selector 0x10 */
}

static int load_kernel(EFI_HANDLE image, const struct mgmt_config *m, uint8_t *mem,
                       struct plan_mgmt *pm)
{
    char *data;
    UINTN len;
    struct elf_image img;
    if (mgmt_kernel_read(image, m, &data, &len, &img))
        return -1;
    uint64_t end = MGMT_BOOT_AREA_END;
    for (unsigned i = 0; i < img.count; i++) {
        const struct elf_load *l = &img.load[i];
        CopyMem(mem + l->paddr, data + l->offset, l->filesz);
        SetMem(mem + l->paddr + l->filesz, l->memsz - l->filesz, 0);
        if (l->paddr + l->memsz > end)
            end = l->paddr + l->memsz;
    }
    FreePool(data);
    pm->entry = img.entry;
    pm->load_end = (end + 0xFFF) & ~0xFFFull;
    return 0;
}

static void fill_params(const struct mgmt_config *m, const struct hv_plan *plan,
                        struct plan_mgmt *pm, struct mgmt_boot_params *p)
{
    SetMem(p, sizeof *p, 0);
    p->magic = MGMT_BOOT_MAGIC;
    p->version = MGMT_BOOT_VERSION;
    p->host = MGMT_HOST_ONESTONE;
    p->mem_base = 0;
    p->mem_size = pm->mem_size;
    p->ckpt_base = pm->ckpt_base;
    p->ckpt_size = pm->ckpt_size;
    p->tsc_khz = plan->tsc_khz;
    for (uint32_t i = 0; i < plan->cpu_count; i++)
        if (plan->cpus[i].partition == PLAN_PARTITION_MGMT &&
            plan->cpus[i].mgmt_index < MGMT_MAX_CPUS)
            p->cpu_apic_ids[plan->cpus[i].mgmt_index] = plan->cpus[i].apic_id;
    p->cpu_count = pm->cpu_count;
    p->nic_bus = pm->devices[0].bus;
    p->nic_dev = pm->devices[0].dev;
    p->nic_fn = pm->devices[0].fn;
    p->net_mode = m->address == MGMT_ADDRESS_STATIC ? MGMT_NET_STATIC : MGMT_NET_DHCP;
    if (m->address == MGMT_ADDRESS_STATIC) {
        uint32_t mask = m->prefix ? ~0u << (32 - m->prefix) : 0;
        p->ipv4_addr = (uint32_t)m->ip[0] | (uint32_t)m->ip[1] << 8 | (uint32_t)m->ip[2] << 16 |
                       (uint32_t)m->ip[3] << 24;
        p->ipv4_netmask = (mask >> 24) | ((mask >> 8) & 0xFF00) | ((mask << 8) & 0xFF0000) |
                          (mask << 24);
        p->ipv4_gateway = (uint32_t)m->gateway[0] | (uint32_t)m->gateway[1] << 8 |
                          (uint32_t)m->gateway[2] << 16 | (uint32_t)m->gateway[3] << 24;
    }
    p->api_port = m->port;
    unsigned n = 0;
    for (; m->project[n] && n + 1 < MGMT_URL_MAX; n++)
        p->project_url[n] = m->project[n];
    /* no IOMMU translates for the partition here: its DMA uses machine
     * addresses */
    p->dma_offset = plan->config.iommu == IOMMU_REQUIRED ? 0 : pm->mem_hpa;
    p->test_mode = m->test;
    if (m->test)
        LOG_WARN_("onestone.conf:%u: [mgmt] test = %s: the partition misbehaves on purpose "
                  "(tests only)", m->line, m->test == MGMT_TEST_CRASH ? "crash" : "attack");
}

int mgmt_prepare(EFI_HANDLE image, const struct mgmt_config *m,
                 const struct platform_facts *facts, const unsigned resolved[],
                 struct hv_plan *plan)
{
    struct plan_mgmt *pm = &plan->mgmt;
    SetMem(pm, sizeof *pm, 0);
    if (choose_cpus(plan, m->cpus))
        return -1;
    pm->cpu_count = m->cpus;
    pm->mem_size = m->memory;
    pm->ckpt_size = m->checkpoint;
    pm->ckpt_base = m->memory - m->checkpoint;

    mem_alloc_pages = (UINTN)((m->memory + TWO_MIB) / 0x1000);
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
                                      EfiReservedMemoryType, mem_alloc_pages, &mem_alloc_base);
    if (EFI_ERROR(st)) {
        LOG_ERR("onestone.conf:%u: memory: cannot reserve %lu MiB for the management partition "
                "(status 0x%lx)", m->memory_line, (unsigned long)(m->memory >> 20),
                (unsigned long)st);
        mem_alloc_base = 0;
        return -1;
    }
    pm->mem_hpa = (mem_alloc_base + TWO_MIB - 1) & ~(TWO_MIB - 1);
    uint8_t *mem = (uint8_t *)(UINTN)pm->mem_hpa;
    SetMem(mem, pm->ckpt_base, 0);      /* checkpoint memory: the partition checks it */

    for (unsigned i = 0; i < m->device_count; i++) {
        const struct pci_function_fact *f = &facts->functions[resolved[i]];
        struct plan_device *d = &pm->devices[pm->device_count++];
        d->bus = f->bus;
        d->dev = f->dev;
        d->fn = f->fn;
        disconnect_driver(d);
        boot_reset_function(plan_device_bdf(d));
        read_bars(d);
        for (unsigned b = 0; b < d->bar_count; b++)
            memrange_add(&plan->protected_ranges, d->bars[b].base,
                         d->bars[b].base + d->bars[b].size);
        for (unsigned b = 0; b < d->io_bar_count; b++)
            LOG_INF("mgmt: %02x:%02x.%x: I/O ports 0x%x-0x%x trap in the primary partition "
                    "(all-ones, writes dropped)", d->bus, d->dev, d->fn, d->io_bars[b].base,
                    d->io_bars[b].base + d->io_bars[b].size - 1);
        conceal_ecam_page(plan, d);
    }
    if (load_kernel(image, m, mem, pm))
        goto fail;
    build_page_tables(mem);
    pm->params_gpa = PARAMS_GPA;
    pm->gdt_gpa = GDT_GPA;
    pm->pt_root_gpa = PML4_GPA;
    pm->stack_gpa = STACK_TOP;
    struct mgmt_boot_params *params = (struct mgmt_boot_params *)(mem + PARAMS_GPA);
    fill_params(m, plan, pm, params);
    if (mgmt_token_read(image, m, params->api_token))
        goto fail;

    pristine_pages = (UINTN)(pm->load_end / 0x1000);
    st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiReservedMemoryType,
                           pristine_pages, &pristine_base);
    if (EFI_ERROR(st)) {
        LOG_ERR("cannot reserve %lu KiB for the management partition's pristine kernel copy",
                (unsigned long)(pm->load_end >> 10));
        pristine_base = 0;
        goto fail;
    }
    CopyMem((void *)(UINTN)pristine_base, mem, pm->load_end);
    pm->pristine_hpa = pristine_base;
    memrange_add(&plan->protected_ranges, mem_alloc_base,
                 mem_alloc_base + mem_alloc_pages * 0x1000);
    memrange_add(&plan->protected_ranges, pristine_base, pristine_base + pristine_pages * 0x1000);
    pm->present = 1;
    LOG_INF("mgmt: memory 0x%lx-0x%lx (%lu MiB, checkpoints in the top %lu KiB), kernel entry "
            "0x%lx, %u CPU(s), NIC %02x:%02x.%x, DMA offset 0x%lx",
            (unsigned long)pm->mem_hpa, (unsigned long)(pm->mem_hpa + pm->mem_size - 1),
            (unsigned long)(pm->mem_size >> 20), (unsigned long)(pm->ckpt_size >> 10),
            (unsigned long)pm->entry, pm->cpu_count, pm->devices[0].bus, pm->devices[0].dev,
            pm->devices[0].fn, (unsigned long)params->dma_offset);
    return 0;
fail:
    mgmt_undo(plan);
    return -1;
}

void mgmt_undo(const struct hv_plan *plan)
{
    (void)plan;
    if (mem_alloc_base)
        uefi_call_wrapper(BS->FreePages, 2, mem_alloc_base, mem_alloc_pages);
    if (pristine_base)
        uefi_call_wrapper(BS->FreePages, 2, pristine_base, pristine_pages);
    mem_alloc_base = pristine_base = 0;
}
