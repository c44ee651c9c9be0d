/* Runs in the management partition: milliseconds since boot from the TSC.
 * Standalone, the TSC rate is measured against PIT channel 2 (gate on port
 * 0x61, no interrupt needed); under onestone it comes in the boot params. */
#include "guest/mgmt/mgmt.h"
#include "arch/io.h"

#define PIT_HZ        1193182u
#define PIT_CH2       0x42
#define PIT_MODE      0x43
#define PIT_GATE_PORT 0x61
#define CALIBRATE_MS  50u

static uint64_t tsc_khz;
static uint64_t tsc_at_boot;

static uint64_t measure_tsc_khz(void)
{
    unsigned count = PIT_HZ * CALIBRATE_MS / 1000u;
    uint8_t gate = inb(PIT_GATE_PORT);
    outb(PIT_GATE_PORT, (uint8_t)((gate & ~0x02) | 0x01));   /* gate on, speaker off */
    outb(PIT_MODE, 0xB0);                                       /* ch2, lo/hi, mode 0 */
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    uint64_t start = rdtsc();
    /* OUT2 (bit 5) rises when the count reaches zero; bounded spin */
    for (uint64_t spin = 0; !(inb(PIT_GATE_PORT) & 0x20); spin++)
        if (spin > 500000000ull)
            mgmt_halt("the PIT never counted down: cannot measure the TSC rate");
    uint64_t end = rdtsc();
    outb(PIT_GATE_PORT, gate);
    return (end - start) / CALIBRATE_MS;
}

void time_init(uint64_t khz)
{
    tsc_at_boot = rdtsc();
    tsc_khz = khz ? khz : measure_tsc_khz();
    if (tsc_khz == 0)
        mgmt_halt("TSC rate measured as 0 kHz");
}

uint64_t time_tsc_khz(void)
{
    return tsc_khz;
}

uint64_t time_ms(void)
{
    return (rdtsc() - tsc_at_boot) / tsc_khz;
}

void time_delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz / 1000;
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

/* lwIP's clock */
uint32_t sys_now(void);
uint32_t sys_now(void)
{
    return (uint32_t)time_ms();
}
