#!/bin/sh
# Runs on the host (`make run`): the demo. Bochs boots OVMF, onestone.efi
# takes over both CPUs and chain-loads Debian's Linux kernel as the guest,
# and COM1 (onestone's log, then Linux's console and a shell) is attached
# to this terminal. End it with 'poweroff -f' in the guest or Ctrl-C.
# Alongside, the management partition (build/mgmt.elf) runs standalone in
# QEMU with its API on 127.0.0.1:$ONESTONE_MGMT_PORT (default 8080) and a
# fold job started: it cannot yet run under onestone, which has no
# partition assignment so far (see README, "What is not done yet").
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
# the management partition, standalone in QEMU; thread=single keeps its
# two busy-polling CPUs on one host core, leaving the other to Bochs
mport=${ONESTONE_MGMT_PORT:-8080}
token=demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
rm -f "$work/mgmt-serial.txt"
qemu-system-x86_64 -machine q35 -accel tcg,thread=single -smp 2 -m 256 -kernel build/mgmt.elf -append "token=$token" \
    -display none -serial "file:$work/mgmt-serial.txt" -monitor none \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$mport-:80" -device e1000,netdev=n0 \
    > "$work/mgmt-qemu.log" 2>&1 &
mgmt=$!
trap 'kill $mgmt 2>/dev/null || true' EXIT INT TERM
i=0
until grep -q 'mgmt: ready' "$work/mgmt-serial.txt" 2>/dev/null; do
    if ! kill -0 $mgmt 2>/dev/null || [ $i -ge 60 ]; then
        echo "onestone demo: the management partition did not start (port $mport taken? set" \
             "ONESTONE_MGMT_PORT): see $work/mgmt-qemu.log and $work/mgmt-serial.txt" >&2
        exit 1
    fi
    sleep 1; i=$((i + 1))
done
python3 - "$mport" "$token" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
req = urllib.request.Request("http://127.0.0.1:%s/jobs" % port, method="POST",
                             data=json.dumps({"benchmark": "yue1", "seed": 1,
                                              "moves": 200000000}).encode(),
                             headers={"Authorization": "Bearer " + token,
                                      "Content-Type": "application/json"})
print("onestone demo: fold job started:", json.load(urllib.request.urlopen(req, timeout=20))["id"])
PY
echo "onestone demo: management partition (standalone in QEMU, log $work/mgmt-serial.txt):"
echo "    curl -H 'Authorization: Bearer $token' http://127.0.0.1:$mport/status"
echo "    curl -H 'Authorization: Bearer $token' http://127.0.0.1:$mport/jobs/1"
echo "onestone demo: Bochs is booting OVMF (about 20 s), then onestone and Linux (a few minutes)."
if tty -s; then
    BOCHS_TERM=$(tty) tests/lib/bochs-run.sh "$root/$work/run" corei7_ivy_bridge_3770k 2 \
        "$root/$work/esp.img" "" 0
    exit $?
fi
# no terminal: follow the serial log instead
tests/lib/bochs-run.sh "$root/$work/run" corei7_ivy_bridge_3770k 2 "$root/$work/esp.img" \
    'LINUX-END|platform reset' 1500 &
pid=$!
sleep 2
tail -f "$root/$work/run/serial.txt" --pid=$pid
