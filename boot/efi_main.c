/* Runs in UEFI boot services: onestone.efi's entry point. Order matters:
 * nothing is changed on the machine until the configuration and every
 * CPU's features are known good; on any refusal onestone returns to the
 * firmware, whose boot manager goes on to the next boot entry. */
#include "boot/boot.h"
#include "boot/platform_facts.h"
#include "boot/mgmt_units.h"
#include "boot/mgmt_files.h"
#include "boot/mgmt_launch.h"
#include "drivers/uart16550.h"
#include "hv/vmx/entry.h"
#include "hv/core/log.h"
#include "hv/vmx/vmx_caps.h"
#include "arch/vmx.h"
#include "onestone/hvabi.h"

#define ONESTONE_VERSION "0.1"

/* Runs in the guest at ExitBootServices (TPL_NOTIFY, firmware context):
 * tells onestone the OS owns the machine now (hv/vmx/lapic_emul.h says why it
 * cares). */
static VOID EFIAPI on_exit_boot_services(EFI_EVENT event, VOID *context)
{
    (void)event;
    (void)context;
    uint64_t rax = ONESTONE_HC_BOOT_SERVICES_ENDED;
    __asm__ volatile("vmcall" : "+a"(rax) : : "memory");
}

/* Runs in the guest, once this CPU is one: onestone's boot code hands its
 * log lines to the hypervisor, which writes them whole beside its own. */
static void log_through_hypervisor(const char *line, size_t len)
{
    uint64_t rax = ONESTONE_HC_LOG;
    if (len > ONESTONE_HC_LOG_MAX)
        len = ONESTONE_HC_LOG_MAX;
    __asm__ volatile("vmcall" : "+a"(rax) : "b"(line), "c"(len) : "memory");
}

static EFI_STATUS refuse(const char *what, const char *detail)
{
    LOG_ERR("refusing to start: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
    LOG_ERR("returning to the firmware; the next boot entry starts without onestone");
    return EFI_UNSUPPORTED;
}

/* gnu-efi's crt0 calls efi_main with the SysV convention, not EFIAPI */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    InitializeLib(image, systab);
    struct onestone_config config;
    config_defaults(&config);
    uart_init(config.console_port, config.console_baud);
    log_setup(config.console_port, LOG_INFO);
    log_set_mirror(console_mirror_line);
    LOG_INF("onestone %s starting", ONESTONE_VERSION);

    EFI_STATUS st = conf_load(image, &config);
    if (EFI_ERROR(st))
        return refuse("onestone.conf is missing or invalid", "nothing was changed");
    /* what only the machine can answer, by the config line */
    static struct platform_facts facts;
    unsigned resolved[CONFIG_DEVICES_MAX];
    if (config.mgmt.present) {
        struct config_error perr;
        platform_facts_collect(&facts);
        if (mgmt_platform_check(&config.mgmt, &facts, resolved, &perr) != 0) {
            LOG_ERR("onestone.conf:%u: %s", perr.line, perr.message);
            return refuse("onestone.conf does not fit this machine", "nothing was changed");
        }
        if (mgmt_files_check(image, &config.mgmt) != 0)
            return refuse("a file onestone.conf names is missing or invalid",
                          "nothing was changed");
        if (mgmt_units_check(&config.mgmt, &facts, resolved, &perr) != 0)
            return refuse("onestone.conf does not fit this machine", "nothing was changed");
    }
    uart_init(config.console_port, config.console_baud);
    log_setup(config.console_port, config.log_level);
    log_set_mirror(config.console_port ? NULL : console_mirror_line);
    LOG_INF("config: boot %s on %s%s, hide_hypervisor=%s, log_level=%s", config.boot_path,
            config.boot_volume_kind == BOOT_VOLUME_SELF    ? "self"
            : config.boot_volume_kind == BOOT_VOLUME_LABEL ? "label:"
                                                           : "partuuid:",
            config.boot_volume_kind == BOOT_VOLUME_SELF ? "" : config.boot_volume_label,
            config.hide_hypervisor ? "yes" : "no", config_log_level_name(config.log_level));

    char why[200];
    const char *iommu_refusal = iommu_policy_check(&config, why, sizeof why);
    if (iommu_refusal)
        return refuse(iommu_refusal, NULL);
    if (config.selftest == SELFTEST_VTD && config.iommu == IOMMU_REQUIRED) {
        vtd_selftest();
        return refuse("selftest = vtd runs the VT-d self-test only", NULL);
    }

    struct vmx_cpu_facts vmx_facts;
    cpu_facts_collect(&vmx_facts);
    const char *missing = vmx_missing_feature(&vmx_facts);
    if (missing)
        return refuse("this CPU lacks a feature onestone needs", missing);

    struct hv_plan probe;
    SetMem(&probe, sizeof probe, 0);
    st = mp_init(&probe);
    if (EFI_ERROR(st))
        return refuse("cannot enumerate the CPUs", NULL);
    UINTN bad_cpu = 0;
    missing = mp_check_aps(&vmx_facts, &bad_cpu);
    if (missing) {
        LOG_ERR("cpu%lu:", (unsigned long)bad_cpu);
        return refuse("an application processor lacks a feature onestone needs", missing);
    }

    plan_collect_platform(&probe);
    UINT64 map_top = plan_map_top(probe.phys_addr_bits);
    BOOLEAN ept_1g = (vmx_facts.ept_vpid & VMX_EPT_1GB_PAGE) != 0;
    probe.config = config;
    probe.vmx = vmx_facts;
    probe.map_top = map_top;
    if (config.mgmt.present) {
        probe.tsc_khz = mgmt_measure_tsc_khz();     /* the partition's clock */
        if (mgmt_prepare(image, &config.mgmt, &facts, resolved, &probe))
            return refuse("the management partition cannot be laid out", "nothing was changed");
        probe.mgmt.launch_flags_pa = mp_mgmt_launch_flags();
    }
    struct reservation res;
    st = reserve_and_copy(image, &probe, plan_pool_bytes(map_top, probe.cpu_count, ept_1g), &res);
    if (EFI_ERROR(st)) {
        mgmt_undo(&probe);
        return refuse("cannot reserve memory for onestone", NULL);
    }

    struct hv_plan *plan = res.plan;
    st = iommu_reserve(&config, plan, map_top, &plan->protected_ranges);
    if (EFI_ERROR(st)) {
        iommu_undo();
        mgmt_undo(plan);
        uefi_call_wrapper(BS->FreePages, 2, plan->reserved_base, plan->reserved_size / 0x1000);
        return refuse("cannot reserve memory for the VT-d tables", NULL);
    }
    LOG_INF("reserved 0x%lx-0x%lx (%lu KiB) for onestone; %u CPUs; identity map up to 0x%lx",
            plan->reserved_base, plan->reserved_base + plan->reserved_size - 1,
            plan->reserved_size / 1024, plan->cpu_count, plan->map_top);

    hv_prepare_fn prepare = (hv_prepare_fn)((UINT64)(UINTN)hv_prepare + res.delta);
    hv_launch_fn launch = (hv_launch_fn)((UINT64)(UINTN)hv_launch + res.delta);
    int rc = prepare(plan);
    if (rc) {
        LOG_ERR("hypervisor setup failed: %s", hv_error_name(rc));
        iommu_undo();
        mgmt_undo(plan);
        uefi_call_wrapper(BS->FreePages, 2, plan->reserved_base, plan->reserved_size / 0x1000);
        return refuse("hypervisor setup failed", NULL);
    }
    /* translation on before any partition runs */
    st = iommu_enable_primary(&config, plan, &plan->protected_ranges, map_top);
    if (EFI_ERROR(st)) {
        iommu_undo();
        mgmt_undo(plan);
        uefi_call_wrapper(BS->FreePages, 2, plan->reserved_base, plan->reserved_size / 0x1000);
        return refuse("VT-d could not be set up for the primary partition", NULL);
    }

    st = acpi_ensure_madt(plan);
    if (EFI_ERROR(st))
        LOG_WARN_("ACPI: could not install a MADT (status 0x%lx); the OS may see one CPU",
                  (unsigned long)st);

    /* read everything the guest side needs now: once this CPU is a guest,
     * the plan (inside onestone's memory) reads as all-ones */
    UINT32 cpu_count = plan->cpu_count;
    UINT32 mgmt_cpus = plan->mgmt.present ? plan->mgmt.cpu_count : 0;
    UINTN failed_aps = mp_launch_aps(launch, plan);
    if (failed_aps) {
        /* some CPUs may already be guests: the machine is in a mixed state
         * that must not run an OS */
        LOG_ERR("%lu application processor(s) failed to launch; resetting",
                (unsigned long)failed_aps);
        uefi_call_wrapper(RT->ResetSystem, 4, EfiResetCold, EFI_ABORTED, 0, NULL);
    }
    UINT64 bsp_rc = launch_thunk(launch, mp_bsp_index());
    if (bsp_rc) {
        LOG_ERR("the bootstrap processor failed to launch; resetting");
        uefi_call_wrapper(RT->ResetSystem, 4, EfiResetCold, EFI_ABORTED, 0, NULL);
    }
    /* From here on this code runs as a guest, in VMX non-root. */
    log_set_sink(log_through_hypervisor);
    if (mgmt_cpus)
        LOG_INF("%u CPU(s) run the firmware as guests of onestone, %u the management partition",
                cpu_count - mgmt_cpus, mgmt_cpus);
    else
        LOG_INF("all %u CPUs run as guests of onestone; firmware resumed in VMX non-root",
                cpu_count);
    EFI_EVENT ebs_event;
    /* TPL_CALLBACK, created after the firmware's own ExitBootServices
     * handlers: they run first, so the firmware's last AP wake-up (EDK2's
     * MpInitLib parks the APs there) is over when onestone is told */
    st = uefi_call_wrapper(BS->CreateEvent, 5, EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK,
                           on_exit_boot_services, NULL, &ebs_event);
    if (EFI_ERROR(st))
        LOG_WARN_("cannot watch ExitBootServices (status 0x%lx): APIC writes stay emulated",
                  (unsigned long)st);
    return chainload(image, &config);
}
