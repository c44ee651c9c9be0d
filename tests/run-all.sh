#!/bin/bash
# Runs on the host: the whole suite behind `make test`. Host unit tests
# first, then the emulator cases two at a time (the machine has 2 cores;
# the long cases start first): onestone under Bochs (VT-x), the
# VT-d code under QEMU, the management partition standalone under QEMU, and
# the harness itself (stand-in emulators that die or hang; `make run` on a
# pseudo-terminal). Ends with one line
# "N passed, N failed, N skipped" and a non-zero exit if anything failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/test-results
rm -rf "$out"
mkdir -p "$out"
jobs=${ONESTONE_TEST_JOBS:-2}

# 1. host unit tests
make -s -j2 unit > "$out/unit.log" 2>&1
grep -E '^(PASS|FAIL): ' "$out/unit.log" > "$out/unit.results" || true
if ! grep -q '^unit: ' "$out/unit.log"; then
    echo "FAIL: unit: unit tests built and ran (see $out/unit.log)" >> "$out/unit.results"
fi
cat "$out/unit.results"

# 2. emulator cases
cases="harness:demo bochs:linux-partition bochs:partition-crash bochs:partition bochs:partition-attack bochs:linux bochs:mgmt-platform bochs:boot-volume harness:standins bochs:visible bochs:hidden bochs:refuse-no-ept bochs:bad-config bochs:missing-target bochs:iommu-required bochs:triple-fault qemu:3level qemu:4level qemu:caching-mode qemu:intremap qemu:selftest mgmt:api mgmt:smp mgmt:checkpoint mgmt:workunit mgmt:compute mgmt:workserver conf:check conf:survey fuzz:replay"
run_case() {
    emu=${1%%:*} name=${1#*:}
    start=$(date +%s)
    "tests/$emu/cases.sh" "$name" "$out/$emu-$name" > "$out/$emu-$name.log" 2>&1
    mkdir -p "$out/$emu-$name"
    # a case that died before judging anything fails; it never just vanishes
    grep -qE '^(PASS|FAIL|SKIP): ' "$out/$emu-$name/results" 2>/dev/null ||
        echo "FAIL: $emu-$name: the case reported nothing (see $out/$emu-$name.log)" >> "$out/$emu-$name/results"
    echo "# $emu-$name: $(( $(date +%s) - start )) s" >> "$out/$emu-$name/results"
    grep -E '^(PASS|FAIL|SKIP): ' "$out/$emu-$name/results"
}
running=0
for c in $cases; do
    run_case "$c" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n 2>/dev/null || wait
        running=$((running - 1))
    fi
done
wait

# 3. nested KVM: the VT-x cases on real VT-x, only where the host has it
nested=$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null)
if [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo && { [ "$nested" = Y ] || [ "$nested" = 1 ]; }; then
    : > "$out/kvm.results"
    for name in visible linux partition; do
        RUNNER=kvm-run.sh CASE_PREFIX=kvm tests/bochs/cases.sh "$name" "$out/kvm-$name" \
            > "$out/kvm-$name.log" 2>&1
        cat "$out/kvm-$name/results" >> "$out/kvm.results"
    done
else
    echo "SKIP: kvm-nested: this host has no Intel CPU with KVM nested VMX (kvm_intel nested=1)" > "$out/kvm.results"
fi
grep -E '^(PASS|FAIL|SKIP): ' "$out/kvm.results"

all=$(cat "$out/unit.results" "$out"/bochs-*/results "$out"/qemu-*/results "$out"/mgmt-*/results "$out"/harness-*/results "$out"/conf-*/results "$out"/fuzz-*/results "$out/kvm.results" 2>/dev/null)
p=$(printf '%s\n' "$all" | grep -c '^PASS: ')
f=$(printf '%s\n' "$all" | grep -c '^FAIL: ')
s=$(printf '%s\n' "$all" | grep -c '^SKIP: ')
echo
printf '%s\n' "$all" | grep '^FAIL: ' || true
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
