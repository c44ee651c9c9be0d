/* Runs in VMX root: see guest_insn.h. */
#include "hv/vmx/guest_insn.h"
#include "hv/vmx/guest_mem.h"
#include "hv/vmx/vmx_ops.h"
#include "arch/vmx.h"
#include "arch/x86.h"

static unsigned code_bits(void)
{
    uint64_t cs_ar = vmread(VMCS_GUEST_CS_AR);
    if ((vmread(VMCS_GUEST_EFER) & EFER_LMA) && (cs_ar & (1u << 13)))
        return 64;
    if (!(vmread(VMCS_GUEST_CR0) & CR0_PE))
        return 16;
    return (cs_ar & (1u << 14)) ? 32 : 16;
}

int guest_decode_store(struct guest_store *g, const char **why)
{
    g->rip = vmread(VMCS_GUEST_RIP);
    unsigned bits = code_bits();
    uint64_t linear = (bits == 64 ? 0 : vmread(VMCS_GUEST_CS_BASE)) + g->rip;
    for (unsigned i = 0; i < sizeof g->bytes; i++)
        g->bytes[i] = 0;
    g->nbytes = guest_read_linear(linear, g->bytes, sizeof g->bytes);
    return mmio_decode_store(g->bytes, g->nbytes, bits, &g->st, why);
}
