/* Runs in VMX root: the console's command table (see console_cmds.h);
 * one entry per command, from which `help`, `help CMD`, argument counts
 * and Tab completion all come. */
#include "hv/core/console_cmds.h"

const struct console_cmd console_commands[] = {
    { "version", "version", "onestone's version, build and virtualization extensions", 0, 0,
      cmd_version },
    { "status", "status", "uptime, partitions, compute, console and log in one screen", 0, 0,
      cmd_status },
    { "partitions", "partitions", "each partition: state, CPUs, memory, restarts, violations",
      0, 0, cmd_partitions },
    { "cpus", "cpus", "each CPU: APIC ID, partition, exits and the time spent in them", 0, 0,
      cmd_cpus },
    { "memory", "memory", "onestone's own memory, each partition's, what the primary cannot "
      "see", 0, 0, cmd_memory },
    { "devices", "devices", "PCI functions: owner, BDF, vendor:device, class, interrupt mode",
      0, 0, cmd_devices },
    { "iommu", "iommu", "VT-d units, DMA domains, fault counts and the last faults", 0, 0,
      cmd_iommu },
    { "stats", "stats [CPU]", "exits per CPU (totals, per second over the last second); with "
      "CPU: by reason", 0, 1, cmd_stats },
    { "log", "log [N] [-f]", "the last N lines of the log ring (20; 'all' for every line) with "
      "number, time and CPU; -f: then follow, any key stops", 0, 2, cmd_log },
    { "loglevel", "loglevel [error|warning|info|debug]", "show or set what onestone logs", 0, 1,
      cmd_loglevel },
    { "config", "config", "the active configuration (onestone.conf as parsed; the token is "
      "not shown)", 0, 0, cmd_config },
    { "mgmt", "mgmt status|restart|stop|start", "the management partition: show it, restart "
      "it from its pristine kernel, stop it, start it", 1, 1, cmd_mgmt },
    { "compute", "compute status|pause|resume", "compute jobs in the management partition: "
      "pause at the next checkpoint, resume where they were", 1, 1, cmd_compute },
    { "reboot", "reboot --yes", "reset the machine at once (every partition)", 0, 1,
      cmd_reboot },
    { "poweroff", "poweroff --yes", "switch the machine off at once (ACPI S5)", 0, 1,
      cmd_poweroff },
    { 0 },
};

const char *const console_words[] = {
    "help", "version", "status", "partitions", "cpus", "memory", "devices", "iommu", "stats",
    "log", "loglevel", "config", "mgmt", "compute", "reboot", "poweroff", 0,
};
