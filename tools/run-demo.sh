#!/bin/sh
# Runs on the host (`make run`): the demo. Bochs boots OVMF, onestone.efi
# takes over both CPUs and chain-loads Debian's Linux kernel as the guest,
# and COM1 (onestone's log, then Linux's console and a shell) is attached
# to this terminal. End it with 'poweroff -f' in the guest or Ctrl-C.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=build/demo
mkdir -p "$work"
tools/build-linux-guest.sh build/linux
printf '%s\n' 'boot_path = \vmlinuz' \
    'boot_args = console=ttyS0,115200 initrd=\initrd.img panic=-1 loglevel=4 onestone.demo' \
    'log_level = info' 'iommu = off' > "$work/onestone.conf"
build/onestone-conf check "$work/onestone.conf" > /dev/null
tools/mkesp.sh "$work/esp.img" 32 'build/onestone.efi=\EFI\BOOT\BOOTX64.EFI' \
    "$work/onestone.conf=\\EFI\\onestone\\onestone.conf" \
    'build/linux/vmlinuz=\vmlinuz' 'build/linux/initrd.img=\initrd.img'
echo "onestone demo: Bochs is booting OVMF (about 20 s), then onestone and Linux (a few minutes)."
if tty -s; then
    BOCHS_TERM=$(tty) exec tests/lib/bochs-run.sh "$root/$work/run" corei7_ivy_bridge_3770k 2 \
        "$root/$work/esp.img" "" 0
fi
# no terminal: follow the serial log instead
tests/lib/bochs-run.sh "$root/$work/run" corei7_ivy_bridge_3770k 2 "$root/$work/esp.img" \
    'LINUX-END|platform reset' 1500 &
pid=$!
sleep 2
tail -f "$root/$work/run/serial.txt" --pid=$pid
