/* Runs in VMX root: the two fatal levels. Today there is one partition on
 * the primary CPUs, so "stop the partition" and "stop the machine" both end
 * in a platform reset after the log says why. */
#ifndef HV_PANIC_H
#define HV_PANIC_H

__attribute__((noreturn)) void platform_reset(const char *why);
/* The same asked for (the console's `reboot --yes`): logged as
 * information, not as an error. */
__attribute__((noreturn)) void platform_reboot(const char *why);

#endif
