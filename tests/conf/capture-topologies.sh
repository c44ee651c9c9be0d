#!/bin/sh
# Runs on the host, by a developer: (re)captures the checker's test
# topologies, tests/conf/topologies/NAME.survey, each the survey
# tools/onestone-survey wrote under Debian's Linux on a QEMU machine with
# the PCI topology below (tests/conf/capture-survey.sh). The expected
# findings for each are in tests/conf/topologies/NAME.expect.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/topologies
mkdir -p "$dir"
cap() { name=$1; shift; echo "capturing $name"; "$here/capture-survey.sh" "$dir/$name.survey" "$@"; }
# a GPU (VGA + HDMI-style audio: one device, two functions) behind one
# root port, a NIC behind another; the root ports have ACS (QEMU's do)
cap q35-gpu-audio q35 \
    -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=1c.0,multifunction=on \
    -device VGA,bus=rp1,addr=0.0,multifunction=on -device ich9-intel-hda,bus=rp1,addr=0.1 \
    -device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=1c.1 -device e1000e,bus=rp2
# the same root ports without ACS (as a board's PCH ports are without
# Linux's quirk, or a CPU's PEG ports split x8/x8): everything below both
# ports is one group
cap q35-no-acs q35 \
    -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=1c.0,multifunction=on,disable-acs=on \
    -device VGA,bus=rp1,addr=0.0,multifunction=on -device ich9-intel-hda,bus=rp1,addr=0.1 \
    -device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=1c.1,disable-acs=on -device e1000e,bus=rp2
# a PCIe-to-PCI bridge with two conventional PCI devices behind it (a NIC
# and a USB controller), as on boards with legacy PCI slots
cap q35-pci-bridge q35 \
    -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=1c.0 \
    -device pcie-pci-bridge,id=pb,bus=rp1 -device e1000,bus=pb,addr=1.0 -device pci-ohci,bus=pb,addr=2.0 \
    -device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=1d.0 -device nvme,bus=rp2,serial=disk1
# a PCIe switch: an upstream port and two downstream ports, a NIC and an
# NVMe controller below them
cap q35-switch q35 \
    -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=1c.0 \
    -device x3130-upstream,id=up,bus=rp1 \
    -device xio3130-downstream,id=dn1,bus=up,chassis=2,slot=0 -device e1000e,bus=dn1 \
    -device xio3130-downstream,id=dn2,bus=up,chassis=3,slot=1 -device nvme,bus=dn2,serial=disk2
# the i440FX PC: conventional PCI only, the PIIX3 functions (ISA bridge,
# IDE, USB, ACPI) one multi-function device
cap pc-i440fx pc -device e1000 -device ich9-intel-hda -device pci-ohci
