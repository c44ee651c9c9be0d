/* Runs on the management partition's boot CPU, only when mgmt.elf is booted
 * directly (QEMU -kernel): turns the multiboot information (memory size,
 * command line, CPUs from ACPI) into the boot parameters of the 64-bit
 * entry contract and enters mgmt_entry64 as onestone would. */
#include "guest/mgmt/bootargs.h"
#include "guest/mgmt/mgmt.h"
#include "guest/mgmt/smp.h"
#include <string.h>

#define MBI_FLAG_MEM     (1u << 0)
#define MBI_FLAG_CMDLINE (1u << 2)

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

void multiboot_boot(uint32_t mbi_phys) __attribute__((noreturn));

static struct mgmt_boot_params params;
static char cmdline[1024];

void multiboot_boot(uint32_t mbi_phys)
{
    const struct multiboot_info *mbi = (const void *)(uintptr_t)mbi_phys;
    char err[200];
    console_init(false);
    if ((mbi->flags & MBI_FLAG_CMDLINE) && mbi->cmdline) {
        strncpy(cmdline, (const char *)(uintptr_t)mbi->cmdline, sizeof cmdline - 1);
    }
    if (mgmt_parse_args(cmdline, &params, err, sizeof err))
        mgmt_halt("%s; the partition does not start", err);
    if (!(mbi->flags & MBI_FLAG_MEM))
        mgmt_halt("the boot loader gave no memory size; the partition does not start");
    params.mem_base = 0;
    params.mem_size = ((uint64_t)mbi->mem_upper + 1024) * 1024;
    smp_discover(&params);
    mgmt_entry64(&params, 0);
}
