#!/bin/sh
# Runs on the host: builds the Linux stand-in guest from Debian packages:
# OUT/vmlinuz (Debian's kernel, an EFI stub image) and OUT/initrd.img (a
# busybox initramfs with guest/linux/init and hvstat).
# usage: build-linux-guest.sh OUTDIR
set -eu
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
cache="$out/cache"
mkdir -p "$cache"
if [ ! -f "$out/vmlinuz" ]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    if [ -z "$pkg" ]; then
        apt-get update -qq >/dev/null
        pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    fi
    [ -n "$pkg" ] || { echo "build-linux-guest: cannot find Debian's linux-image package" >&2; exit 1; }
    (cd "$cache" && rm -f linux-image-*.deb && apt-get download "$pkg" >/dev/null)
    rm -rf "$cache/x"
    dpkg-deb -x "$cache"/linux-image-*.deb "$cache/x"
    cp "$cache"/x/boot/vmlinuz-* "$out/vmlinuz"
    rm -rf "$cache/x"
fi
ir="$out/initramfs"
rm -rf "$ir"
mkdir -p "$ir/bin" "$ir/proc" "$ir/sys" "$ir/dev"
cp /bin/busybox "$ir/bin/busybox"
cp "$root/guest/linux/init" "$ir/init"
chmod +x "$ir/init"
gcc -static -O2 -Wall -Wextra -Werror -I"$root/include" "$root/guest/linux/hvstat.c" -o "$ir/bin/hvstat"
(cd "$ir" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out/initrd.img"
