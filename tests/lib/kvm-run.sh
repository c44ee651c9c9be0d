#!/bin/sh
# Runs on the host: boots one machine under QEMU/KVM with nested VMX (an
# Intel host with kvm_intel nested=1), the same interface as bochs-run.sh:
# usage: kvm-run.sh WORKDIR CPU_MODEL(ignored) CPUS ESP_IMAGE END_REGEX TIMEOUT_S
# The guest CPU is the host's (-cpu host,+vmx); q35 with a split irqchip.
set -u
. "$(dirname "$0")/watch.sh"
work=$1 cpus=$3 image=$4 end_re=$5 timeout=$6
mkdir -p "$work"
rm -f "$work/serial.txt"
cp "$image" "$work/disk.img"
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
: > "$work/serial.txt"
qemu-system-x86_64 -accel kvm -cpu host,+vmx -smp "$cpus" -m 1024 \
    -machine q35,kernel-irqchip=split \
    -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
    -drive if=pflash,format=raw,file="$work/vars.fd" \
    -drive format=raw,file="$work/disk.img" \
    -display none -serial file:"$work/serial.txt" -monitor none -net none \
    > "$work/qemu.out" 2>&1 &
pid=$!
watch_emulator "$pid" "$work" "$end_re" "$timeout"
rc=$?
rm -f "$work/disk.img"
exit $rc
