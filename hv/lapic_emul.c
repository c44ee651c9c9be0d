/* Runs in VMX root: see lapic_emul.h for why this exists. */
#include "hv/lapic_emul.h"
#include "hv/spinlock.h"
#include "hv/exits.h"
#include "hv/guest_mem.h"
#include "hv/log.h"
#include "hv/mmio_decode.h"
#include "hv/panic.h"
#include "hv/entry.h"
#include "hv/vmcs_setup.h"
#include "arch/ept.h"
#include "hv/vmx_ops.h"
#include "arch/io.h"
#include "arch/lapic.h"

static uint64_t lapic_page;
static volatile bool os_took_over, routing_released;
static volatile uint64_t started_by_os;       /* bitmap of CPU indexes */

static spinlock_t release_lock;      /* taken once, never released */

void lapic_os_took_over(void)
{
    os_took_over = true;
    LOG_INF("boot services ended: the OS owns the machine; APIC writes stay emulated "
            "until the OS runs on every AP (%u)", hv_plan->cpu_count - 1);
}

bool lapic_routing_active(void)
{
    return !routing_released;
}

/* Gives the xAPIC page back to the guest. Other CPUs may still hold the
 * read-only translation; their next write faults once and finds the page
 * writable (see hv/exit_ept.c). */
static void release_routing(void)
{
    if (!spin_trylock(&release_lock))
        return;
    if (!routing_released &&
        pgtable_set_attrs(&hv_ept, lapic_page,
                          EPT_READ | EPT_WRITE | (MTRR_TYPE_UC << EPT_MEMTYPE_SHIFT)) == 0) {
        routing_released = true;
        invept(INVEPT_SINGLE_CONTEXT, hv_eptp);
        LOG_INF("the OS runs on all APs: local APIC page handed to the guest "
                "(no more VM exits on APIC writes)");
    }
}

void lapic_emul_init(uint64_t apic_base_pa)
{
    lapic_page = apic_base_pa & APIC_BASE_ADDR_MASK;
}

uint64_t lapic_emul_page(void)
{
    return lapic_page;
}

static void deliver_startup(struct percpu *target, uint8_t vector)
{
    /* a SIPI reaches only a CPU waiting for one (SDM 3A 10.6.1) */
    uint32_t expected = 1;
    if (!__atomic_compare_exchange_n(&target->sipi_state, &expected, 2u + vector, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    LOG_INF("SIPI: vector 0x%x for cpu%u", vector, target->index);
}

void lapic_note_os_code_on(struct percpu *cpu)
{
    if (!os_took_over || cpu->is_bsp || routing_released)
        return;
    uint64_t all_aps = 0;
    for (uint32_t i = 0; i < hv_plan->cpu_count; i++)
        if (!hv_cpus[i].is_bsp)
            all_aps |= 1ull << i;
    uint64_t now = __atomic_or_fetch(&started_by_os, 1ull << cpu->index, __ATOMIC_ACQ_REL);
    if ((now & all_aps) == all_aps)
        release_routing();
}

static void send_nmi_kick(struct percpu *target, bool x2apic)
{
    uint32_t low = (ICR_DM_NMI << 8) | ICR_LEVEL_ASSERT;
    if (x2apic) {
        wrmsr(MSR_X2APIC_ICR, ((uint64_t)target->apic_id << 32) | low);
        return;
    }
    volatile uint32_t *icr_low = (volatile uint32_t *)(uintptr_t)(lapic_page + LAPIC_REG_ICR_LOW);
    volatile uint32_t *icr_high = (volatile uint32_t *)(uintptr_t)(lapic_page + LAPIC_REG_ICR_HIGH);
    uint32_t saved_high = *icr_high;
    *icr_high = target->apic_id << 24;
    *icr_low = low;
    *icr_high = saved_high;
}

/* INIT for a CPU onestone runs: not sent to the hardware (Bochs 2.7 keeps
 * an INIT pending after the INIT VM exit and re-delivers it on every VM
 * entry); the target is kicked with an NMI, whose exit runs the INIT. */
static void deliver_init(struct percpu *target, bool x2apic)
{
    __atomic_store_n(&target->init_pending, true, __ATOMIC_RELEASE);
    send_nmi_kick(target, x2apic);
}

/* Returns true when the IPI was an INIT or start-up IPI handled here (not
 * sent to the hardware). */
static bool route_startup_ipi(struct percpu *self, uint32_t low, uint32_t dest, bool x2apic)
{
    unsigned mode = ICR_DELIVERY_MODE(low);
    if (mode != ICR_DM_STARTUP && mode != ICR_DM_INIT)
        return false;
    /* handed over (x2APIC ICR writes still exit): the hardware delivers */
    if (routing_released)
        return false;
    unsigned sh = ICR_SHORTHAND(low);
    if (sh == ICR_SH_NONE && (low & ICR_DEST_LOGICAL)) {
        LOG_WARN_("INIT/start-up IPI in logical destination mode: sent to the hardware");
        return false;
    }
    /* INIT level de-assert only synchronizes arbitration IDs on old CPUs */
    if (mode == ICR_DM_INIT && !(low & ICR_LEVEL_ASSERT))
        return true;
    for (uint32_t i = 0; i < hv_plan->cpu_count; i++) {
        struct percpu *t = &hv_cpus[i];
        bool hit;
        switch (sh) {
        case ICR_SH_NONE: hit = t->apic_id == (x2apic ? dest : (dest & 0xFF)); break;
        case ICR_SH_SELF: hit = t == self; break;
        case ICR_SH_ALL_INCL_SELF: hit = true; break;
        default: hit = t != self; break;
        }
        if (!hit)
            continue;
        if (mode == ICR_DM_INIT && t->is_bsp)
            platform_reset("INIT IPI to the bootstrap processor (guest asked for a restart)");
        if (t == self)
            continue;
        if (mode == ICR_DM_INIT)
            deliver_init(t, x2apic);
        else
            deliver_startup(t, (uint8_t)ICR_VECTOR(low));
    }
    return true;
}

static void write_lapic(uint64_t offset, uint64_t value, unsigned size)
{
    volatile uint8_t *reg = (volatile uint8_t *)(uintptr_t)(lapic_page + offset);
    switch (size) {
    case 1: *reg = (uint8_t)value; break;
    case 2: *(volatile uint16_t *)reg = (uint16_t)value; break;
    case 8: *(volatile uint64_t *)reg = value; break;
    default: *(volatile uint32_t *)reg = (uint32_t)value; break;
    }
}

static unsigned code_bits(void)
{
    uint64_t cs_ar = vmread(VMCS_GUEST_CS_AR);
    if ((vmread(VMCS_GUEST_EFER) & EFER_LMA) && (cs_ar & (1u << 13)))
        return 64;
    if (!(vmread(VMCS_GUEST_CR0) & CR0_PE))
        return 16;
    return (cs_ar & (1u << 14)) ? 32 : 16;
}

void lapic_handle_mmio_write(struct percpu *cpu, struct guest_regs *regs, uint64_t gpa)
{
    uint8_t code[15];
    uint64_t rip = vmread(VMCS_GUEST_RIP);
    unsigned bits = code_bits();
    uint64_t linear = (bits == 64 ? 0 : vmread(VMCS_GUEST_CS_BASE)) + rip;
    unsigned n = guest_read_linear(linear, code, sizeof code);
    struct mmio_store st;
    const char *why;
    if (mmio_decode_store(code, n, bits, &st, &why) != 0) {
        LOG_ERR("local APIC write at rip 0x%lx cannot be emulated: %s "
                "(bytes %02x %02x %02x %02x %02x %02x)", rip, why,
                code[0], code[1], code[2], code[3], code[4], code[5]);
        exit_fatal(cpu, regs, "unemulated local APIC write");
    }
    uint64_t value = st.immediate;
    if (st.from_register) {
        value = exit_gpr_read(regs, st.reg);
        if (st.high_byte_reg)
            value >>= 8;
    }
    uint64_t offset = gpa & 0xFFF;
    bool handled = false;
    if (offset == LAPIC_REG_ICR_LOW && st.size == 4) {
        uint32_t high = *(volatile uint32_t *)(uintptr_t)(lapic_page + LAPIC_REG_ICR_HIGH);
        handled = route_startup_ipi(cpu, (uint32_t)value, ICR_XAPIC_DEST(high), false);
    }
    if (!handled)
        write_lapic(offset, value, st.size);
    vmwrite_checked(VMCS_GUEST_RIP, rip + st.length);
}

void lapic_handle_x2apic_icr(struct percpu *cpu, uint64_t value)
{
    if (!route_startup_ipi(cpu, (uint32_t)value, (uint32_t)(value >> 32), true))
        wrmsr(MSR_X2APIC_ICR, value);
}

uint8_t lapic_wait_for_sipi(struct percpu *cpu)
{
    uint32_t s;
    while ((s = __atomic_load_n(&cpu->sipi_state, __ATOMIC_ACQUIRE)) < 2)
        cpu_relax();
    __atomic_store_n(&cpu->sipi_state, 0, __ATOMIC_RELEASE);
    return (uint8_t)(s - 2);
}
