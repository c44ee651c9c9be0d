/* Runs in VMX root and host unit tests: names from SDM 3C appendix C
 * (exit reasons), table 27-3 (CR access), table 27-7 (EPT violation) and
 * 30.4 (VM-instruction errors). */
#include "hv/vmx/exits/exit_decode.h"
#include "hv/core/log.h"
#include "arch/vmx.h"

static const char *const reason_names[EXIT_REASON_MAX] = {
    [EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
    [EXIT_REASON_EXTERNAL_INTERRUPT] = "external interrupt",
    [EXIT_REASON_TRIPLE_FAULT] = "triple fault",
    [EXIT_REASON_INIT] = "INIT signal",
    [EXIT_REASON_SIPI] = "start-up IPI",
    [EXIT_REASON_IO_SMI] = "I/O SMI",
    [EXIT_REASON_OTHER_SMI] = "other SMI",
    [EXIT_REASON_INTERRUPT_WINDOW] = "interrupt window",
    [EXIT_REASON_NMI_WINDOW] = "NMI window",
    [EXIT_REASON_TASK_SWITCH] = "task switch",
    [EXIT_REASON_CPUID] = "CPUID",
    [EXIT_REASON_GETSEC] = "GETSEC",
    [EXIT_REASON_HLT] = "HLT",
    [EXIT_REASON_INVD] = "INVD",
    [EXIT_REASON_INVLPG] = "INVLPG",
    [EXIT_REASON_RDPMC] = "RDPMC",
    [EXIT_REASON_RDTSC] = "RDTSC",
    [EXIT_REASON_RSM] = "RSM",
    [EXIT_REASON_VMCALL] = "VMCALL",
    [EXIT_REASON_VMCLEAR] = "VMCLEAR",
    [EXIT_REASON_VMLAUNCH] = "VMLAUNCH",
    [EXIT_REASON_VMPTRLD] = "VMPTRLD",
    [EXIT_REASON_VMPTRST] = "VMPTRST",
    [EXIT_REASON_VMREAD] = "VMREAD",
    [EXIT_REASON_VMRESUME] = "VMRESUME",
    [EXIT_REASON_VMWRITE] = "VMWRITE",
    [EXIT_REASON_VMXOFF] = "VMXOFF",
    [EXIT_REASON_VMXON] = "VMXON",
    [EXIT_REASON_CR_ACCESS] = "control-register access",
    [EXIT_REASON_DR_ACCESS] = "debug-register access",
    [EXIT_REASON_IO_INSTRUCTION] = "I/O instruction",
    [EXIT_REASON_RDMSR] = "RDMSR",
    [EXIT_REASON_WRMSR] = "WRMSR",
    [EXIT_REASON_INVALID_GUEST_STATE] = "VM-entry failure: invalid guest state",
    [EXIT_REASON_MSR_LOADING] = "VM-entry failure: MSR loading",
    [EXIT_REASON_MWAIT] = "MWAIT",
    [EXIT_REASON_MONITOR_TRAP_FLAG] = "monitor trap flag",
    [EXIT_REASON_MONITOR] = "MONITOR",
    [EXIT_REASON_PAUSE] = "PAUSE",
    [EXIT_REASON_MACHINE_CHECK] = "VM-entry failure: machine check",
    [EXIT_REASON_TPR_BELOW_THRESHOLD] = "TPR below threshold",
    [EXIT_REASON_APIC_ACCESS] = "APIC access",
    [EXIT_REASON_VIRTUALIZED_EOI] = "virtualized EOI",
    [EXIT_REASON_GDTR_IDTR] = "GDTR/IDTR access",
    [EXIT_REASON_LDTR_TR] = "LDTR/TR access",
    [EXIT_REASON_EPT_VIOLATION] = "EPT violation",
    [EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
    [EXIT_REASON_INVEPT] = "INVEPT",
    [EXIT_REASON_RDTSCP] = "RDTSCP",
    [EXIT_REASON_PREEMPTION_TIMER] = "VMX-preemption timer",
    [EXIT_REASON_INVVPID] = "INVVPID",
    [EXIT_REASON_WBINVD] = "WBINVD",
    [EXIT_REASON_XSETBV] = "XSETBV",
    [EXIT_REASON_APIC_WRITE] = "APIC write",
    [EXIT_REASON_RDRAND] = "RDRAND",
    [EXIT_REASON_INVPCID] = "INVPCID",
    [EXIT_REASON_VMFUNC] = "VMFUNC",
    [EXIT_REASON_ENCLS] = "ENCLS",
    [EXIT_REASON_RDSEED] = "RDSEED",
    [EXIT_REASON_PML_FULL] = "page-modification log full",
    [EXIT_REASON_XSAVES] = "XSAVES",
    [EXIT_REASON_XRSTORS] = "XRSTORS",
};

const char *exit_reason_name(uint32_t basic_reason)
{
    if (basic_reason < EXIT_REASON_MAX && reason_names[basic_reason])
        return reason_names[basic_reason];
    return "unknown exit reason";
}

const char *vm_instruction_error_name(uint32_t error)
{
    switch (error) {
    case 1: return "VMCALL in VMX root";
    case 2: return "VMCLEAR with invalid address";
    case 3: return "VMCLEAR with VMXON pointer";
    case 4: return "VMLAUNCH with non-clear VMCS";
    case 5: return "VMRESUME with non-launched VMCS";
    case 6: return "VMRESUME after VMXOFF";
    case 7: return "VM entry with invalid control field(s)";
    case 8: return "VM entry with invalid host-state field(s)";
    case 9: return "VMPTRLD with invalid address";
    case 10: return "VMPTRLD with VMXON pointer";
    case 11: return "VMPTRLD with incorrect VMCS revision";
    case 12: return "VMREAD/VMWRITE of unsupported field";
    case 13: return "VMWRITE to read-only field";
    case 15: return "VMXON in VMX root";
    case 16: return "VM entry with invalid executive-VMCS pointer";
    case 26: return "VM entry with events blocked by MOV SS";
    case 28: return "invalid operand to INVEPT/INVVPID";
    }
    return "unlisted VM-instruction error";
}

static const char *const cr_access_names[4] = {
    "MOV to CR", "MOV from CR", "CLTS", "LMSW",
};

size_t exit_qualification_decode(uint32_t reason, uint64_t q, char *buf, size_t cap)
{
    switch (reason) {
    case EXIT_REASON_CR_ACCESS:
        return fmt_snprintf(buf, cap, "%s CR%lu, GPR %lu", cr_access_names[CRQ_ACCESS_TYPE(q)],
                            (unsigned long)CRQ_CR_NUMBER(q), (unsigned long)CRQ_GPR(q));
    case EXIT_REASON_EPT_VIOLATION:
        return fmt_snprintf(buf, cap, "%s%s%s access, page was %c%c%c%s",
                            (q & EPTQ_READ) ? "read" : "",
                            (q & EPTQ_WRITE) ? "write" : "",
                            (q & EPTQ_FETCH) ? "fetch" : "",
                            (q & EPTQ_READABLE) ? 'r' : '-',
                            (q & EPTQ_WRITABLE) ? 'w' : '-',
                            (q & EPTQ_EXECUTABLE) ? 'x' : '-',
                            (q & EPTQ_LINEAR_VALID) ? ", linear address valid" : "");
    case EXIT_REASON_SIPI:
        return fmt_snprintf(buf, cap, "vector 0x%lx (start at 0x%lx)",
                            (unsigned long)(q & 0xFF), (unsigned long)((q & 0xFF) << 12));
    case EXIT_REASON_IO_INSTRUCTION:
        return fmt_snprintf(buf, cap, "%s port 0x%lx, size %lu%s%s",
                            (q & 8) ? "in" : "out", (unsigned long)(q >> 16) & 0xFFFF,
                            (unsigned long)(q & 7) + 1, (q & 16) ? ", string" : "",
                            (q & 32) ? ", rep" : "");
    case EXIT_REASON_TRIPLE_FAULT:
    case EXIT_REASON_INIT:
        return fmt_snprintf(buf, cap, "none");
    }
    return fmt_snprintf(buf, cap, "0x%lx", (unsigned long)q);
}
