#!/bin/sh
# Runs on the host: captures the ACPI DMAR table QEMU's intel-iommu gives
# the guest, for the fixtures in tests/unit/dmar_fixtures.h. Builds
# guest/dmardump (with the Makefile's EFI flags, into build/dmardump/),
# boots it under OVMF once per intel-iommu variant (q35, TCG, as in
# ../shared/TESTING.md) and writes the table of each variant as
# build/dmardump/VARIANT.hex (plain hex), VARIANT.bin, VARIANT.inc (the
# body of a C byte array, as pasted into tests/unit/dmar_fixtures.h) and
# VARIANT.log (the whole serial console, which also lists every PCI
# function, with each bridge's secondary bus).
#
# usage: tools/capture-dmar.sh [VARIANT...]
#   variants: plain intremap aw48 caching noir bridge (default: all six)
# Needs gcc, ld, objcopy, gnu-efi, mtools, qemu-system-x86, ovmf.
set -eu
cd "$(dirname "$0")/.."

out=build/dmardump
mkdir -p "$out"

# ---- build: the same flags as the Makefile's build/testguest.efi ----
EFI_INC=/usr/include/efi
EFI_LIB=/usr/lib
EFI_CFLAGS="-std=gnu11 -Wall -Wextra -Werror -O2 -fpic -ffreestanding -fno-stack-protector
 -fno-stack-check -fshort-wchar -mno-red-zone -maccumulate-outgoing-args
 -mgeneral-regs-only -fvisibility=hidden -fno-strict-aliasing
 -DGNU_EFI_USE_MS_ABI -I$EFI_INC -I$EFI_INC/x86_64 -Iinclude -I."
# shellcheck disable=SC2086
gcc $EFI_CFLAGS -c guest/dmardump/dmardump.c -o "$out/dmardump.o"
ld -nostdlib -znocombreloc -shared -Bsymbolic -L"$EFI_LIB" -T linker.ld \
    "$EFI_LIB/crt0-efi-x86_64.o" "$out/dmardump.o" -o "$out/dmardump.so" -lefi -lgnuefi
objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
    -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 \
    "$out/dmardump.so" "$out/dmardump.efi"
tools/mkesp.sh "$out/esp.img" 16 "$out/dmardump.efi=\\EFI\\BOOT\\BOOTX64.EFI"

# ---- one QEMU run per variant, one at a time ----
machine_and_iommu() {
    case $1 in
    plain)    echo "-machine q35 -device intel-iommu" ;;
    intremap) echo "-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on" ;;
    aw48)     echo "-machine q35 -device intel-iommu,aw-bits=48" ;;
    caching)  echo "-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on" ;;
    noir)     echo "-machine q35 -device intel-iommu,intremap=off" ;;
    # a second edu behind a PCIe root port: does QEMU name the bridge?
    bridge)   echo "-machine q35 -device intel-iommu -device pcie-root-port,id=rp1,chassis=1 -device edu,bus=rp1" ;;
    *)        echo "unknown variant $1" >&2; return 1 ;;
    esac
}

[ $# -gt 0 ] || set -- plain intremap aw48 caching noir bridge
status=0
for v in "$@"; do
    args=$(machine_and_iommu "$v")
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$out/vars-$v.fd"
    cmd="qemu-system-x86_64 $args -accel tcg -m 512
 -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
 -drive if=pflash,format=raw,file=$out/vars-$v.fd -drive format=raw,file=$out/esp.img
 -display none -serial stdio -monitor none -net none
 -device isa-debug-exit,iobase=0xf4,iosize=0x04 -device edu"
    echo "capture-dmar: $v: $(printf '%s' "$cmd" | tr '\n' ' ' | tr -s ' ')" | tee "$out/$v.cmd"
    # shellcheck disable=SC2086
    timeout 110 $cmd </dev/null >"$out/$v.log" 2>&1 || echo "capture-dmar: $v: qemu exit status $?"
    # The console carries \r and terminal escapes; keep the DMARHEX lines
    # between the markers, check their offsets follow each other (mawk:
    # no strtonum, hence hex2dec).
    tr -d '\r' <"$out/$v.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' |
        awk -v name="$v" '
            function hex2dec(h,   i, d) {
                d = 0
                for (i = 1; i <= length(h); i++)
                    d = d * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
                return d
            }
            /DMARDUMP-BEGIN/ { on = 1; sub(/.*len=/, ""); want = $1 + 0; next }
            /DMARDUMP-END/   { on = 0; done = 1; next }
            on && /DMARHEX / {
                sub(/.*DMARHEX /, "")
                off = hex2dec($1)
                if (off != got) { print "capture-dmar: " name ": line at " off ", expected " got > "/dev/stderr"; exit 1 }
                printf "%s", $2; got += length($2) / 2
            }
            END {
                if (!done || got != want) { print "capture-dmar: " name ": got " got " of " want " bytes" > "/dev/stderr"; exit 1 }
                print ""
            }' >"$out/$v.hex" || { status=1; continue; }
    # hex -> binary without xxd (not always installed)
    tr -d '\n' <"$out/$v.hex" | sed 's/../\\x&/g' | xargs -0 printf '%b' >"$out/$v.bin"
    # the C array body for tests/unit/dmar_fixtures.h, 12 bytes a line
    od -An -v -tx1 -w12 "$out/$v.bin" | sed 's/ \([0-9a-f][0-9a-f]\)/ 0x\1,/g; s/^ /    /; s/,$/,/' >"$out/$v.inc"
    echo "capture-dmar: $v: $(($(wc -c <"$out/$v.hex") / 2)) bytes -> $out/$v.hex, $v.bin, $v.inc"
    grep -a 'DMARPCI' "$out/$v.log" | tr -d '\r' | sed 's/^.*DMARPCI/  pci/' || true
done
exit $status
