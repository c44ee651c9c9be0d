#!/bin/sh
# Runs on the host: boots Debian's Linux (build/linux/vmlinuz) under QEMU
# (TCG, no firmware: -kernel) on a machine with the PCI topology QEMU_ARGS
# describe, runs tools/onestone-survey there with Debian's own lspci, and
# saves the survey file it wrote. The checker's topology tests
# (tests/conf/topologies/) are surveys captured this way: real lspci
# output of real (emulated) PCI hardware, not hand-written dumps.
# usage: capture-survey.sh OUT_FILE MACHINE [QEMU_ARGS...]   (MACHINE: q35 or pc)
# Needs build/linux/vmlinuz (tools/build-linux-guest.sh) and lspci
# (pciutils) on the host: the guest runs the host's binary and libraries.
set -eu
out=$1 machine=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
kernel=$root/build/linux/vmlinuz
[ -f "$kernel" ] || "$root/tools/build-linux-guest.sh" "$root/build/linux" >/dev/null
lspci=$(command -v lspci) || { echo "capture-survey: lspci is missing (apt-get install pciutils)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ir=$tmp/ir
mkdir -p "$ir/bin" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/tmp" "$ir/usr/share/misc"
cp /bin/busybox "$ir/bin/busybox"
cp "$lspci" "$ir/bin/lspci"
# lspci's shared libraries, at the paths the dynamic loader looks in
for lib in $(ldd "$lspci" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
    mkdir -p "$ir$(dirname "$lib")"
    cp -L "$lib" "$ir$lib"
done
cp "$root/tools/onestone-survey" "$ir/bin/onestone-survey"
cat > "$ir/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
/bin/onestone-survey /tmp/survey.txt
echo SURVEY-BEGIN
cat /tmp/survey.txt
echo SURVEY-END
poweroff -f
EOF
chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet) | gzip -1 > "$tmp/initrd.img"
iommu=""
[ "$machine" = q35 ] && iommu="-device intel-iommu"
# shellcheck disable=SC2086
timeout 300 qemu-system-x86_64 -M "$machine" -accel tcg -m 512 -smp 1 -display none -monitor none \
    -net none -serial "file:$tmp/serial.txt" -kernel "$kernel" -initrd "$tmp/initrd.img" \
    -append "console=ttyS0 intel_iommu=on panic=-1 quiet" -no-reboot $iommu "$@" </dev/null
tr -d '\r' < "$tmp/serial.txt" | sed -n '/^SURVEY-BEGIN$/,/^SURVEY-END$/p' | sed '1d;$d' > "$tmp/survey.txt"
grep -q '^## lspci' "$tmp/survey.txt" || { echo "capture-survey: the guest wrote no survey; its console:" >&2; tail -20 "$tmp/serial.txt" >&2; exit 1; }
mv "$tmp/survey.txt" "$out"
