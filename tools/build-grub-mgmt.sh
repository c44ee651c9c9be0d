#!/bin/sh
# Runs on the host (`make bench`): builds OUT/BOOTX64.EFI, Debian's GRUB
# (grub-efi-amd64-bin, grub-mkimage from grub-common; both unpacked with
# apt-get download, nothing installed) with an embedded configuration that
# boots the management partition's kernel natively, without onestone:
# `multiboot /mgmt.elf ARGS` from the volume GRUB was started from, its
# messages on COM1. The bench runs the same build/mgmt.elf this way and
# under onestone, in Bochs on the same CPU model.
# usage: build-grub-mgmt.sh OUTDIR KERNEL_ARGS
set -eu
out=$1 args=$2
mkdir -p "$out"
if [ ! -x "$out/pkg/usr/bin/grub-mkimage" ] || [ ! -d "$out/pkg/usr/lib/grub/x86_64-efi" ]; then
    tmp=$(mktemp -d "$out/dl.XXXXXX")
    chmod 755 "$tmp"    # apt-get download runs as _apt
    (cd "$tmp" && { apt-get download grub-efi-amd64-bin grub-common >/dev/null 2>&1 ||
                    { apt-get update -qq >/dev/null && apt-get download grub-efi-amd64-bin grub-common >/dev/null; }; })
    rm -rf "$out/pkg"
    for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$out/pkg"; done
    rm -rf "$tmp"
fi
printf '%s\n' 'serial --unit=0 --speed=115200' 'terminal_output serial' \
    'echo "grub: booting /mgmt.elf natively (no onestone)"' \
    "multiboot /mgmt.elf $args" 'boot' > "$out/early.cfg"
"$out/pkg/usr/bin/grub-mkimage" -d "$out/pkg/usr/lib/grub/x86_64-efi" -O x86_64-efi \
    -p /EFI/BOOT -c "$out/early.cfg" -o "$out/BOOTX64.EFI" \
    multiboot fat part_gpt part_msdos serial terminal echo boot
