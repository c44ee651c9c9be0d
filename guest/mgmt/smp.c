/* Runs in the management partition: see smp.h. Discovery and start-up run
 * on the boot CPU; smp_ap_main runs on each AP. The APs never call into
 * newlib or lwIP (neither is built for more than one CPU): they talk to
 * the boot CPU only through the job table (jobs.c, under its lock) and
 * the flags below. */
#include "guest/mgmt/smp.h"
#include "arch/acpi.h"
#include "arch/lapic.h"
#include "arch/x86.h"
#include "boot/acpi_tables.h"
#include "guest/mgmt/jobs.h"
#include "guest/mgmt/mgmt.h"
#include <string.h>

#define LAPIC_REG_SVR          0xF0u
#define LAPIC_SVR_ENABLE       (1u << 8)
#define AP_START_TIMEOUT_MS    1000u

extern const char ap_trampoline[], ap_trampoline_end[];
extern const char ap_trampoline_cr3[], ap_trampoline_params[], ap_trampoline_index[],
    ap_trampoline_entry[];

_Static_assert(MGMT_MAX_CPUS == 8, "entry64.S has stacks for 8 CPUs (MAX_CPUS)");

static volatile bool online[MGMT_MAX_CPUS];
static volatile bool released;

/* ---- discovery (ACPI 6.x 5.2.5: RSDP in the EBDA's first KiB or in
 * 0xE0000-0xFFFFF on a 16-byte boundary) ---- */

static const struct acpi_rsdp *find_rsdp_in(uintptr_t start, uintptr_t end)
{
    for (uintptr_t a = start; a + sizeof(struct acpi_rsdp) <= end; a += 16) {
        const struct acpi_rsdp *r = (const void *)a;
        if (memcmp(r->signature, "RSD PTR ", 8) == 0 && acpi_checksum(r, 20) == 0)
            return r;
    }
    return NULL;
}

static const struct acpi_sdt_header *table_at(uint64_t addr, const char *sig)
{
    /* firmware tables live below 4 GiB here (the identity map's reach) */
    if (!addr || addr >= (1ull << 32))
        return NULL;
    const struct acpi_sdt_header *h = (const void *)(uintptr_t)addr;
    if (sig && memcmp(h->signature, sig, 4))
        return NULL;
    if (h->length < sizeof *h || h->length > (1u << 20) || acpi_checksum(h, h->length) != 0)
        return NULL;
    return h;
}

static const struct acpi_madt *find_madt(void)
{
    /* the BIOS data area's EBDA segment word, read with an instruction:
     * gcc takes a pointer made from a small constant for a bug */
    uint16_t ebda_seg;
    __asm__ volatile("movw (%1), %0" : "=r"(ebda_seg) : "r"((uintptr_t)0x40E));
    uintptr_t ebda = (uintptr_t)ebda_seg << 4;
    const struct acpi_rsdp *r = ebda ? find_rsdp_in(ebda, ebda + 1024) : NULL;
    if (!r)
        r = find_rsdp_in(0xE0000, 0x100000);
    if (!r)
        return NULL;
    bool x = r->revision >= 2 && r->xsdt_address;
    const struct acpi_sdt_header *root = x ? table_at(r->xsdt_address, "XSDT")
                                           : table_at(r->rsdt_address, "RSDT");
    if (!root)
        return NULL;
    unsigned width = x ? 8 : 4, n = (root->length - sizeof *root) / width;
    const uint8_t *e = (const uint8_t *)(root + 1);
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = 0;
        memcpy(&a, e + i * width, width);
        const struct acpi_sdt_header *t = table_at(a, "APIC");
        if (t && t->length >= sizeof(struct acpi_madt))
            return (const struct acpi_madt *)t;
    }
    return NULL;
}

void smp_discover(struct mgmt_boot_params *p)
{
    uint32_t self = cpuid(1, 0).ebx >> 24;
    p->cpu_count = 1;
    p->cpu_apic_ids[0] = self;
    const struct acpi_madt *m = find_madt();
    if (!m) {
        mlog("no usable ACPI MADT: the partition uses its boot CPU only");
        return;
    }
    const uint8_t *e = (const uint8_t *)(m + 1), *end = (const uint8_t *)m + m->header.length;
    unsigned skipped = 0;
    while (e + 2 <= end && e[1] >= 2 && e + e[1] <= end) {
        const struct madt_local_apic *l = (const void *)e;
        if (l->type == MADT_TYPE_LOCAL_APIC && l->length >= sizeof *l &&
            (l->flags & MADT_LAPIC_ENABLED) && l->apic_id != self) {
            if (p->cpu_count < MGMT_MAX_CPUS)
                p->cpu_apic_ids[p->cpu_count++] = l->apic_id;
            else
                skipped++;
        }
        e += e[1];
    }
    if (skipped)
        mlog("ACPI MADT lists %u more CPUs than the partition supports (%u): not used", skipped,
             MGMT_MAX_CPUS);
}

/* ---- start-up (SDM 3A 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI) ---- */

static void send_ipi(uint32_t apic_id, uint32_t low)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    if (base & APIC_BASE_X2APIC_ENABLE) {
        wrmsr(MSR_X2APIC_ICR, ((uint64_t)apic_id << 32) | low);
        return;
    }
    volatile uint32_t *lapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);
    lapic[LAPIC_REG_SVR / 4] |= LAPIC_SVR_ENABLE;
    lapic[LAPIC_REG_ICR_HIGH / 4] = apic_id << 24;
    lapic[LAPIC_REG_ICR_LOW / 4] = low;
    for (unsigned i = 0; i < 1000 && (lapic[LAPIC_REG_ICR_LOW / 4] & (1u << 12)); i++)
        time_delay_us(1);   /* delivery status: send pending */
}

static void set_word(const char *field, uint64_t v)
{
    uint64_t off = (uint64_t)(field - ap_trampoline);
    memcpy((void *)(uintptr_t)(AP_TRAMPOLINE_BASE + off), &v, sizeof v);
}

void smp_start_cpus(const struct mgmt_boot_params *p)
{
    if (p->cpu_count < 2)
        return;
    size_t len = (size_t)(ap_trampoline_end - ap_trampoline);
    memcpy((void *)(uintptr_t)AP_TRAMPOLINE_BASE, ap_trampoline, len);
    set_word(ap_trampoline_cr3, read_cr3());
    set_word(ap_trampoline_params, (uint64_t)(uintptr_t)p);
    set_word(ap_trampoline_entry, (uint64_t)(uintptr_t)mgmt_entry64);
    unsigned up = 1;
    for (unsigned i = 1; i < p->cpu_count; i++) {
        uint32_t id = p->cpu_apic_ids[i];
        set_word(ap_trampoline_index, i);
        __asm__ volatile("mfence" ::: "memory");
        send_ipi(id, ICR_DM_INIT << 8 | ICR_LEVEL_ASSERT);
        time_delay_us(10000);
        for (int s = 0; s < 2 && !online[i]; s++) {
            send_ipi(id, ICR_DM_STARTUP << 8 | ICR_LEVEL_ASSERT |
                             ICR_VECTOR(AP_TRAMPOLINE_BASE >> 12));
            time_delay_us(200);
        }
        uint64_t end = time_ms() + AP_START_TIMEOUT_MS;
        while (!online[i] && time_ms() < end)
            __asm__ volatile("pause");
        if (online[i])
            up++;
        else
            mlog("CPU %u (APIC id %u) did not start within %u ms: it computes nothing", i, id,
                 AP_START_TIMEOUT_MS);
    }
    mlog("%u of %u CPUs running: CPU 0 serves the network and the API, %s", up, p->cpu_count,
         up > 1 ? "the others run jobs" : "and runs jobs");
}

bool smp_cpu_online(unsigned cpu)
{
    return cpu < MGMT_MAX_CPUS && online[cpu];
}

void smp_release_aps(void)
{
    online[0] = true;
    __atomic_store_n(&released, true, __ATOMIC_RELEASE);
}

void smp_ap_main(unsigned cpu)
{
    __atomic_store_n(&online[cpu], true, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    jobs_worker(cpu);
}
