#!/bin/sh
# Runs on the host (`make run`): builds the demo's ESP (onestone.efi, an
# onestone.conf with a [mgmt] section, the management partition's kernel
# and a fresh API token, Debian's Linux kernel and a busybox initramfs) and
# hands over to tools/demo.py, which runs Bochs with COM1 on this terminal:
# onestone starts Linux on one CPU and the management partition on the
# other. Ctrl-] or 'poweroff -f' in the guest ends it.
# ONESTONE_DEMO_DIR: work directory (default build/demo).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${ONESTONE_DEMO_DIR:-build/demo}
mkdir -p "$work"
tools/build-linux-guest.sh build/linux
# what goes on the ESP, staged as a directory so that onestone-conf checks
# the kernel and token files exactly as onestone will find them
esp=$work/esp
rm -rf "$esp"
mkdir -p "$esp/EFI/onestone"
cp build/mgmt.elf "$esp/EFI/onestone/mgmt.elf"
printf 'demo-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$esp/EFI/onestone/api.token"
printf '%s\n' 'iommu = off' 'log_level = info' '' \
    '[primary]' 'boot_path = \vmlinuz' \
    'boot_args = console=ttyS1,115200 initrd=\initrd.img panic=-1 loglevel=4 onestone.demo' '' \
    '[mgmt]' 'kernel = \EFI\onestone\mgmt.elf' 'cpus = 1' 'memory = 64M' 'checkpoint = 2M' \
    'devices = 8086:100e' 'token_file = \EFI\onestone\api.token' 'address = dhcp' 'port = 80' \
    > "$esp/EFI/onestone/onestone.conf"
build/onestone-conf check "$esp/EFI/onestone/onestone.conf" --esp "$esp" > /dev/null
tools/mkesp.sh "$work/esp.img" 32 'build/onestone.efi=\EFI\BOOT\BOOTX64.EFI' \
    "$esp/EFI/onestone/onestone.conf=\\EFI\\onestone\\onestone.conf" \
    "$esp/EFI/onestone/mgmt.elf=\\EFI\\onestone\\mgmt.elf" \
    "$esp/EFI/onestone/api.token=\\EFI\\onestone\\api.token" \
    'build/linux/vmlinuz=\vmlinuz' 'build/linux/initrd.img=\initrd.img'
exec python3 tools/demo.py "$work" "$work/esp.img" "$esp/EFI/onestone/api.token"
