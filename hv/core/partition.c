/* Runs in VMX root and in host unit tests: the pure rules of the partition
 * model (hv/core/partition.h). */
#include "hv/core/partition.h"

struct partition hv_partitions[HV_PARTITIONS_MAX];
unsigned hv_partition_count;

bool partition_sees_pci(const struct partition *p, uint16_t bdf)
{
    bool listed = false;
    for (unsigned i = 0; i < p->pci_count; i++)
        if (p->pci_bdf[i] == bdf)
            listed = true;
    return p->sees_only_listed ? listed : !listed;
}

bool partition_port_concealed(const struct partition *p, uint16_t port, unsigned size)
{
    uint32_t first = port, last = (uint32_t)port + size - 1;
    for (unsigned i = 0; i < p->concealed_port_count; i++) {
        uint32_t base = p->concealed_ports[i].base;
        uint32_t end = base + p->concealed_ports[i].size - 1;
        if (p->concealed_ports[i].size && first <= end && last >= base)
            return true;
    }
    return false;
}

uint64_t partition_ram_to_machine(const struct partition *p, uint64_t gpa, uint64_t len)
{
    if (p->kind == PARTITION_PRIMARY || len > p->mem_bytes || gpa > p->mem_bytes - len)
        return 0;
    return p->mem_hpa + gpa;
}

const char *partition_state_name(enum partition_state s)
{
    switch (s) {
    case PARTITION_STOPPED: return "stopped";
    case PARTITION_RUNNING: return "running";
    case PARTITION_FAILED:  return "failed";
    }
    return "?";
}

struct partition *partition_mgmt(void)
{
    for (unsigned i = 0; i < hv_partition_count; i++)
        if (hv_partitions[i].kind == PARTITION_MGMT)
            return &hv_partitions[i];
    return 0;
}
