/* Runs in VMX root: logs and resets the platform (reset control register
 * 0xCF9, then the keyboard controller, then a forced triple fault). */
#include "hv/core/panic.h"
#include "hv/core/console.h"
#include "hv/core/log.h"
#include "arch/io.h"

static void reset_now(void) __attribute__((noreturn));

void platform_reset(const char *why)
{
    LOG_ERR("platform reset: %s", why);
    reset_now();
}

void platform_reboot(const char *why)
{
    LOG_INF("platform reset: %s", why);
    reset_now();
}

static void reset_now(void)
{
    console_flush();                /* the console's queued lines, the reason included */
    outb(0xCF9, 0x02);
    outb(0xCF9, 0x06);
    for (int i = 0; i < 1000; i++)
        if (!(inb(0x64) & 0x02))
            break;
    outb(0x64, 0xFE);
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } null_idt = { 0, 0 };
    __asm__ volatile("lidt %0; int3" : : "m"(null_idt));
    for (;;)
        __asm__ volatile("cli; hlt");
}
