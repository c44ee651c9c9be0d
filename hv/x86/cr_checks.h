/* Shared (VMX root, host unit tests): the checks the CPU makes on MOV to
 * CR0, MOV to CR4 and XSETBV (SDM 2 "MOV-Move to/from Control Registers",
 * "XSETBV"; SDM 1 13.3), made by onestone when such a write exits to it,
 * so that a value real hardware refuses is refused with the same exception
 * in the guest instead of reaching the VMCS (a VM-entry failure) or the
 * hardware (a fault in VMX root). Pure functions of the values given. */
#ifndef HV_CR_CHECKS_H
#define HV_CR_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

/* the guest's state a control-register write is judged against */
struct cr_state {
    uint64_t cr0, cr3, cr4, efer;
    bool cs_long;           /* CS.L: 64-bit code */
};

/* NULL when MOV to CR0 with VALUE is valid; else why it raises #GP */
const char *cr0_write_fault(const struct cr_state *s, uint64_t value);

/* NULL when MOV to CR4 with VALUE is valid; else why it raises #GP.
 * ALLOWED: the CR4 bits this CPU supports and the guest may set. */
const char *cr4_write_fault(const struct cr_state *s, uint64_t value, uint64_t allowed);

/* true when a PAE page-directory-pointer-table entry may be loaded: not
 * present, or no reserved bit set (2:1, 8:5, and MAXPHYADDR..63) */
bool pae_pdpte_valid(uint64_t pdpte, unsigned maxphyaddr);

/* 0 when XSETBV(INDEX, VALUE) is valid, else the vector it raises (6 #UD,
 * 13 #GP) with *why set. SUPPORTED: CPUID.(EAX=0DH,ECX=0) EDX:EAX. */
unsigned xsetbv_fault(uint32_t index, uint64_t value, uint64_t supported, unsigned cpl,
                      bool cr4_osxsave, const char **why);

#endif
