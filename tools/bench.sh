#!/bin/sh
# Runs on the host (`make bench`): boots the EFI test guest and Linux under
# onestone in Bochs (clock sync=none: the TSC counts emulated instructions,
# so every figure repeats run to run), then the management partition in
# Bochs natively and under onestone beside Linux (fold moves/s ratio, the
# primary's exits/s), then the management partition standalone in QEMU (HTTP requests/s, fold moves/s against the same code on
# the host; wall-clock figures, so they vary run to run), and prints one table.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
rm -rf "$out"
mkdir -p "$out"
tests/bochs/cases.sh visible "$out/visible" > "$out/visible.log" 2>&1 &
tests/bochs/cases.sh linux "$out/linux" > "$out/linux.log" 2>&1
wait
g=$out/visible/run/serial.txt
l=$out/linux/run/serial.txt
bare=78   # ../shared/TESTING.md: a trivial CPUID handler, 1000 exits = 78,076 ticks

cpuid=$(sed -n 's/.*cpuid_exit_round_trip_ticks=\([0-9]*\).*/\1/p' "$g" | head -1)
reserved=$(sed -n 's/.*reserved .* (\([0-9]*\) KiB) for onestone.*/\1/p' "$g" | head -1)
row() { printf '| %-52s | %-26s | %-22s |\n' "$1" "$2" "$3"; }

echo
row "metric" "measured" "target"
row "----------------------------------------------------" "--------------------------" "----------------------"
if [ -n "$cpuid" ]; then
    ratio=$(awk -v a="$cpuid" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')
    row "CPUID exit round trip, guest loop (Bochs ticks)" "$cpuid ($ratio x bare $bare)" "<= 2.00 x bare"
else
    row "CPUID exit round trip, guest loop (Bochs ticks)" "not measured (see $g)" "<= 2.00 x bare"
fi
row "memory onestone reserved" "${reserved:-?} KiB" "-"
tr -d '\r' < "$l" | sed -n 's/^HVSTAT: \(cpu[0-9]*\) idle_exits=\([0-9]*\) over \([0-9]*\)s (\(.*\)\/s)/\1 \2 \3 \4/p' |
while read -r cpu n secs rate; do
    row "exits/s on $cpu while Linux is idle ($secs s)" "$rate ($n exits)" "0"
done
tr -d '\r' < "$l" | sed -n 's/.*stats \(cpu[0-9]*\): reason \([0-9]*\) (\(.*\)): \([0-9]*\) exits, [0-9]* ticks, \([0-9]*\) ticks\/exit/\1|\3|\4|\5/p' |
while IFS='|' read -r cpu name n per; do
    row "exits on $cpu, firmware + Linux boot: $name" "$n ($per ticks each)" "-"
done
grep -aq 'LINUX-CPUS' "$l" || echo "(the Linux run did not finish: see $l)"

# the management partition in Bochs, natively and under onestone beside
# Linux (tests/bochs/partition_bench.py)
python3 tests/bochs/partition_bench.py "$out/partition"

# the management partition, standalone in QEMU (tests/mgmt/mgmtbench.py)
python3 tests/mgmt/mgmtbench.py "$out/mgmt"
