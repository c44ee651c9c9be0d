#!/bin/sh
# Runs on the host: the Bochs (VT-x) cases of `make test`. Each case builds
# an ESP image, boots OVMF + onestone.efi in Bochs 2.7 and judges what the
# guest and onestone printed on COM1.
# usage: cases.sh CASE WORKDIR   (CASE: visible hidden refuse-no-ept
#                                 bad-config missing-target iommu-required
#                                 triple-fault linux partition
#                                 partition-crash partition-attack linux-partition
#                                 mgmt-platform boot-volume)
set -u
case_name=$1
work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/judge.sh"
B=$root/build
IVY=corei7_ivy_bridge_3770k
mkdir -p "$work"
# the same cases run under QEMU/KVM with nested VMX where the host has it
# (tests/run-all.sh sets RUNNER=kvm-run.sh and CASE_PREFIX=kvm)
runner=$root/tests/lib/${RUNNER:-bochs-run.sh}
judge_init "${CASE_PREFIX:-bochs}-$case_name" "$work/results"
log=$work/run/serial.txt

esp() {  # IMAGE SIZE_MIB CONF_TEXT extra mkesp specs...
    img=$1 size=$2 conf=$3
    shift 3
    # Bochs has no IOMMU: every case but iommu-required says so (first, as
    # a global key must come before any section)
    printf '%s\n%s\n' "${IOMMU_LINE-iommu = off}" "$conf" > "$work/onestone.conf"
    printf 'fs0:\\EFI\\test\\testguest.efi %s\n' "${SHELL_EXPECT:-expect=native}" > "$work/startup.nsh"
    "$root/tools/mkesp.sh" "$img" "$size" "$B/onestone.efi=\\EFI\\BOOT\\BOOTX64.EFI" \
        "$work/onestone.conf=\\EFI\\onestone\\onestone.conf" \
        "$B/testguest.efi=\\EFI\\test\\testguest.efi" "$work/startup.nsh=\\startup.nsh" "$@"
}

boot() {  # MODEL TIMEOUT END_REGEX: an emulator that failed ends the case
    "$runner" "$work/run" "$1" "${CPUS:-2}" "$work/esp.img" "$3" "$2" > /dev/null
    ran_to_end $? "$work/run" "$2" || exit 0
}

END='TESTGUEST-END|platform reset|X64 Exception'
PARTITION_CONF='boot_path = \EFI\test\testguest.efi
boot_args = expect=partition
[mgmt]
kernel = \EFI\onestone\mgmt.elf
cpus = 1
memory = 64M
checkpoint = 2M
devices = 8086:100e
token = t0ken-for-tests
port = 80'

# the cases with a management partition: the e1000 on slirp, and the host
# using its API meanwhile (tests/bochs/partition_probe.py), whose end
# (run/probe.done) ends the machine's run
start_probe() {  # READY_REGEX [MODE]: the primary is done with its own checks
    mkdir -p "$work/run"
    rm -f "$work/run/host_port" "$work/run/probe.done" "$work/status.json" "$work/probe.txt"
    python3 "$root/tests/bochs/partition_probe.py" "$CASE" "$work/run" t0ken-for-tests "${PROBE_TIMEOUT:-800}" "$1" \
        ${2:-} > "$work/probe.txt" 2>&1 &
    probe=$!
}
boot_with_nic() {  # MODEL TIMEOUT END_REGEX
    ONESTONE_BOCHS_NIC_PORT=80 ONESTONE_END_FILE="$work/run/probe.done" boot "$@"
}
end_probe() {
    wait $probe
    grep -E '^(PASS|FAIL): ' "$work/probe.txt" >> "$RESULTS"
    grep -qE '^(PASS|FAIL): ' "$work/probe.txt" ||
        fail "the API probe ran" "$(tail -c 300 "$work/probe.txt")"
}
# the range onestone logged for the partition's memory ("mgmt: memory A-B")
# lies in one reserved region listed by REGEX_FILE's lines (python regex
# with groups start, end and, optionally, pages all-ones / pages)
memory_reserved() {  # LOG REGEX [ONESTONE_LOG]: the guest's log, onestone's (default: the same)
    python3 - "$1" "$2" "${3:-$1}" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
m = re.search(r"mgmt: memory 0x([0-9a-f]+)-0x([0-9a-f]+)", open(sys.argv[3], errors="replace").read())
ok = False
for r in re.finditer(sys.argv[2], text):
    lo, hi = int(r[1], 16), int(r[2], 16)
    full = len(r.groups()) < 4 or r[3] == r[4]
    if m and lo <= int(m[1], 16) and int(m[2], 16) <= hi and full:
        ok = True
sys.exit(0 if ok else 1)
PY
}
case $case_name in
visible)
    esp "$work/esp.img" 16 'boot_path = \EFI\test\testguest.efi
boot_args = expect=visible
hide_hypervisor = no'
    boot $IVY 600 "$END"
    guest_results "$log"
    expect "$log" "onestone launched every CPU" 'all 2 CPUs run as guests of onestone'
    expect "$log" "iommu = off is announced loudly" 'iommu = off: VT-d is not used'
    expect "$log" "firmware AP wake-up went through onestone's INIT/SIPI path" 'SIPI: cpu1 starts at 0x'
    expect "$log" "onestone logged and contained reads of its memory" 'EPT violation on protected memory: .*contained'
    expect "$log" "onestone printed its per-CPU exit counters" 'stats cpu1: reason 10 \(CPUID\)'
    expect "$log" "the management partition's hypercalls are #UD in the primary partition" \
        "PASS: the management partition's hypercalls raise #UD in this partition"
    expect "$log" "guest finished with no failures" 'testguest: [1-9][0-9]* passed, 0 failed'
    expect "$log" "the guest's hostile probes faulted only the guest" 'hostile probes done; onestone still runs this guest'
    expect_not "$log" "onestone never reset the platform" 'platform reset'
    expect_not "$log" "no onestone errors" 'onestone: .*ERROR'
    ;;
hidden)
    esp "$work/esp.img" 16 'boot_path = \EFI\test\testguest.efi
boot_args = expect=hidden
hide_hypervisor = yes'
    boot $IVY 600 "$END"
    guest_results "$log"
    expect "$log" "onestone runs with hide_hypervisor" 'hide_hypervisor=yes'
    expect "$log" "onestone launched every CPU" 'all 2 CPUs run as guests of onestone'
    expect "$log" "guest finished with no failures" 'testguest: [1-9][0-9]* passed, 0 failed'
    expect "$log" "the guest's hostile probes faulted only the guest" 'hostile probes done; onestone still runs this guest'
    expect_not "$log" "onestone never reset the platform" 'platform reset'
    expect_not "$log" "no onestone errors" 'onestone: .*ERROR'
    ;;
refuse-no-ept)
    esp "$work/esp.img" 16 'boot_path = \EFI\test\testguest.efi'
    boot core2_penryn_t9600 600 "$END"
    expect "$log" "onestone names the missing feature" 'refusing to start: this CPU lacks a feature onestone needs: EPT'
    expect_not "$log" "nothing was launched" 'run as guests of onestone'
    guest_results "$log"
    expect "$log" "the firmware booted the guest natively" 'testguest: started natively'
    ;;
bad-config)
    esp "$work/esp.img" 16 'boot_path = \EFI\test\testguest.efi
hide_hypervisor = maybe'
    boot $IVY 600 "$END"
    expect "$log" "onestone names the file, line and problem" "onestone.conf:3: hide_hypervisor: 'maybe' is not yes or no"
    expect "$log" "onestone refuses and changes nothing" 'refusing to start: onestone.conf is missing or invalid: nothing was changed'
    expect_not "$log" "nothing was launched" 'run as guests of onestone'
    guest_results "$log"
    ;;
mgmt-platform)
    # [mgmt] sections onestone.efi must refuse, each by its line, before
    # anything changes (Bochs: 2 CPUs, 512 MiB, i440FX), the firmware then
    # booting the guest natively: first those that parse but do not fit
    # this machine or name a bad file, then malformed ones. Fields: what,
    # line, message (regex), cpus, memory, devices, an extra line at the
    # end of [mgmt], and the kernel file put on the ESP (none, elf, text).
    printf 'not an ELF file, only text\n%.0s' $(seq 20) > "$work/text.elf"
    i=0
    while IFS='|' read -r what line message cpus memory devices extra kfile; do
        i=$((i + 1))
        case $kfile in
        elf)  kspec="$B/mgmt.elf=\\EFI\\onestone\\mgmt.elf" ;;
        text) kspec="$work/text.elf=\\EFI\\onestone\\mgmt.elf" ;;
        *)    kspec="" ;;
        esac
        # shellcheck disable=SC2086
        esp "$work/esp-$i.img" 16 "boot_path = \\EFI\\test\\testguest.efi
[mgmt]
kernel = \\EFI\\onestone\\mgmt.elf
cpus = $cpus
memory = $memory
devices = $devices
token = SECRET
$extra" $kspec
        "$runner" "$work/run-$i" $IVY 2 "$work/esp-$i.img" "$END" 600 > /dev/null
        ran_to_end $? "$work/run-$i" 600 || continue
        l=$work/run-$i/serial.txt
        expect "$l" "$what: refused by its line" "onestone.conf:$line: $message"
        expect "$l" "$what: nothing changed" 'refusing to start: (onestone.conf does not fit this machine|a file onestone.conf names is missing or invalid|onestone.conf is missing or invalid): nothing was changed'
        expect_not "$l" "$what: nothing was launched" 'run as guests of onestone'
        expect "$l" "$what: the firmware booted the guest natively" 'testguest: started natively'
    done <<'LIST'
a device that does not exist|7|devices: 00:19\.0: no PCI function there on this machine|1|64M|00:19.0|# -|elf
the host bridge|7|devices: 00:00\.0 \(00:00\.0\) is a host bridge: only endpoint functions can be given to a partition|1|64M|00:00.0|# -|elf
every CPU|5|cpus: 2 of this machine's 2 CPUs: at least one must stay with the primary partition|2|64M|00:01.2|# -|elf
more memory than the machine has|6|memory: 1024M, but the firmware reports [0-9]+M free and the primary partition keeps at least 256M|1|1G|00:01.2|# -|elf
a kernel that is not on the volume|4|kernel: \\EFI\\onestone\\mgmt\.elf: not found on onestone's volume|1|64M|00:01.2|# -|none
a kernel that is not ELF|4|kernel: \\EFI\\onestone\\mgmt\.elf: not an ELF file|1|64M|00:01.2|# -|text
an unknown section|9|unknown section \[storage\] \(known: \[primary\], \[mgmt\]\)|1|64M|00:01.2|[storage]|elf
a key of another section|9|unknown key 'iommu' in \[mgmt\]|1|64M|00:01.2|iommu = off|elf
one function of a multi-function device|7|devices: functions of one device are split: 00:01\.0 \[8086:7000\] \(LPC bridge\) goes to the primary, 00:01\.2 \[8086:7020\] \(USB\) to the management partition|1|64M|00:01.2|# -|elf
a malformed device|7|devices: '00:19' is not \[SEG:\]BB:DD\.F or VVVV:DDDD|1|64M|00:19|# -|elf
memory not in 2M steps|6|memory: '63M' is not a size from 16M to 64G in whole 2M steps|1|63M|00:01.2|# -|elf
a gateway with DHCP|9|gateway: only with a static address|1|64M|00:01.2|gateway = 10.0.0.1|elf
a checkpoint as large as the memory|9|checkpoint: must be smaller than the partition's memory|1|64M|00:01.2|checkpoint = 64M|elf
LIST
    ;;
partition)
    # the management partition beside the EFI test guest: 3 CPUs (2 primary,
    # 1 management), the e1000 on slirp with a forward from the host; the
    # guest checks what the primary sees while the host asks the API
    esp "$work/esp.img" 16 "$PARTITION_CONF" "$B/mgmt.elf=\\EFI\\onestone\\mgmt.elf"
    start_probe 'testguest: partition: holding'
    CPUS=3 boot_with_nic $IVY 900 'platform reset|X64 Exception'
    end_probe
    expect "$log" "onestone starts the partition on the last CPU" 'cpu2: starts the management partition \(its CPU 0\)'
    expect "$log" "the partition's kernel runs under onestone and logs through it" 'mgmt: onestone management partition \(under onestone\)'
    expect "$log" "the primary sees 2 of 3 CPUs enabled in MP services" 'testguest: MP services: 3 processors, 2 enabled'
    expect "$log" "onestone traps the e1000's I/O BAR in the primary" 'mgmt: [0-9a-f:.]+: I/O ports 0x[0-9a-f]+-0x[0-9a-f]+ trap in the primary partition'
    # OVMF in Bochs has no MCFG table; QEMU's q35 (the KVM run) has one
    expect "$log" "onestone hides the e1000's ECAM page, or says there is no ECAM" 'mgmt: [0-9a-f:.]+: (the firmware has no MCFG table|its ECAM page 0x[0-9a-f]+ is hidden from the primary partition)'
    expect "$log" "the primary's write to that I/O BAR was dropped and logged" 'primary partition: I/O port 0x[0-9a-f]+ .write. belongs to another partition'
    expect "$log" "the primary keeps running beside the partition" 'testguest: progress [0-9]+'
    guest_results "$log"
    # the partition's memory (onestone's log) lies in a reserved region
    # the guest found unreadable (all-ones on every page)
    if memory_reserved "$log" 'reserved region 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+): (\d+) of (\d+) pages read as all-ones'
    then pass "the partition's memory is reserved in the primary's memory map and reads all-ones"
    else fail "the partition's memory is reserved in the primary's memory map and reads all-ones" "no reserved, all-ones region holds the range onestone logged"
    fi
    expect_not "$log" "onestone reported no error" 'onestone: .*ERROR'
    if grep -q '"mode":"onestone"' "$work/status.json" 2>/dev/null &&
       grep -q '"name":"primary","cpu_count":2' "$work/status.json" &&
       grep -q '"exit_counters":\[{"cpu":0' "$work/status.json"; then
        pass "the host reaches the API: /status shows the primary's 2 CPUs and every CPU's exit counters"
    else
        fail "the host reaches the API: /status shows the primary's 2 CPUs and every CPU's exit counters" "$(head -c 300 "$work/status.json" 2>/dev/null)"
    fi
    ;;
iommu-required)
    # the default policy: no usable VT-d, no start (Bochs has no IOMMU)
    IOMMU_LINE= esp "$work/esp.img" 16 'boot_path = \EFI\test\testguest.efi'
    boot $IVY 600 "$END"
    expect "$log" "onestone refuses without a DMAR table and says why" 'refusing to start: iommu = required but the firmware has no DMAR table'
    expect_not "$log" "nothing was launched" 'run as guests of onestone'
    guest_results "$log"
    expect "$log" "the firmware booted the guest natively" 'testguest: started natively'
    ;;
triple-fault)
    esp "$work/esp.img" 16 'boot_path = \EFI\test\testguest.efi
boot_args = expect=triple-fault'
    boot $IVY 600 'platform reset|X64 Exception'
    expect "$log" "the guest really triple-faulted" 'testguest: triggering a triple fault'
    expect "$log" "onestone logs the triple fault with where it happened" 'guest triple fault on cpu0 at rip 0x'
    expect "$log" "onestone resets the platform and says why" 'platform reset: guest triple fault'
    ;;
missing-target)
    # onestone runs, the boot target is absent: the firmware's boot manager
    # goes on (to its shell and startup.nsh), still under onestone
    SHELL_EXPECT=expect=visible esp "$work/esp.img" 16 'boot_path = \EFI\nowhere\missing.efi'
    boot $IVY 600 "$END"
    expect "$log" "onestone launched every CPU" 'all 2 CPUs run as guests of onestone'
    expect "$log" "onestone reports the missing target and falls back" 'boot target \\EFI\\nowhere\\missing.efi on onestone.s own volume: not found \(status 0x[0-9a-f]+\); returning to the firmware boot manager'
    guest_results "$log"
    expect "$log" "the fallback boot still runs under onestone" 'testguest: [1-9][0-9]* passed, 0 failed'
    ;;
boot-volume)
    # two disks on two controllers, each with the boot target at the same
    # path: onestone's ESP on IDE (first in the firmware's boot order) and
    # a GPT disk on EHCI (USB). boot_volume = partuuid:GUID boots the USB
    # disk's copy; a GUID no partition has, and one two partitions share
    # (the IDE scratch disk made a clone), are refused by name and the
    # firmware's boot manager goes on
    G=4f6e6573-746f-6e65-5553-420000000001
    dev=$work/devices
    rm -rf "$dev" && mkdir -p "$dev"
    export ONESTONE_BOCHS_DEVICES=$dev
    /usr/bin/python3 "$root/tools/mkgpt.py" "$dev/usb.img" 16 "$G" "$B/testguest.efi=\\EFI\\test\\testguest.efi" ||
        { fail "USB disk image built" "tools/mkgpt.py failed"; exit 0; }
    dd if=/dev/zero of="$dev/ide.img" bs=1M count=8 status=none
    SHELL_EXPECT=expect=visible
    volume_conf() { printf 'boot_volume = partuuid:%s\nboot_path = \\EFI\\test\\testguest.efi\nboot_args = expect=visible' "$1"; }
    esp "$work/esp.img" 16 "$(volume_conf "$G")"
    boot $IVY 600 "$END"
    cp "$log" "$work/right.txt"
    expect "$work/right.txt" "onestone finds the partition by its GUID on the USB disk" \
        "boot_volume: partuuid:$G is .*[Uu][Ss][Bb]\(.*HD\("
    expect "$work/right.txt" "the target starts from the USB disk, not from the first disk in the boot order" \
        'testguest: loaded from .*[Uu][Ss][Bb]\(.*HD\('
    guest_results "$work/right.txt"
    missing=4f6e6573-746f-6e65-5553-4200000000ff
    esp "$work/esp.img" 16 "$(volume_conf "$missing")"
    boot $IVY 600 "$END"
    cp "$log" "$work/missing.txt"
    expect "$work/missing.txt" "a GUID no partition has is refused by name" \
        "boot_volume: no GPT partition has the GUID $missing \([1-9][0-9]* GPT partitions on the connected disks, listed below\)"
    expect "$work/missing.txt" "the partitions there are listed, with their GUIDs" \
        "^onestone: ERROR: +PciRoot.*HD\\(1,GPT,4F6E6573-746F-6E65-5553-420000000001"
    expect "$work/missing.txt" "then onestone returns to the firmware's boot manager" \
        "boot target: volume '$missing' not found; returning to the firmware boot manager"
    expect_not "$work/missing.txt" "nothing was started from a wrong disk by onestone" 'starting boot target'
    /usr/bin/python3 "$root/tools/mkgpt.py" "$dev/ide.img" 8 "$G" "$B/testguest.efi=\\EFI\\test\\testguest.efi" ||
        { fail "clone disk image built" "tools/mkgpt.py failed"; exit 0; }
    esp "$work/esp.img" 16 "$(volume_conf "$G")"
    boot $IVY 600 "$END"
    cp "$log" "$work/twice.txt"
    expect "$work/twice.txt" "a GUID two partitions share is refused, naming both" \
        "boot_volume: partuuid:$G names more than one partition"
    if [ "$(grep -a -A2 'names more than one partition' "$work/twice.txt" | grep -ac 'HD(')" -ge 2 ]; then pass "both partitions' device paths are listed"
    else fail "both partitions' device paths are listed" "$(grep -a -A2 'more than one partition' "$work/twice.txt" | tr '\n' '|')"
    fi
    expect_not "$work/twice.txt" "nothing was started by onestone from either clone" 'starting boot target'
    ;;
partition-crash)
    # the partition triple-faults on purpose in the middle of a job: onestone
    # restarts it from its pristine kernel, the job resumes from checkpoint
    # memory; then it hangs on purpose (no heartbeat) and onestone's
    # watchdog restarts it too; the job ends with the host build's result,
    # and the primary's progress counter goes on meanwhile
    esp "$work/esp.img" 16 "$PARTITION_CONF
test = crash" "$B/mgmt.elf=\\EFI\\onestone\\mgmt.elf"
    PROBE_TIMEOUT=1100 start_probe 'testguest: partition: holding' crash
    CPUS=3 boot_with_nic $IVY 1200 'platform reset|X64 Exception'
    end_probe
    expect "$log" "the partition crashed on purpose mid-job" 'mgmt: test: crashing on purpose mid-job'
    expect "$log" "onestone saw the triple fault and stopped the partition" 'mgmt partition stopped: triple fault'
    expect "$log" "the NIC was reset when it changed hands at boot (Bochs's e1000: its CTRL.RST, the others said why not)" \
        'pci: 00:0[0-9a-f]\.0 \[8086:100e\] reset by device-specific reset \(e1000 CTRL\.RST\) \(no FLR capability; no PM capability; no bus reset on the root bus\)'
    expect "$log" "onestone restarted it from its pristine kernel" 'mgmt partition: restarted from its pristine kernel'
    expect_after "$log" "its NIC was reset before the restart" 'mgmt partition stopped: triple fault' \
        'mgmt partition: 00:0[0-9a-f]\.0 \[8086:100e\] reset by device-specific reset \(e1000 CTRL\.RST\)'
    expect_after "$log" "and again before the watchdog's restart" 'mgmt partition stopped: no heartbeat' \
        'mgmt partition: 00:0[0-9a-f]\.0 \[8086:100e\] reset by device-specific reset'
    expect "$log" "the restarted partition found its job in checkpoint memory" 'mgmt: checkpoint memory: 1 jobs restored'
    expect "$log" "the restarted partition hung on purpose mid-job" 'mgmt: test: hanging on purpose mid-job'
    expect_after "$log" "onestone's watchdog stopped it for want of heartbeats" 'mgmt: test: hanging on purpose' 'mgmt partition stopped: no heartbeat for [0-9]+ ms .watchdog: 10000 ms.'
    expect_after "$log" "and restarted it" 'mgmt partition stopped: no heartbeat' 'mgmt partition: restarted from its pristine kernel'
    expect_after "$log" "the primary kept counting while the partition was down" 'mgmt partition stopped: triple fault' 'testguest: progress [0-9]+'
    guest_results "$log"
    ;;
partition-attack)
    # the partition reads outside its memory, sends INIT to the primary's
    # boot CPU and writes the reset port: each is stopped and logged, the
    # partition restarted; after the third it stays stopped; the primary
    # runs on unaffected
    esp "$work/esp.img" 16 "$PARTITION_CONF
test = attack" "$B/mgmt.elf=\\EFI\\onestone\\mgmt.elf"
    # the run (tests/bochs/console_test.py, COM1 relayed) goes on once the
    # primary has counted on after the last attack: onestone's console still
    # answers with the partition failed, and `mgmt start` starts it again
    mkdir -p "$work/run"
    python3 "$root/tests/bochs/console_test.py" "$CASE" "$work/run" "$work/esp.img" t0ken-for-tests attack >> "$RESULTS" 2>"$work/console_test.err" ||
        fail "the console test ran to its end" "$(tail -3 "$work/console_test.err" | tr '\n' '|')"
    expect "$log" "attack 1 (memory outside the partition) is stopped" 'mgmt partition stopped: access outside the partition'
    expect "$log" "attack 2 (INIT to a primary CPU through the local APIC) is stopped" 'mgmt: test: attack 2'
    expect "$log" "attack 3 (the reset port) is stopped" 'mgmt partition stopped: I/O port the partition does not own'
    expect_not "$log" "no attack got through" 'NOT STOPPED'
    expect "$log" "after three crashes the partition stays stopped" 'mgmt partition: 3 crashes within 600 s: it stays stopped'
    expect_not "$log" "the machine was not reset" 'ERROR: platform reset'
    expect_after "$log" "the primary runs on after the attacks" 'it stays stopped' 'testguest: progress [0-9]+'
    ;;
linux-partition)
    # Debian's Linux on 1 CPU beside the management partition on the other;
    # onestone owns COM1 and serves its console there, so Linux's console
    # is COM2. While Linux runs, tests/bochs/console_test.py types every
    # console command through tools/onestone-console, pauses and resumes a
    # job, restarts, stops and starts the partition, throws hostile input
    # at the console, watches the primary CPU's exit counter, reads
    # GET /log and reboots the machine from the console
    "$root/tools/build-linux-guest.sh" "$B/linux" || { fail "Linux guest image built" "tools/build-linux-guest.sh failed"; exit 0; }
    esp "$work/esp.img" 32 'boot_path = \vmlinuz
boot_args = console=ttyS1,115200 initrd=\initrd.img panic=-1 loglevel=6 onestone.hold=3000
[mgmt]
kernel = \EFI\onestone\mgmt.elf
cpus = 1
memory = 64M
devices = 8086:100e
token = t0ken-for-tests
port = 80' "$B/mgmt.elf=\\EFI\\onestone\\mgmt.elf" "$B/linux/vmlinuz=\\vmlinuz" "$B/linux/initrd.img=\\initrd.img"
    mkdir -p "$work/run"
    python3 "$root/tests/bochs/console_test.py" "$CASE" "$work/run" "$work/esp.img" t0ken-for-tests >> "$RESULTS" 2>"$work/console_test.err" ||
        fail "the console test ran to its end" "$(tail -3 "$work/console_test.err" | tr '\n' '|')"
    log2=$work/run/serial2.txt
    expect "$log" "onestone starts the partition on the last CPU" 'cpu1: starts the management partition \(its CPU 0\)'
    expect "$log" "the firmware's AP wake-up borrows the management CPU and gives it back" 'mgmt: cpu1 was lent to the firmware'
    expect "$log" "with no AP to start, Linux gets the local APIC page once the firmware's last AP wake-up is over" 'local APIC page handed to the primary partition'
    expect "$log" "onestone serves its console on COM1" 'console: served on the port at 0x3f8'
    expect "$log2" "Linux reached user space beside the partition, its console on COM2" 'LINUX-USERSPACE: init started'
    expect "$log2" "Linux sees one CPU" 'LINUX-CPUINFO: processors=1'
    expect "$log2" "Linux lists PCI functions" 'LINUX-PCI: '
    expect_not "$log2" "the partition's e1000 is not among them" 'LINUX-PCI: .* 0x8086:0x100e'
    if memory_reserved "$log2" 'LINUX-IOMEM: ([0-9a-f]+)-([0-9a-f]+) : Reserved' "$log"
    then pass "the partition's memory is reserved in Linux's memory map"
    else fail "the partition's memory is reserved in Linux's memory map" "no Reserved /proc/iomem range holds the range onestone logged"
    fi
    expect_not "$log" "no onestone errors" 'onestone: .*ERROR'
    ;;
linux)
    "$root/tools/build-linux-guest.sh" "$B/linux" || { fail "Linux guest image built" "tools/build-linux-guest.sh failed"; exit 0; }
    # Under Bochs the machine also has the devices a user passes through
    # (display, sound card, EHCI with a USB disk, a second IDE disk) and
    # Linux drives each with its own driver (guest/linux/init,
    # onestone.devices); KVM's machine has none of them
    devargs=""
    if [ "${RUNNER:-bochs-run.sh}" = bochs-run.sh ]; then
        dev=$work/devices
        rm -rf "$dev" && mkdir -p "$dev"
        head -c 300000 /dev/urandom > "$dev/check.bin"
        /usr/bin/python3 "$root/tools/mkgpt.py" "$dev/usb.img" 16 4f6e6573-746f-6e65-5553-420000000001 \
            "$dev/check.bin=\\check.bin" || { fail "USB disk image built" "tools/mkgpt.py failed"; exit 0; }
        dd if=/dev/zero of="$dev/ide.img" bs=1M count=8 status=none
        export ONESTONE_BOCHS_DEVICES=$dev
        devargs=" onestone.devices"
    fi
    esp "$work/esp.img" 32 "boot_path = \\vmlinuz
boot_args = console=ttyS0,115200 initrd=\\initrd.img panic=-1 loglevel=6$devargs" \
        "$B/linux/vmlinuz=\\vmlinuz" "$B/linux/initrd.img=\\initrd.img"
    boot $IVY 1500 'LINUX-END|platform reset|Kernel panic|X64 Exception'
    if [ -n "$devargs" ]; then
        expect "$log" "Linux drives the PCI display with its bochs DRM driver: a mode is set, its frame buffer reads back what was written" \
            'LINUX-DEV: display .* driver=bochs-drm fb0=bochs-drmdrmfb mode=[0-9]+,[0-9]+ devcheck: fb: [0-9]+ words written and read back'
        expect "$log" "Linux plays a tone through the ES1370 driver" 'LINUX-DEV: sound .* driver=snd_ens1370 .* devcheck: tone: [0-9]+ frames of 440 Hz'
        irq=$(grep -a 'LINUX-DEV: sound' "$log" | sed -n 's/.*interrupts \([0-9]*\) -> \([0-9]*\).*/\1 \2/p')
        if [ -n "$irq" ] && [ "${irq#* }" -gt "${irq% *}" ]; then pass "the sound card's interrupt count rose while it played ($irq)"
        else fail "the sound card's interrupt count rose while it played" "${irq:-no count}"
        fi
        if t=$(/usr/bin/python3 "$root/tests/bochs/tone_check.py" "$dev/es1370.wav" 440); then pass "the card played the tone: $t"
        else fail "the card played the 440 Hz tone" "$t"
        fi
        want=$(sha256sum "$dev/check.bin" | cut -d' ' -f1)
        expect "$log" "a file on the USB disk (EHCI, usb-storage, vfat) reads back with the right checksum" \
            "LINUX-DEV: usb disk sd[a-z] on .* driver=ehci-pci check.bin sha256=$want"
        ide=$(grep -a 'LINUX-DEV: ide disk' "$log" | sed -n 's/.*wrote sha256=\([0-9a-f]*\) read sha256=\([0-9a-f]*\).*/\1 \2/p')
        img=$(head -c 1048576 "$dev/ide.img" | sha256sum | cut -d' ' -f1)
        if [ -n "$ide" ] && [ "${ide% *}" = "${ide#* }" ] && [ "${ide% *}" = "$img" ]; then
            pass "the IDE disk (ata_piix) writes and reads 1 MiB with matching checksums, on the disk image too"
        else fail "the IDE disk (ata_piix) writes and reads 1 MiB with matching checksums, on the disk image too" "guest: ${ide:-no line}, image: $img"
        fi
        expect_not "$log" "every device check found its device" 'LINUX-DEV: [a-z ]*: |LINUX-DEV: module'
    fi
    expect "$log" "onestone launched every CPU" 'all 2 CPUs run as guests of onestone'
    expect "$log" "Linux reached user space" 'LINUX-USERSPACE: init started'
    expect "$log" "Linux brought both CPUs online" 'LINUX-CPUS: online=0-1 nproc=2'
    expect "$log" "onestone saw the firmware's boot services end" 'boot services ended: the OS owns the machine'
    expect_after "$log" "onestone handled Linux's INIT for cpu1" 'boot services ended' 'INIT: cpu1 now waits for SIPI'
    expect_after "$log" "onestone handled Linux's SIPI for cpu1" 'boot services ended' 'SIPI: cpu1 starts at 0x'
    expect_after "$log" "onestone handed the local APIC to Linux once its APs ran" 'SIPI: cpu1 starts at 0x' 'local APIC page handed to the primary partition'
    expect_not "$log" "no INIT reached a CPU outside onestone's routing" 'waits for a hardware SIPI'
    expect "$log" "VMX is hidden from Linux" 'LINUX-CPUINFO: vmx hidden'
    expect_not "$log" "no onestone errors" 'onestone: .*ERROR'
    ;;
*)
    fail "known case" "no case named $case_name"
    ;;
esac
exit 0
