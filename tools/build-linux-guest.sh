#!/bin/sh
# Runs on the host: builds the Linux stand-in guest from Debian packages:
# OUT/vmlinuz (Debian's kernel, an EFI stub image) and OUT/initrd.img (a
# busybox initramfs with guest/linux/init and hvstat).
# usage: build-linux-guest.sh OUTDIR
# Several runs may share OUTDIR at once (a test case and `make run`): each
# builds in a directory of its own and renames its results into place, so
# no run ever reads a half-written kernel or initramfs.
set -eu
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
tmp=$(mktemp -d "$out/build.XXXXXX")
chmod 755 "$tmp"    # apt-get download runs as _apt
trap 'rm -rf "$tmp"' EXIT
if [ ! -f "$out/vmlinuz" ]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    if [ -z "$pkg" ]; then
        apt-get update -qq >/dev/null
        pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    fi
    [ -n "$pkg" ] || { echo "build-linux-guest: cannot find Debian's linux-image package" >&2; exit 1; }
    (cd "$tmp" && apt-get download "$pkg" >/dev/null)
    dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"
    cp "$tmp"/x/boot/vmlinuz-* "$tmp/vmlinuz"
    mv -f "$tmp/vmlinuz" "$out/vmlinuz"
fi
ir="$tmp/initramfs"
mkdir -p "$ir/bin" "$ir/proc" "$ir/sys" "$ir/dev"
cp /bin/busybox "$ir/bin/busybox"
cp "$root/guest/linux/init" "$ir/init"
chmod +x "$ir/init"
gcc -static -O2 -Wall -Wextra -Werror -I"$root/include" "$root/guest/linux/hvstat.c" -o "$ir/bin/hvstat"
(cd "$ir" && find . | cpio -o -H newc --quiet) | gzip -9 > "$tmp/initrd.img"
mv -f "$tmp/initrd.img" "$out/initrd.img"
