/* Runs on the management partition's boot CPU, only when mgmt.elf is booted
 * directly (QEMU -kernel): turns the multiboot information (memory size,
 * command line) into the boot parameters of the 64-bit entry contract and
 * enters mgmt_entry64 as onestone would. */
#include "guest/mgmt/bootargs.h"
#include "guest/mgmt/mgmt.h"
#include <string.h>

#define MBI_FLAG_MEM     (1u << 0)
#define MBI_FLAG_CMDLINE (1u << 2)

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

void mgmt_entry64(struct mgmt_boot_params *p, uint64_t cpu_index) __attribute__((noreturn));
void multiboot_boot(uint32_t mbi_phys) __attribute__((noreturn));

static struct mgmt_boot_params params;
static char cmdline[1024];

void multiboot_boot(uint32_t mbi_phys)
{
    const struct multiboot_info *mbi = (const void *)(uintptr_t)mbi_phys;
    char err[200];
    console_init();
    if ((mbi->flags & MBI_FLAG_CMDLINE) && mbi->cmdline) {
        strncpy(cmdline, (const char *)(uintptr_t)mbi->cmdline, sizeof cmdline - 1);
    }
    if (mgmt_parse_args(cmdline, &params, err, sizeof err))
        mgmt_halt("%s; the partition does not start", err);
    if (!(mbi->flags & MBI_FLAG_MEM))
        mgmt_halt("the boot loader gave no memory size; the partition does not start");
    params.mem_base = 0;
    params.mem_size = ((uint64_t)mbi->mem_upper + 1024) * 1024;
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1u), "c"(0u));
    params.cpu_count = 1;
    params.cpu_apic_ids[0] = b >> 24;
    mgmt_entry64(&params, 0);
}
