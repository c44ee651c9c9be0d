/* Runs in VMX root: see lapic_emul.h for why this exists. */
#include "hv/vmx/lapic_emul.h"
#include "hv/core/spinlock.h"
#include "hv/vmx/guest_state.h"
#include "hv/vmx/guest_insn.h"
#include "hv/core/log.h"
#include "hv/core/panic.h"
#include "hv/vmx/vmcs_setup.h"
#include "arch/ept.h"
#include "hv/vmx/vmx_ops.h"
#include "hv/x86/ipi_policy.h"
#include "hv/x86/safe_ops.h"
#include "arch/io.h"
#include "arch/lapic.h"

static uint64_t lapic_page;
static volatile bool os_took_over, routing_released;
static volatile uint64_t started_by_os;       /* bitmap of CPU indexes */

static spinlock_t release_lock;      /* taken once, never released */

/* the primary partition's APs: the CPUs the OS must start before the
 * xAPIC page can be its own (a management CPU drops what is not its own,
 * so the routing need not guard it) */
static uint64_t primary_aps(void)
{
    uint64_t aps = 0;
    for (uint32_t i = 0; i < hv_plan->cpu_count; i++)
        if (!hv_cpus[i].is_bsp && hv_cpus[i].part->kind == PARTITION_PRIMARY)
            aps |= 1ull << i;
    return aps;
}

/* Gives the xAPIC page back to the guest. Other CPUs may still hold the
 * read-only translation; their next write faults once and finds the page
 * writable (see hv/vmx/exits/exit_ept.c). */
static void release_routing(void)
{
    if (!spin_trylock(&release_lock))
        return;
    if (!routing_released &&
        pgtable_set_attrs(hv_partitions[0].gpa_map, lapic_page,
                          EPT_RWX | (MTRR_TYPE_UC << EPT_MEMTYPE_SHIFT)) == 0) {
        routing_released = true;
        invept(INVEPT_SINGLE_CONTEXT, hv_partitions[0].gpa_map_pointer);
        LOG_INF("local APIC page handed to the primary partition's OS "
                "(no more VM exits on APIC writes)");
    }
}

void lapic_os_took_over(void)
{
    os_took_over = true;
    unsigned aps = hv_partitions[0].cpu_count - 1;     /* all but the BSP */
    if (aps == 0)
        LOG_INF("boot services ended: the OS owns the machine; the primary partition has no "
                "APs: APIC writes stay emulated until the firmware's last AP wake-up is over");
    else
        LOG_INF("boot services ended: the OS owns the machine; APIC writes stay emulated "
                "until the OS runs on every AP (%u)", aps);
}

/* The firmware's ExitBootServices handler wakes every AP once more (EDK2
 * parks them), after onestone's own handler has run: a broadcast that
 * borrows the management CPUs. With no AP of its own, that is the last
 * the primary needs the routing for. */
void lapic_firmware_wakeup_ended(void)
{
    if (os_took_over && !routing_released && primary_aps() == 0)
        release_routing();
}

bool lapic_routing_active(void)
{
    return !routing_released;
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
    if (!os_took_over || cpu->is_bsp || routing_released || cpu->part->kind != PARTITION_PRIMARY)
        return;
    uint64_t all_aps = primary_aps();
    uint64_t now = __atomic_or_fetch(&started_by_os, 1ull << cpu->index, __ATOMIC_ACQ_REL);
    if ((now & all_aps) == all_aps)
        release_routing();
}

static void send_nmi_to(uint32_t apic_id, bool x2apic)
{
    uint32_t low = (ICR_DM_NMI << 8) | ICR_LEVEL_ASSERT;
    if (x2apic) {
        wrmsr(MSR_X2APIC_ICR, ((uint64_t)apic_id << 32) | low);
        return;
    }
    volatile uint32_t *icr_low = (volatile uint32_t *)(uintptr_t)(lapic_page + LAPIC_REG_ICR_LOW);
    volatile uint32_t *icr_high = (volatile uint32_t *)(uintptr_t)(lapic_page + LAPIC_REG_ICR_HIGH);
    uint32_t saved_high = *icr_high;
    *icr_high = apic_id << 24;
    *icr_low = low;
    *icr_high = saved_high;
}

static void send_nmi_kick(struct percpu *target, bool x2apic)
{
    send_nmi_to(target->apic_id, x2apic);
}

static bool x2apic_on(void)
{
    return (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC_ENABLE) != 0;
}

void lapic_send_nmi(uint32_t apic_id)
{
    send_nmi_to(apic_id, x2apic_on());
}

/* A broadcast INIT during boot services lends a management CPU to the
 * firmware (hv/vmx/exits/exit_loan.c takes it from there). */
static void loan_request(struct percpu *target)
{
    /* the mailbox is armed by the sender, so a SIPI routed before the
     * target has left the partition is not lost */
    __atomic_store_n(&target->sipi_state, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&target->loan_pending, true, __ATOMIC_RELEASE);
    lapic_send_nmi(target->apic_id);
}

void lapic_eoi(void)
{
    if (x2apic_on())
        wrmsr(MSR_X2APIC_EOI, 0);
    else
        *(volatile uint32_t *)(uintptr_t)(lapic_page + LAPIC_REG_EOI) = 0;
}

/* INIT for a CPU onestone runs: not sent to the hardware (Bochs 2.7 keeps
 * an INIT pending after the INIT VM exit and re-delivers it on every VM
 * entry); the target is kicked with an NMI, whose exit runs the INIT. */
static void deliver_init(struct percpu *target, bool x2apic)
{
    __atomic_store_n(&target->init_pending, true, __ATOMIC_RELEASE);
    send_nmi_kick(target, x2apic);
}

static void note_dropped(struct percpu *cpu, uint64_t icr, const char *why);

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
        case ICR_SH_NONE:
            hit = x2apic ? (dest == ICR_X2APIC_BROADCAST || t->apic_id == dest)
                         : ((dest & 0xFF) == ICR_XAPIC_BROADCAST || t->apic_id == (dest & 0xFF));
            break;
        case ICR_SH_SELF: hit = t == self; break;
        case ICR_SH_ALL_INCL_SELF: hit = true; break;
        default: hit = t != self; break;
        }
        if (!hit)
            continue;
        if (t->part != self->part && sh != ICR_SH_NONE &&
            t->part->kind == PARTITION_MGMT && self->part->kind == PARTITION_PRIMARY) {
            /* the firmware's broadcast AP wake-up: the management CPU is
             * lent to it for the wake-up only (hv/vmx/exits/exit_loan.c) */
            if (mode == ICR_DM_INIT)
                loan_request(t);
            else
                deliver_startup(t, (uint8_t)ICR_VECTOR(low));
            continue;
        }
        if (t->part != self->part) {
            /* another partition's CPU: a broadcast skips it, an IPI aimed
             * at it reaches nobody */
            if (sh == ICR_SH_NONE && dest != ICR_X2APIC_BROADCAST &&
                (x2apic || (dest & 0xFF) != ICR_XAPIC_BROADCAST))
                note_dropped(self, low, "INIT/start-up IPI to another partition's CPU");
            continue;
        }
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

/* The CPUs of the sender's partition (built once per partition). */
static const struct ipi_scope *sender_scope(const struct percpu *self)
{
    static uint32_t ids[HV_PARTITIONS_MAX][64];
    static struct ipi_scope scope[HV_PARTITIONS_MAX];
    unsigned p = (unsigned)(self->part - hv_partitions);
    if (!scope[p].count) {
        unsigned n = 0;
        for (uint32_t i = 0; i < hv_plan->cpu_count && i < 64; i++)
            if (hv_cpus[i].part == self->part)
                ids[p][n++] = hv_cpus[i].apic_id;
        scope[p].apic_ids = ids[p];
        scope[p].whole_machine = n == hv_plan->cpu_count;
        __atomic_store_n(&scope[p].count, n, __ATOMIC_RELEASE);
    }
    return &scope[p];
}

#define IPI_DROP_LOG_LIMIT 8

static void note_dropped(struct percpu *cpu, uint64_t icr, const char *why)
{
    if (++cpu->ipis_dropped <= IPI_DROP_LOG_LIMIT)
        LOG_WARN_("IPI dropped (ICR 0x%lx at rip 0x%lx): %s%s", icr, vmread(VMCS_GUEST_RIP), why,
                  cpu->ipis_dropped == IPI_DROP_LOG_LIMIT ?
                  " (further drops on this CPU are counted, not logged)" : "");
}

void lapic_handle_mmio_write(struct percpu *cpu, struct guest_regs *regs, uint64_t gpa)
{
    struct guest_store g;
    const char *why;
    if (guest_decode_store(&g, &why) != 0) {
        /* the guest wrote its APIC with an instruction onestone does not
         * emulate: it faults, onestone does not */
        LOG_WARN_("local APIC write at rip 0x%lx cannot be emulated: %s "
                  "(bytes %02x %02x %02x %02x %02x %02x): #GP to the guest", g.rip, why,
                  g.bytes[0], g.bytes[1], g.bytes[2], g.bytes[3], g.bytes[4], g.bytes[5]);
        exit_inject_exception(cpu, VECTOR_GP, true, 0);
        return;
    }
    const struct mmio_store st = g.st;
    uint64_t value = st.immediate;
    if (st.from_register) {
        value = exit_gpr_read(regs, st.reg);
        if (st.high_byte_reg)
            value >>= 8;
    }
    uint64_t offset = gpa & 0xFFF;
    bool touches_icr_low = offset < LAPIC_REG_ICR_LOW + 4 && offset + st.size > LAPIC_REG_ICR_LOW;
    if (touches_icr_low && (offset != LAPIC_REG_ICR_LOW || st.size != 4)) {
        /* the APIC takes ICR writes as aligned 32-bit stores only */
        note_dropped(cpu, value, "ICR written other than as one aligned 32-bit store");
    } else if (touches_icr_low) {
        uint32_t high = *(volatile uint32_t *)(uintptr_t)(lapic_page + LAPIC_REG_ICR_HIGH);
        uint32_t low = (uint32_t)value;
        switch (ipi_decide(low, ICR_XAPIC_DEST(high), false, sender_scope(cpu), &why)) {
        case IPI_DROP:
        case IPI_FAULT:             /* no #GP for MMIO: the xAPIC ignores such bits */
            note_dropped(cpu, ((uint64_t)high << 32) | low, why);
            break;
        case IPI_STARTUP:
            if (route_startup_ipi(cpu, low, ICR_XAPIC_DEST(high), false))
                break;
            /* routing released: the hardware delivers */
            __attribute__((fallthrough));
        case IPI_SEND:
            write_lapic(offset, low, 4);
            break;
        }
    } else {
        write_lapic(offset, value, st.size);
    }
    vmwrite_checked(VMCS_GUEST_RIP, g.rip + st.length);
}

unsigned lapic_handle_x2apic_icr(struct percpu *cpu, uint64_t value)
{
    /* x2APIC MSRs exist only in x2APIC mode (SDM 3A 10.12.2). The guest's
     * IA32_APIC_BASE is the hardware's: onestone does not intercept it. */
    if (!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC_ENABLE))
        return VECTOR_GP;
    const char *why;
    uint32_t low = (uint32_t)value, dest = (uint32_t)(value >> 32);
    switch (ipi_decide(low, dest, true, sender_scope(cpu), &why)) {
    case IPI_FAULT:
        return VECTOR_GP;
    case IPI_DROP:
        note_dropped(cpu, value, why);
        return 0;
    case IPI_STARTUP:
        if (route_startup_ipi(cpu, low, dest, true))
            return 0;
        /* routing released: the hardware delivers */
        __attribute__((fallthrough));
    case IPI_SEND:
        break;
    }
    unsigned v = wrmsr_safe(MSR_X2APIC_ICR, value & ~(uint64_t)ICR_BUSY);
    if (v)
        LOG_WARN_("x2APIC ICR write 0x%lx refused by the CPU (vector %u): passed to the guest",
                  value, v);
    return v;
}

uint8_t lapic_wait_for_sipi(struct percpu *cpu)
{
    uint32_t s;
    while ((s = __atomic_load_n(&cpu->sipi_state, __ATOMIC_ACQUIRE)) < 2)
        cpu_relax();
    __atomic_store_n(&cpu->sipi_state, 0, __ATOMIC_RELEASE);
    return (uint8_t)(s - 2);
}

bool lapic_wait_for_sipi_until(struct percpu *cpu, uint64_t deadline_tsc, uint8_t *vector)
{
    uint32_t s;
    while ((s = __atomic_load_n(&cpu->sipi_state, __ATOMIC_ACQUIRE)) < 2) {
        if (rdtsc() >= deadline_tsc) {
            uint32_t expected = 1;
            if (__atomic_compare_exchange_n(&cpu->sipi_state, &expected, 0, false,
                                            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                return false;
            continue;           /* a SIPI landed just now */
        }
        cpu_relax();
    }
    __atomic_store_n(&cpu->sipi_state, 0, __ATOMIC_RELEASE);
    *vector = (uint8_t)(s - 2);
    return true;
}
