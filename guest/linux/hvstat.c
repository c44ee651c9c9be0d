/* Runs in the Linux test guest (user space, static): reads onestone's
 * exit counters through its CPUID leaves (include/onestone/hvabi.h).
 *   hvstat idle SECONDS  per-CPU exits during SECONDS of idle time
 *   hvstat dump          asks onestone to print its counters on COM1 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "onestone/hvabi.h"

static void cpuid(unsigned leaf, unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

static unsigned long long exits_here(void)
{
    unsigned a, b, c, d;
    cpuid(ONESTONE_CPUID_EXIT_COUNT, &a, &b, &c, &d);
    return ((unsigned long long)d << 32) | a;
}

int main(int argc, char **argv)
{
    unsigned a, b, c, d;
    cpuid(ONESTONE_CPUID_SIGNATURE, &a, &b, &c, &d);
    if (b != ONESTONE_SIGNATURE_EBX || c != ONESTONE_SIGNATURE_ECX) {
        printf("HVSTAT: onestone not visible (hidden or absent)\n");
        return 1;
    }
    if (argc >= 3 && strcmp(argv[1], "idle") == 0) {
        int secs = atoi(argv[2]);
        int n = (int)sysconf(_SC_NPROCESSORS_ONLN);
        unsigned long long before[64], after[64];
        for (int i = 0; i < n && i < 64; i++) {
            pin(i);
            before[i] = exits_here();
        }
        sleep((unsigned)secs);
        for (int i = 0; i < n && i < 64; i++) {
            pin(i);
            after[i] = exits_here();
            /* one CPUID exit per reading is ours: subtract it */
            unsigned long long delta = after[i] - before[i] - 1;
            printf("HVSTAT: cpu%d idle_exits=%llu over %ds (%llu.%02llu/s)\n", i, delta, secs,
                   delta / (unsigned long long)secs, (delta * 100 / (unsigned long long)secs) % 100);
        }
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "dump") == 0) {
        cpuid(ONESTONE_CPUID_DUMP_STATS, &a, &b, &c, &d);
        printf("HVSTAT: dump %s\n", a ? "printed" : "refused by rate limit");
        return 0;
    }
    fprintf(stderr, "usage: hvstat idle SECONDS | hvstat dump\n");
    return 2;
}
