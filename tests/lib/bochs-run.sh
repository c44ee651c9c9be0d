#!/bin/sh
# Runs on the host: boots one Bochs machine and waits for it to finish.
# usage: bochs-run.sh WORKDIR CPU_MODEL CPUS ESP_IMAGE END_REGEX TIMEOUT_S [IPS]
# Leaves WORKDIR/serial.txt (COM1) and WORKDIR/bochs.log. Ends when Bochs
# exits (e.g. ACPI power-off), when END_REGEX appears on the serial line,
# or after TIMEOUT_S seconds (exit code 124). With BOCHS_TERM=/dev/ttyX
# COM1 is attached to that terminal instead (make run), and the run lasts
# until Bochs exits.
set -u
. "$(dirname "$0")/watch.sh"
work=$1 model=$2 cpus=$3 image=$4 end_re=$5 timeout=$6 ips=${7:-10000000}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
rm -f "$work/serial.txt" "$work/bochs.log" "$work/disk.img.lock"
cp "$image" "$work/disk.img"
com1="mode=file, dev=$work/serial.txt"
[ -n "${BOCHS_TERM:-}" ] && com1="mode=term, dev=$BOCHS_TERM"
sed -e "s|@COM1@|$com1|" -e "s|@CPU_MODEL@|$model|" -e "s|@CPUS@|$cpus|" -e "s|@IPS@|$ips|" \
    -e "s|@DISK@|$work/disk.img|" -e "s|@SERIAL@|$work/serial.txt|" \
    -e "s|@LOG@|$work/bochs.log|" "$here/../bochs/bochsrc.in" > "$work/bochsrc"
echo c > "$work/debugger.rc"
: > "$work/serial.txt"
if [ -n "${BOCHS_TERM:-}" ]; then
    bochs -q -f "$work/bochsrc" -rc "$work/debugger.rc" < /dev/null > "$work/bochs.out" 2>&1
    exit $?
fi
bochs -q -f "$work/bochsrc" -rc "$work/debugger.rc" < /dev/null > "$work/bochs.out" 2>&1 &
pid=$!
watch_emulator "$pid" "$work" "$end_re" "$timeout"
rc=$?
rm -f "$work/disk.img" "$work/disk.img.lock"
exit $rc
