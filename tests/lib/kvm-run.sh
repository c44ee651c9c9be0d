#!/bin/sh
# Runs on the host: boots one machine under QEMU/KVM with nested VMX (an
# Intel host with kvm_intel nested=1), the same interface as bochs-run.sh:
# usage: kvm-run.sh WORKDIR CPU_MODEL(ignored) CPUS ESP_IMAGE END_REGEX TIMEOUT_S
# The guest CPU is the host's (-cpu host,+vmx); q35 with a split irqchip.
set -u
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
start=$(date +%s)
rc=0
while kill -0 "$pid" 2>/dev/null; do
    if [ -n "$end_re" ] && grep -qE "$end_re" "$work/serial.txt" 2>/dev/null; then
        sleep 1
        kill "$pid" 2>/dev/null
        break
    fi
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
        kill "$pid" 2>/dev/null
        rc=124
        break
    fi
    sleep 1
done
wait "$pid" 2>/dev/null
echo "$(( $(date +%s) - start ))" > "$work/seconds"
rm -f "$work/disk.img"
exit $rc
