/* Shared header (VMX root code and host unit tests): Intel VT-x names from
 * the SDM vol. 3C, appendix B (VMCS field encodings), appendix C (basic exit
 * reasons), chapter 24 (control bits) and appendix A (capability MSRs). */
#ifndef ARCH_VMX_H
#define ARCH_VMX_H

/* ---- VMCS field encodings (SDM 3C appendix B) ---- */
enum vmcs_field {
    /* 16-bit control */
    VMCS_VPID                     = 0x0000,
    /* 16-bit guest state */
    VMCS_GUEST_ES_SEL             = 0x0800,
    VMCS_GUEST_CS_SEL             = 0x0802,
    VMCS_GUEST_SS_SEL             = 0x0804,
    VMCS_GUEST_DS_SEL             = 0x0806,
    VMCS_GUEST_FS_SEL             = 0x0808,
    VMCS_GUEST_GS_SEL             = 0x080A,
    VMCS_GUEST_LDTR_SEL           = 0x080C,
    VMCS_GUEST_TR_SEL             = 0x080E,
    /* 16-bit host state */
    VMCS_HOST_ES_SEL              = 0x0C00,
    VMCS_HOST_CS_SEL              = 0x0C02,
    VMCS_HOST_SS_SEL              = 0x0C04,
    VMCS_HOST_DS_SEL              = 0x0C06,
    VMCS_HOST_FS_SEL              = 0x0C08,
    VMCS_HOST_GS_SEL              = 0x0C0A,
    VMCS_HOST_TR_SEL              = 0x0C0C,
    /* 64-bit control */
    VMCS_IO_BITMAP_A              = 0x2000,
    VMCS_IO_BITMAP_B              = 0x2002,
    VMCS_MSR_BITMAP               = 0x2004,
    VMCS_EXIT_MSR_STORE_ADDR      = 0x2006,
    VMCS_EXIT_MSR_LOAD_ADDR       = 0x2008,
    VMCS_ENTRY_MSR_LOAD_ADDR      = 0x200A,
    VMCS_TSC_OFFSET               = 0x2010,
    VMCS_EPT_POINTER              = 0x201A,
    /* 64-bit read-only */
    VMCS_GUEST_PHYSICAL_ADDR      = 0x2400,
    /* 64-bit guest state */
    VMCS_LINK_POINTER             = 0x2800,
    VMCS_GUEST_DEBUGCTL           = 0x2802,
    VMCS_GUEST_PAT                = 0x2804,
    VMCS_GUEST_EFER               = 0x2806,
    VMCS_GUEST_PDPTE0             = 0x280A,
    VMCS_GUEST_PDPTE1             = 0x280C,
    VMCS_GUEST_PDPTE2             = 0x280E,
    VMCS_GUEST_PDPTE3             = 0x2810,
    /* 64-bit host state */
    VMCS_HOST_PAT                 = 0x2C00,
    VMCS_HOST_EFER                = 0x2C02,
    /* 32-bit control */
    VMCS_PIN_CONTROLS             = 0x4000,
    VMCS_PROC_CONTROLS            = 0x4002,
    VMCS_EXCEPTION_BITMAP         = 0x4004,
    VMCS_PF_ERROR_MASK            = 0x4006,
    VMCS_PF_ERROR_MATCH           = 0x4008,
    VMCS_CR3_TARGET_COUNT         = 0x400A,
    VMCS_EXIT_CONTROLS            = 0x400C,
    VMCS_EXIT_MSR_STORE_COUNT     = 0x400E,
    VMCS_EXIT_MSR_LOAD_COUNT      = 0x4010,
    VMCS_ENTRY_CONTROLS           = 0x4012,
    VMCS_ENTRY_MSR_LOAD_COUNT     = 0x4014,
    VMCS_ENTRY_INTR_INFO          = 0x4016,
    VMCS_ENTRY_EXCEPTION_ERRCODE  = 0x4018,
    VMCS_ENTRY_INSTR_LEN          = 0x401A,
    VMCS_TPR_THRESHOLD            = 0x401C,
    VMCS_PROC_CONTROLS2           = 0x401E,
    /* 32-bit read-only */
    VMCS_INSTR_ERROR              = 0x4400,
    VMCS_EXIT_REASON              = 0x4402,
    VMCS_EXIT_INTR_INFO           = 0x4404,
    VMCS_EXIT_INTR_ERRCODE        = 0x4406,
    VMCS_IDT_VECTORING_INFO       = 0x4408,
    VMCS_IDT_VECTORING_ERRCODE    = 0x440A,
    VMCS_EXIT_INSTR_LEN           = 0x440C,
    VMCS_EXIT_INSTR_INFO          = 0x440E,
    /* 32-bit guest state */
    VMCS_GUEST_ES_LIMIT           = 0x4800,
    VMCS_GUEST_CS_LIMIT           = 0x4802,
    VMCS_GUEST_SS_LIMIT           = 0x4804,
    VMCS_GUEST_DS_LIMIT           = 0x4806,
    VMCS_GUEST_FS_LIMIT           = 0x4808,
    VMCS_GUEST_GS_LIMIT           = 0x480A,
    VMCS_GUEST_LDTR_LIMIT         = 0x480C,
    VMCS_GUEST_TR_LIMIT           = 0x480E,
    VMCS_GUEST_GDTR_LIMIT         = 0x4810,
    VMCS_GUEST_IDTR_LIMIT         = 0x4812,
    VMCS_GUEST_ES_AR              = 0x4814,
    VMCS_GUEST_CS_AR              = 0x4816,
    VMCS_GUEST_SS_AR              = 0x4818,
    VMCS_GUEST_DS_AR              = 0x481A,
    VMCS_GUEST_FS_AR              = 0x481C,
    VMCS_GUEST_GS_AR              = 0x481E,
    VMCS_GUEST_LDTR_AR            = 0x4820,
    VMCS_GUEST_TR_AR              = 0x4822,
    VMCS_GUEST_INTERRUPTIBILITY   = 0x4824,
    VMCS_GUEST_ACTIVITY_STATE     = 0x4826,
    VMCS_GUEST_SYSENTER_CS        = 0x482A,
    VMCS_PREEMPTION_TIMER_VALUE   = 0x482E,
    /* 32-bit host state */
    VMCS_HOST_SYSENTER_CS         = 0x4C00,
    /* natural-width control */
    VMCS_CR0_GUEST_HOST_MASK      = 0x6000,
    VMCS_CR4_GUEST_HOST_MASK      = 0x6002,
    VMCS_CR0_READ_SHADOW          = 0x6004,
    VMCS_CR4_READ_SHADOW          = 0x6006,
    /* natural-width read-only */
    VMCS_EXIT_QUALIFICATION       = 0x6400,
    VMCS_GUEST_LINEAR_ADDR        = 0x640A,
    /* natural-width guest state */
    VMCS_GUEST_CR0                = 0x6800,
    VMCS_GUEST_CR3                = 0x6802,
    VMCS_GUEST_CR4                = 0x6804,
    VMCS_GUEST_ES_BASE            = 0x6806,
    VMCS_GUEST_CS_BASE            = 0x6808,
    VMCS_GUEST_SS_BASE            = 0x680A,
    VMCS_GUEST_DS_BASE            = 0x680C,
    VMCS_GUEST_FS_BASE            = 0x680E,
    VMCS_GUEST_GS_BASE            = 0x6810,
    VMCS_GUEST_LDTR_BASE          = 0x6812,
    VMCS_GUEST_TR_BASE            = 0x6814,
    VMCS_GUEST_GDTR_BASE          = 0x6816,
    VMCS_GUEST_IDTR_BASE          = 0x6818,
    VMCS_GUEST_DR7                = 0x681A,
    VMCS_GUEST_RSP                = 0x681C,
    VMCS_GUEST_RIP                = 0x681E,
    VMCS_GUEST_RFLAGS             = 0x6820,
    VMCS_GUEST_PENDING_DBG        = 0x6822,
    VMCS_GUEST_SYSENTER_ESP       = 0x6824,
    VMCS_GUEST_SYSENTER_EIP       = 0x6826,
    /* natural-width host state */
    VMCS_HOST_CR0                 = 0x6C00,
    VMCS_HOST_CR3                 = 0x6C02,
    VMCS_HOST_CR4                 = 0x6C04,
    VMCS_HOST_FS_BASE             = 0x6C06,
    VMCS_HOST_GS_BASE             = 0x6C08,
    VMCS_HOST_TR_BASE             = 0x6C0A,
    VMCS_HOST_GDTR_BASE           = 0x6C0C,
    VMCS_HOST_IDTR_BASE           = 0x6C0E,
    VMCS_HOST_SYSENTER_ESP        = 0x6C10,
    VMCS_HOST_SYSENTER_EIP        = 0x6C12,
    VMCS_HOST_RSP                 = 0x6C14,
    VMCS_HOST_RIP                 = 0x6C16,
};

/* ---- Basic exit reasons (SDM 3C appendix C) ---- */
enum vmx_exit_reason {
    EXIT_REASON_EXCEPTION_NMI      = 0,
    EXIT_REASON_EXTERNAL_INTERRUPT = 1,
    EXIT_REASON_TRIPLE_FAULT       = 2,
    EXIT_REASON_INIT               = 3,
    EXIT_REASON_SIPI               = 4,
    EXIT_REASON_IO_SMI             = 5,
    EXIT_REASON_OTHER_SMI          = 6,
    EXIT_REASON_INTERRUPT_WINDOW   = 7,
    EXIT_REASON_NMI_WINDOW         = 8,
    EXIT_REASON_TASK_SWITCH        = 9,
    EXIT_REASON_CPUID              = 10,
    EXIT_REASON_GETSEC             = 11,
    EXIT_REASON_HLT                = 12,
    EXIT_REASON_INVD               = 13,
    EXIT_REASON_INVLPG             = 14,
    EXIT_REASON_RDPMC              = 15,
    EXIT_REASON_RDTSC              = 16,
    EXIT_REASON_RSM                = 17,
    EXIT_REASON_VMCALL             = 18,
    EXIT_REASON_VMCLEAR            = 19,
    EXIT_REASON_VMLAUNCH           = 20,
    EXIT_REASON_VMPTRLD            = 21,
    EXIT_REASON_VMPTRST            = 22,
    EXIT_REASON_VMREAD             = 23,
    EXIT_REASON_VMRESUME           = 24,
    EXIT_REASON_VMWRITE            = 25,
    EXIT_REASON_VMXOFF             = 26,
    EXIT_REASON_VMXON              = 27,
    EXIT_REASON_CR_ACCESS          = 28,
    EXIT_REASON_DR_ACCESS          = 29,
    EXIT_REASON_IO_INSTRUCTION     = 30,
    EXIT_REASON_RDMSR              = 31,
    EXIT_REASON_WRMSR              = 32,
    EXIT_REASON_INVALID_GUEST_STATE = 33,
    EXIT_REASON_MSR_LOADING        = 34,
    EXIT_REASON_MWAIT              = 36,
    EXIT_REASON_MONITOR_TRAP_FLAG  = 37,
    EXIT_REASON_MONITOR            = 39,
    EXIT_REASON_PAUSE              = 40,
    EXIT_REASON_MACHINE_CHECK      = 41,
    EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
    EXIT_REASON_APIC_ACCESS        = 44,
    EXIT_REASON_VIRTUALIZED_EOI    = 45,
    EXIT_REASON_GDTR_IDTR          = 46,
    EXIT_REASON_LDTR_TR            = 47,
    EXIT_REASON_EPT_VIOLATION      = 48,
    EXIT_REASON_EPT_MISCONFIG      = 49,
    EXIT_REASON_INVEPT             = 50,
    EXIT_REASON_RDTSCP             = 51,
    EXIT_REASON_PREEMPTION_TIMER   = 52,
    EXIT_REASON_INVVPID            = 53,
    EXIT_REASON_WBINVD             = 54,
    EXIT_REASON_XSETBV             = 55,
    EXIT_REASON_APIC_WRITE         = 56,
    EXIT_REASON_RDRAND             = 57,
    EXIT_REASON_INVPCID            = 58,
    EXIT_REASON_VMFUNC             = 59,
    EXIT_REASON_ENCLS              = 60,
    EXIT_REASON_RDSEED             = 61,
    EXIT_REASON_PML_FULL           = 62,
    EXIT_REASON_XSAVES             = 63,
    EXIT_REASON_XRSTORS            = 64,
    EXIT_REASON_MAX                = 70,   /* table size: reasons 0..69 */
};
#define EXIT_REASON_BASIC_MASK          0xFFFFu
#define EXIT_REASON_ENTRY_FAILURE       (1u << 31)

/* ---- Pin-based controls (SDM 3C 24.6.1) ---- */
#define PIN_EXTERNAL_INTERRUPT_EXITING  (1u << 0)
#define PIN_NMI_EXITING                 (1u << 3)
#define PIN_VIRTUAL_NMIS                (1u << 5)
#define PIN_PREEMPTION_TIMER            (1u << 6)

/* ---- Primary processor-based controls (24.6.2, table 24-6) ---- */
#define PROC_INTERRUPT_WINDOW_EXITING   (1u << 2)
#define PROC_USE_TSC_OFFSETTING         (1u << 3)
#define PROC_HLT_EXITING                (1u << 7)
#define PROC_INVLPG_EXITING             (1u << 9)
#define PROC_MWAIT_EXITING              (1u << 10)
#define PROC_RDPMC_EXITING              (1u << 11)
#define PROC_RDTSC_EXITING              (1u << 12)
#define PROC_CR3_LOAD_EXITING           (1u << 15)
#define PROC_CR3_STORE_EXITING          (1u << 16)
#define PROC_CR8_LOAD_EXITING           (1u << 19)
#define PROC_CR8_STORE_EXITING          (1u << 20)
#define PROC_USE_TPR_SHADOW             (1u << 21)
#define PROC_NMI_WINDOW_EXITING         (1u << 22)
#define PROC_MOV_DR_EXITING             (1u << 23)
#define PROC_UNCONDITIONAL_IO_EXITING   (1u << 24)
#define PROC_USE_IO_BITMAPS             (1u << 25)
#define PROC_MONITOR_TRAP_FLAG          (1u << 27)
#define PROC_USE_MSR_BITMAPS            (1u << 28)
#define PROC_MONITOR_EXITING            (1u << 29)
#define PROC_PAUSE_EXITING              (1u << 30)
#define PROC_ACTIVATE_SECONDARY         (1u << 31)

/* ---- Secondary processor-based controls (table 24-7) ---- */
#define PROC2_VIRTUALIZE_APIC_ACCESSES  (1u << 0)
#define PROC2_ENABLE_EPT                (1u << 1)
#define PROC2_DESCRIPTOR_TABLE_EXITING  (1u << 2)
#define PROC2_ENABLE_RDTSCP             (1u << 3)
#define PROC2_VIRTUALIZE_X2APIC         (1u << 4)
#define PROC2_ENABLE_VPID               (1u << 5)
#define PROC2_WBINVD_EXITING            (1u << 6)
#define PROC2_UNRESTRICTED_GUEST        (1u << 7)
#define PROC2_PAUSE_LOOP_EXITING        (1u << 10)
#define PROC2_RDRAND_EXITING            (1u << 11)
#define PROC2_ENABLE_INVPCID            (1u << 12)
#define PROC2_ENABLE_VMFUNC             (1u << 13)
#define PROC2_RDSEED_EXITING            (1u << 16)
#define PROC2_ENABLE_XSAVES             (1u << 20)

/* ---- VM-exit controls (table 24-13) ---- */
#define EXIT_SAVE_DEBUG_CONTROLS        (1u << 2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE    (1u << 9)
#define EXIT_LOAD_PERF_GLOBAL_CTRL      (1u << 12)
#define EXIT_ACK_INTERRUPT_ON_EXIT      (1u << 15)
#define EXIT_SAVE_PAT                   (1u << 18)
#define EXIT_LOAD_PAT                   (1u << 19)
#define EXIT_SAVE_EFER                  (1u << 20)
#define EXIT_LOAD_EFER                  (1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER      (1u << 22)

/* ---- VM-entry controls (table 24-15) ---- */
#define ENTRY_LOAD_DEBUG_CONTROLS       (1u << 2)
#define ENTRY_IA32E_MODE_GUEST          (1u << 9)
#define ENTRY_LOAD_PAT                  (1u << 14)
#define ENTRY_LOAD_EFER                 (1u << 15)

/* ---- Guest activity states (24.4.2) ---- */
#define GUEST_ACTIVITY_ACTIVE           0u
#define GUEST_ACTIVITY_HLT              1u
#define GUEST_ACTIVITY_SHUTDOWN         2u
#define GUEST_ACTIVITY_WAIT_FOR_SIPI    3u

/* ---- Guest interruptibility state (24.4.2) ---- */
#define INTERRUPTIBILITY_STI            (1u << 0)
#define INTERRUPTIBILITY_MOV_SS         (1u << 1)
#define INTERRUPTIBILITY_NMI            (1u << 3)

/* ---- VM-entry / VM-exit interruption information (24.8.3, 24.9.2) ---- */
#define INTR_INFO_VECTOR_MASK           0xFFu
#define INTR_INFO_TYPE_SHIFT            8
#define INTR_TYPE_EXTERNAL              0u
#define INTR_TYPE_NMI                   2u
#define INTR_TYPE_HW_EXCEPTION          3u
#define INTR_TYPE_SW_EXCEPTION          6u
#define INTR_INFO_DELIVER_ERRCODE       (1u << 11)
#define INTR_INFO_NMI_UNBLOCKING        (1u << 12)
#define INTR_INFO_VALID                 (1u << 31)

/* ---- Segment access-rights format in the VMCS (24.4.1) ---- */
#define VMX_AR_UNUSABLE                 (1u << 16)

/* ---- Capability MSR fields (appendix A) ---- */
#define VMX_BASIC_REVISION_MASK         0x7FFFFFFFull
#define VMX_BASIC_VMCS_SIZE(b)          (((b) >> 32) & 0x1FFFu)
#define VMX_BASIC_TRUE_CONTROLS         (1ull << 55)
#define VMX_MISC_ACTIVITY_HLT           (1ull << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN      (1ull << 7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI     (1ull << 8)
#define VMX_EPT_EXECUTE_ONLY            (1ull << 0)
#define VMX_EPT_PAGE_WALK_4             (1ull << 6)
#define VMX_EPT_MEMTYPE_UC              (1ull << 8)
#define VMX_EPT_MEMTYPE_WB              (1ull << 14)
#define VMX_EPT_2MB_PAGE                (1ull << 16)
#define VMX_EPT_1GB_PAGE                (1ull << 17)
#define VMX_EPT_INVEPT                  (1ull << 20)
#define VMX_EPT_AD_BITS                 (1ull << 21)
#define VMX_EPT_INVEPT_SINGLE_CONTEXT   (1ull << 25)
#define VMX_EPT_INVEPT_ALL_CONTEXT      (1ull << 26)
#define VMX_VPID_INVVPID                (1ull << 32)
#define VMX_VPID_INVVPID_ADDRESS        (1ull << 40)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT (1ull << 41)
#define VMX_VPID_INVVPID_ALL_CONTEXT    (1ull << 42)

/* INVEPT / INVVPID types (30.3) */
#define INVEPT_SINGLE_CONTEXT           1ull
#define INVEPT_ALL_CONTEXT              2ull
#define INVVPID_SINGLE_CONTEXT          1ull
#define INVVPID_ALL_CONTEXT             2ull

/* ---- Exit qualification: control-register accesses (table 27-3) ---- */
#define CRQ_CR_NUMBER(q)                ((q) & 0xFu)
#define CRQ_ACCESS_TYPE(q)              (((q) >> 4) & 0x3u)
#define CRQ_ACCESS_MOV_TO_CR            0u
#define CRQ_ACCESS_MOV_FROM_CR          1u
#define CRQ_ACCESS_CLTS                 2u
#define CRQ_ACCESS_LMSW                 3u
#define CRQ_GPR(q)                      (((q) >> 8) & 0xFu)
#define CRQ_LMSW_SOURCE(q)              (((q) >> 16) & 0xFFFFu)

/* ---- Exit qualification: EPT violations (table 27-7) ---- */
#define EPTQ_READ                       (1ull << 0)
#define EPTQ_WRITE                      (1ull << 1)
#define EPTQ_FETCH                      (1ull << 2)
#define EPTQ_READABLE                   (1ull << 3)
#define EPTQ_WRITABLE                   (1ull << 4)
#define EPTQ_EXECUTABLE                 (1ull << 5)
#define EPTQ_LINEAR_VALID               (1ull << 7)
#define EPTQ_NMI_UNBLOCKING             (1ull << 12)

/* VM-instruction error numbers worth naming (30.4) */
#define VMXERR_ENTRY_INVALID_CONTROLS   7u
#define VMXERR_ENTRY_INVALID_HOST_STATE 8u

#endif
