/* Shared header (VMX root, guests, tools): what a guest can ask onestone.
 * CPUID leaves in the hypervisor range 0x4000_0000 (all hidden, i.e. native
 * results, when onestone.conf says hide_hypervisor = yes). onestone never
 * claims to be Hyper-V: leaf 0x4000_0001 EAX is never "Hv#1". */
#ifndef ONESTONE_HVABI_H
#define ONESTONE_HVABI_H

/* 0x40000000: EAX = highest onestone leaf, EBX:ECX:EDX = "onestone    " */
#define ONESTONE_CPUID_SIGNATURE   0x40000000u
#define ONESTONE_SIGNATURE_EBX     0x73656e6fu   /* "ones" */
#define ONESTONE_SIGNATURE_ECX     0x656e6f74u   /* "tone" */
#define ONESTONE_SIGNATURE_EDX     0x20202020u   /* "    " */
/* 0x40000001: EAX = 0 (no Hyper-V interface), EBX = ABI version,
 * ECX = index of the calling CPU, EDX = number of CPUs onestone runs */
#define ONESTONE_CPUID_INFO        0x40000001u
#define ONESTONE_ABI_VERSION       1u
/* 0x40000002: EAX/EDX = exits taken so far on this CPU (low/high),
 * EBX/ECX = TSC ticks spent handling them (low/high) */
#define ONESTONE_CPUID_EXIT_COUNT  0x40000002u
/* 0x40000003: asks onestone to print its per-CPU exit counters on the
 * console; EAX = 1 when printed, 0 when refused by the rate limit
 * (one dump per 2^24 TSC ticks) */
#define ONESTONE_CPUID_DUMP_STATS  0x40000003u
#define ONESTONE_CPUID_MAX         ONESTONE_CPUID_DUMP_STATS

/* Hypercalls: VMCALL from CPL 0 with RAX = function; other callers get
 * #UD, as on a CPU without a hypervisor. Returns RAX = 0 or a negative
 * error. */
#define ONESTONE_HC_MAGIC                 0x6f6e657300000000ull   /* "ones" << 32 */
/* Sent once by onestone's own boot code when the firmware's boot services
 * end (ExitBootServices): the OS now owns the machine. */
#define ONESTONE_HC_BOOT_SERVICES_ENDED   (ONESTONE_HC_MAGIC | 1)
/* RBX = guest-linear address, RCX = length of one line of text (at most
 * ONESTONE_HC_LOG_MAX bytes, no CR/LF): onestone writes it to its console
 * as it is, whole, under the lock of its own log lines. onestone's boot
 * code uses it once it runs as a guest, so its lines and the hypervisor's
 * never interleave. Rate-limited (a burst of 50, then 20 lines a second);
 * returns -1 for a bad address or length. */
#define ONESTONE_HC_LOG                   (ONESTONE_HC_MAGIC | 2)
#define ONESTONE_HC_LOG_MAX               400u

#endif
