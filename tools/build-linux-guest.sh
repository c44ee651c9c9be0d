#!/bin/sh
# Runs on the host: builds the Linux stand-in guest from Debian packages:
# OUT/vmlinuz (Debian's kernel, an EFI stub image) and OUT/initrd.img (a
# busybox initramfs with guest/linux/init, hvstat, devcheck and the
# kernel's own modules for the devices the device checks drive: Bochs's
# display (bochs DRM), the ES1370 sound card (with OSS emulation), EHCI
# and UHCI with USB storage, the PIIX IDE controller, and FAT to read the USB disk).
# usage: build-linux-guest.sh OUTDIR
# Several runs may share OUTDIR at once (a test case and `make run`): each
# builds in a directory of its own and renames its results into place, so
# no run ever reads a half-written kernel or initramfs.
set -eu
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# the modules the device checks load, by the names modprobe takes
MODULES="bochs snd-ens1370 snd-pcm-oss ehci-pci uhci-hcd usb-storage sd_mod ata_piix vfat nls_cp437 nls_ascii"
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "$out/build.XXXXXX")
chmod 755 "$tmp"    # apt-get download runs as _apt
trap 'rm -rf "$tmp"' EXIT
if [ ! -f "$out/vmlinuz" ] || [ ! -f "$out/modules.tar" ]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    if [ -z "$pkg" ]; then
        apt-get update -qq >/dev/null
        pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    fi
    [ -n "$pkg" ] || { echo "build-linux-guest: cannot find Debian's linux-image package" >&2; exit 1; }
    (cd "$tmp" && apt-get download "$pkg" >/dev/null)
    dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"
    ver=$(ls "$tmp/x/lib/modules")
    busybox depmod -b "$tmp/x" "$ver"
    # the modules named above and everything they depend on, with the
    # kernel's modules.dep for the guest's (busybox) modprobe
    mdir=$tmp/x/lib/modules/$ver
    for m in $MODULES; do
        f=$(find "$mdir/kernel" -name "$m.ko" -o -name "$(echo "$m" | tr - _).ko" | head -1)
        [ -n "$f" ] || { echo "build-linux-guest: the kernel has no module $m" >&2; exit 1; }
        rel=${f#"$mdir/"}
        echo "$rel"
        grep "^$rel:" "$mdir/modules.dep" | cut -d: -f2 | tr ' ' '\n'
    done | awk 'NF && !seen[$0]++' > "$tmp/mods"
    (cd "$tmp/x" && tar cf "$tmp/modules.tar" $(sed "s|^|lib/modules/$ver/|" "$tmp/mods") \
        "lib/modules/$ver/modules.dep")
    cp "$tmp"/x/boot/vmlinuz-* "$tmp/vmlinuz"
    mv -f "$tmp/modules.tar" "$out/modules.tar"
    mv -f "$tmp/vmlinuz" "$out/vmlinuz"
fi
ir="$tmp/initramfs"
mkdir -p "$ir/bin" "$ir/proc" "$ir/sys" "$ir/dev"
cp /bin/busybox "$ir/bin/busybox"
cp "$root/guest/linux/init" "$ir/init"
chmod +x "$ir/init"
tar xf "$out/modules.tar" -C "$ir"
gcc -static -O2 -Wall -Wextra -Werror -I"$root/include" "$root/guest/linux/hvstat.c" -o "$ir/bin/hvstat"
gcc -static -O2 -Wall -Wextra -Werror -I"$root/include" "$root/guest/linux/devcheck.c" -o "$ir/bin/devcheck" -lm
(cd "$ir" && find . | cpio -o -H newc --quiet) | gzip -9 > "$tmp/initrd.img"
mv -f "$tmp/initrd.img" "$out/initrd.img"
