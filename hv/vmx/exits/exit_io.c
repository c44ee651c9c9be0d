/* Runs in VMX root: IN/OUT exits. The primary partition traps only the PCI
 * configuration ports, other partitions' I/O BARs and, when onestone
 * serves its console, the console UART (I/O bitmaps, set when another
 * partition exists); a management partition
 * traps every port and owns none but configuration space
 * (hv/core/pci_cfg.h): any other port stops it. */
#include "hv/vmx/exits/exits.h"
#include "hv/core/console.h"
#include "hv/core/pci_cfg.h"
#include "hv/core/log.h"
#include "hv/vmx/vmx_ops.h"
#include "arch/io.h"

/* exit qualification of an I/O instruction (SDM 3C table 28-5) */
#define IO_QUAL_SIZE(q)   ((unsigned)((q) & 7) + 1)
#define IO_QUAL_IN        (1u << 3)
#define IO_QUAL_STRING    (1u << 4)
#define IO_QUAL_PORT(q)   ((uint16_t)((q) >> 16))

void handle_io(struct percpu *cpu, struct guest_regs *regs)
{
    uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);
    unsigned size = IO_QUAL_SIZE(q);
    bool is_in = (q & IO_QUAL_IN) != 0;
    uint16_t port = IO_QUAL_PORT(q);
    if (q & IO_QUAL_STRING) {
        /* INS/OUTS to configuration space: no driver does this */
        if (cpu->part->kind == PARTITION_MGMT) {
            mgmt_contain(cpu, regs, "string I/O instruction");
            return;
        }
        exit_inject_exception(cpu, VECTOR_GP, true, 0);
        return;
    }
    uint64_t rax = regs->gpr[GPR_RAX];
    uint32_t value = (uint32_t)rax;
    if (cpu->part->kind == PARTITION_PRIMARY && console_owns(port)) {
        /* onestone's console UART: the primary's transmit-only stand-in */
        uint32_t got = 0;
        for (unsigned i = 0; i < size; i++)
            got |= (uint32_t)console_primary_io((unsigned)(port + i) & 7, is_in,
                                                (uint8_t)(value >> (8 * i))) << (8 * i);
        value = got;
    } else if (partition_port_concealed(cpu->part, port, size)) {
        /* another partition's device: as if nothing decoded the port */
        if (++cpu->part->concealed_port_accesses <= 4)
            LOG_WARN_("%s partition: I/O port 0x%x (%s) belongs to another partition's device: "
                      "%s%s", cpu->part->name, port, is_in ? "read" : "write",
                      is_in ? "reads all-ones" : "dropped",
                      cpu->part->concealed_port_accesses == 4 ? "; further ones are counted" : "");
        value = 0xFFFFFFFFu;
    } else if (!pci_cfg_port_access(cpu->part, &cpu->pci_cf8, port, size, is_in, &value)) {
        if (cpu->part->kind == PARTITION_MGMT) {
            mgmt_contain(cpu, regs, "I/O port the partition does not own");
            return;
        }
        /* 0xCF9-0xCFB and byte/word 0xCF8 (reset control and friends)
         * are the primary's: done as asked */
        value = port_access(port, size, is_in, value);
    }
    if (is_in) {
        if (size == 4)
            regs->gpr[GPR_RAX] = value;     /* a 32-bit result zero-extends */
        else {
            uint64_t mask = size == 1 ? 0xFFull : 0xFFFFull;
            regs->gpr[GPR_RAX] = (rax & ~mask) | (value & mask);
        }
    }
    exit_advance_rip();
}
