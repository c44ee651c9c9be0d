#!/bin/sh
# Runs on the host (`make run`): builds the demo's ESP (onestone.efi,
# onestone.conf, Debian's Linux kernel and a busybox initramfs) and hands
# over to tools/demo.py, which runs Bochs with COM1 on this terminal beside
# the management partition in QEMU. Ctrl-] or 'poweroff -f' in the guest
# ends it. ONESTONE_DEMO_DIR: work directory (default build/demo).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${ONESTONE_DEMO_DIR:-build/demo}
mkdir -p "$work"
tools/build-linux-guest.sh build/linux
printf '%s\n' 'boot_path = \vmlinuz' \
    'boot_args = console=ttyS0,115200 initrd=\initrd.img panic=-1 loglevel=4 onestone.demo' \
    'log_level = info' 'iommu = off' > "$work/onestone.conf"
build/onestone-conf check "$work/onestone.conf" > /dev/null
tools/mkesp.sh "$work/esp.img" 32 'build/onestone.efi=\EFI\BOOT\BOOTX64.EFI' \
    "$work/onestone.conf=\\EFI\\onestone\\onestone.conf" \
    'build/linux/vmlinuz=\vmlinuz' 'build/linux/initrd.img=\initrd.img'
exec python3 tools/demo.py "$work" "$work/esp.img"
