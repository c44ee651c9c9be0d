#!/bin/sh
# Runs on the host: the QEMU (VT-d) cases of `make test`. QEMU 7.2 (TCG)
# models Intel VT-d but not VMX, so these boot build/vtdtest.efi, which
# drives onestone's vtd/ code with the edu device as the DMA engine, and
# judge what it prints on COM1.
# usage: cases.sh VARIANT WORKDIR   (VARIANT: 3level 4level caching-mode intremap
#                                   selftest: onestone.efi's own selftest = vtd)
set -u
variant=$1
work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/judge.sh"
mkdir -p "$work"
judge_init "qemu-vtd-$variant" "$work/results"
log=$work/serial.txt

machine_opts=""
case $variant in
3level)       iommu="intel-iommu" ;;
4level)       iommu="intel-iommu,aw-bits=48" ;;
caching-mode) iommu="intel-iommu,caching-mode=on" ;;
intremap)     iommu="intel-iommu,intremap=on"; machine_opts="-machine q35,kernel-irqchip=split" ;;
selftest)     iommu="intel-iommu" ;;
*) fail "known variant" "no variant named $variant"; exit 0 ;;
esac

extra=""
# the self-test's second edu stands for the management partition's NIC
second_edu=""
# and a third, alone behind a PCIe root port, an NVMe controller and an
# e1000e: the device reset test's (secondary bus reset, FLR, PM)
[ "$variant" = selftest ] && second_edu="-device edu -device pcie-root-port,id=rp1,chassis=1 -device edu,bus=rp1 -device pcie-root-port,id=rp2,chassis=2 -device nvme,bus=rp2,serial=reset1 -device pcie-root-port,id=rp3,chassis=3 -device e1000e,bus=rp3,netdev=none0 -netdev user,id=none0,restrict=on"
if [ "$variant" = intremap ]; then
    echo on > "$work/intremap"
    extra="$work/intremap=\\intremap"
fi
if [ "$variant" = selftest ]; then
    # onestone.efi itself, in its VT-d self-test mode (QEMU has no VMX)
    printf 'boot_path = \\EFI\\none.efi\nselftest = vtd\n' > "$work/onestone.conf"
    "$root/tools/mkesp.sh" "$work/esp.img" 16 "$root/build/onestone.efi=\\EFI\\BOOT\\BOOTX64.EFI" \
        "$work/onestone.conf=\\EFI\\onestone\\onestone.conf"
else
    # shellcheck disable=SC2086
    "$root/tools/mkesp.sh" "$work/esp.img" 16 "$root/build/vtdtest.efi=\\EFI\\BOOT\\BOOTX64.EFI" $extra
fi
# shellcheck disable=SC2086
python3 "$root/tools/emu/cli.py" qemu "$work" "$work/esp.img" 'VTDTEST-END|VTD-SELFTEST-END|X64 Exception' 300 \
    $machine_opts -device "$iommu" -device edu $second_edu > /dev/null
ran_to_end $? "$work" 300 || exit 0
guest_results "$log"
if [ "$variant" = selftest ]; then
    expect "$log" "the self-test finished with no failures" 'vtd-selftest: [1-9][0-9]* passed, 0 failed'
    expect "$log" "onestone parsed the DMAR table and probed the unit" 'VT-d unit 0 at 0xfed90000'
    expect "$log" "onestone reports the domain it built" 'VT-d: 1 unit\(s\) translating, [1-9][0-9]* PCI functions'
    expect "$log" "and the management partition's own domain" 'VT-d: domain 2: 1 function\(s\) of another partition, which reach only its 64 KiB'
    expect "$log" "the reset names its method and why the others were skipped" 'pci: 01:00\.0 \[1234:11e8\] reset by secondary bus reset \(no FLR capability; no PM capability\), [0-9]+ ms'
    expect "$log" "an NVMe controller is reset by its FLR" 'pci: 02:00\.0 \[1b36:0010\] reset by FLR, [0-9]+ ms'
    expect "$log" "an e1000e without FLR by D3hot->D0" 'pci: 03:00\.0 \[8086:10d3\] reset by PM reset \(D3hot->D0\) \(no FLR capability\), [0-9]+ ms'
else
    expect "$log" "the test program finished with no failures" 'vtdtest: [1-9][0-9]* passed, 0 failed'
fi
case $variant in
4level)       expect "$log" "the unit uses 4-level tables" '4-level tables' ;;
3level)       expect "$log" "the unit uses 3-level tables" '3-level tables' ;;
caching-mode) expect "$log" "caching mode is on" 'caching mode on' ;;
intremap)     expect "$log" "interrupt remapping was tested" 'interrupt remapping on, compatibility format blocked' ;;
esac
exit 0
