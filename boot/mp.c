/* Runs in UEFI boot services: finds every CPU through the PI MP Services
 * protocol, checks the APs' VMX features and launches onestone on them.
 * AP procedures run on the AP with the firmware's AP stack; they must not
 * call boot services (the PI spec forbids it), only MP's WhoAmI. */
#include "boot/boot.h"
#include "onestone/efi_mp_services.h"
#include "hv/core/log.h"
#include "hv/vmx/vmx_caps.h"
#include "arch/io.h"

static EFI_GUID mp_guid = EFI_MP_SERVICES_PROTOCOL_GUID;
static EFI_MP_SERVICES_PROTOCOL *mp;
static UINTN cpu_count = 1, bsp_number;

struct ap_result {
    struct vmx_cpu_facts facts;
    INT64 launch_status;
    BOOLEAN ran;
};
static struct ap_result results[PLAN_MAX_CPUS];
static hv_launch_fn ap_launch_fn;

EFI_STATUS mp_init(struct hv_plan *plan)
{
    EFI_STATUS st = uefi_call_wrapper(BS->LocateProtocol, 3, &mp_guid, NULL, (void **)&mp);
    plan->cpu_count = 1;
    plan->cpus[0].apic_id = cpuid(1, 0).ebx >> 24;
    plan->cpus[0].is_bsp = 1;
    if (EFI_ERROR(st)) {
        mp = NULL;
        LOG_WARN_("no MP Services protocol: running on the bootstrap processor only");
        return EFI_SUCCESS;
    }
    UINTN enabled;
    st = mp->GetNumberOfProcessors(mp, &cpu_count, &enabled);
    if (EFI_ERROR(st))
        return st;
    if (cpu_count > PLAN_MAX_CPUS) {
        LOG_ERR("%lu CPUs: onestone supports at most %u", (unsigned long)cpu_count, PLAN_MAX_CPUS);
        return EFI_UNSUPPORTED;
    }
    if (enabled != cpu_count) {
        LOG_ERR("%lu of %lu CPUs are disabled in the firmware: onestone needs them all "
                "enabled to keep every CPU under VMX", (unsigned long)(cpu_count - enabled),
                (unsigned long)cpu_count);
        return EFI_UNSUPPORTED;
    }
    st = mp->WhoAmI(mp, &bsp_number);
    if (EFI_ERROR(st))
        return st;
    for (UINTN i = 0; i < cpu_count; i++) {
        EFI_PROCESSOR_INFORMATION info;
        st = mp->GetProcessorInfo(mp, i, &info);
        if (EFI_ERROR(st))
            return st;
        plan->cpus[i].apic_id = (uint32_t)info.ProcessorId;
        plan->cpus[i].is_bsp = (info.StatusFlag & PROCESSOR_AS_BSP_BIT) != 0;
    }
    plan->cpu_count = (uint32_t)cpu_count;
    return EFI_SUCCESS;
}

UINTN mp_bsp_index(void)
{
    return bsp_number;
}

static UINTN my_number(void)
{
    UINTN n = 0;
    mp->WhoAmI(mp, &n);
    return n;
}

static VOID EFIAPI ap_probe(VOID *arg)
{
    (void)arg;
    UINTN n = my_number();
    if (n < PLAN_MAX_CPUS) {
        cpu_facts_collect(&results[n].facts);
        results[n].ran = TRUE;
    }
}

const char *mp_check_aps(const struct vmx_cpu_facts *bsp, UINTN *bad_cpu)
{
    (void)bsp;
    if (!mp || cpu_count == 1)
        return NULL;
    EFI_STATUS st = mp->StartupAllAPs(mp, ap_probe, FALSE, NULL, 0, NULL, NULL);
    if (EFI_ERROR(st)) {
        *bad_cpu = 1;
        return "MP Services could not run the feature check on the APs";
    }
    for (UINTN i = 0; i < cpu_count; i++) {
        if (i == bsp_number)
            continue;
        *bad_cpu = i;
        if (!results[i].ran)
            return "AP did not run the feature check";
        const char *missing = vmx_missing_feature(&results[i].facts);
        if (missing)
            return missing;
    }
    return NULL;
}

static VOID EFIAPI ap_launch(VOID *arg)
{
    (void)arg;
    UINTN n = my_number();
    if (n < PLAN_MAX_CPUS)
        results[n].launch_status = (INT64)launch_thunk(ap_launch_fn, n);
}

/* Set by the hypervisor (through plan->mgmt.launch_flag_pa) just before a
 * management CPU's VMLAUNCH: 1 launching, 2 VMLAUNCH failed. */
static volatile UINT32 mgmt_launch_flag[PLAN_MAX_CPUS];

UINT64 mp_mgmt_launch_flags(void)
{
    return (UINT64)(UINTN)mgmt_launch_flag;
}

/* A management CPU never comes back from its AP procedure: started without
 * waiting, then watched through its flag, then disabled in MP services so
 * the firmware and its OS do not count or start it. */
static BOOLEAN launch_mgmt_ap(UINTN i)
{
    EFI_EVENT done;
    if (EFI_ERROR(uefi_call_wrapper(BS->CreateEvent, 5, 0, 0, NULL, NULL, &done)))
        return FALSE;
    EFI_STATUS st = mp->StartupThisAP(mp, ap_launch, i, done, 0, NULL, NULL);
    if (EFI_ERROR(st)) {
        LOG_ERR("cpu%lu: MP services could not start it (status 0x%lx)", (unsigned long)i,
                (unsigned long)st);
        return FALSE;
    }
    for (unsigned ms = 0; ms < 5000 && !mgmt_launch_flag[i] && results[i].launch_status == -1;
         ms++)
        uefi_call_wrapper(BS->Stall, 1, 1000);
    uefi_call_wrapper(BS->Stall, 1, 20000);      /* a VMLAUNCH failure shows at once */
    if (mgmt_launch_flag[i] != 1 || results[i].launch_status != -1)
        return FALSE;
    st = mp->EnableDisableAP(mp, i, FALSE, NULL);
    if (EFI_ERROR(st))
        LOG_WARN_("cpu%lu: could not be disabled in MP services (status 0x%lx): the firmware "
                  "still counts it", (unsigned long)i, (unsigned long)st);
    return TRUE;
}

UINTN mp_launch_aps(hv_launch_fn launch, const struct hv_plan *plan)
{
    if (!mp || cpu_count == 1)
        return 0;
    ap_launch_fn = launch;
    for (UINTN i = 0; i < cpu_count; i++)
        results[i].launch_status = -1;
    UINTN failed = 0;
    /* one AP at a time keeps their log lines apart */
    for (UINTN i = 0; i < cpu_count; i++) {
        if (i == bsp_number)
            continue;
        if (plan->cpus[i].partition != PLAN_PARTITION_PRIMARY) {
            if (!launch_mgmt_ap(i)) {
                LOG_ERR("cpu%lu: the management partition did not start on it", (unsigned long)i);
                failed++;
            }
            continue;
        }
        EFI_STATUS st = mp->StartupThisAP(mp, ap_launch, i, NULL, 0, NULL, NULL);
        if (EFI_ERROR(st) || results[i].launch_status != 0) {
            LOG_ERR("cpu%lu: launch failed (status %ld, MP services 0x%lx)", (unsigned long)i,
                    (long)results[i].launch_status, (unsigned long)st);
            failed++;
        }
    }
    return failed;
}
