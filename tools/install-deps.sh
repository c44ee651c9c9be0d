#!/bin/sh
# Runs on the host (Debian 12): installs the Debian packages the build, the
# emulator tests and the demo need. Idempotent: only missing packages are
# fetched, so `make test` and `make run` can call it every time.
set -e
PKGS="gnu-efi mtools dosfstools cpio busybox-static bochs bochs-sdl bochsbios vgabios
      ovmf qemu-system-x86 gcc make binutils libc6-dev gzip dpkg-dev xz-utils python3
      python3-serial pciutils clang-14 libclang-rt-14-dev"
# bochs-sdl: Bochs's only display that needs neither a VNC port (rfb, the one in
# the bochs package) nor a real display: SDL2 with its dummy video driver
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
