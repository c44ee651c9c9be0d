#!/bin/sh
# Runs on the host (`make fuzz`): each libFuzzer target (build/fuzz/fuzz_*,
# tests/fuzz/) for FUZZ_SECONDS (default 180), two at a time, growing its
# own corpus in build/fuzz/corpus/TARGET from the seeds in
# tests/fuzz/corpus/TARGET; then one table: executions, executions per
# second, crashes (inputs kept in build/fuzz/crashes/TARGET/), leaks, and
# whether the target reached the team's 10^6 executions with none.
# usage: fuzz.sh BINARY...      exit status 1 when a target crashed or leaked
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-180}
out=$root/build/fuzz
run_one() {
    bin=$1 t=${1##*/fuzz_}
    corpus=$out/corpus/$t crashes=$out/crashes/$t
    mkdir -p "$corpus" "$crashes"
    cp "$root/tests/fuzz/corpus/$t"/* "$corpus/" 2>/dev/null
    start=$(date +%s)
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="$crashes/" "$corpus" > "$out/$t.log" 2>&1
    echo "$? $(( $(date +%s) - start ))" > "$out/$t.status"
}
running=0
for bin in "$@"; do
    run_one "$bin" &
    running=$((running + 1))
    if [ "$running" -ge 2 ]; then
        wait -n 2>/dev/null || wait
        running=$((running - 1))
    fi
done
wait
bad=0
printf '%-10s %8s %12s %10s %8s %6s %8s  %s\n' target seconds executions exec/s crashes leaks corpus verdict
for bin in "$@"; do
    t=${bin##*/fuzz_}
    read -r rc took < "$out/$t.status"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
    execs=${execs:-0}
    crashes=$(find "$out/crashes/$t" -type f | wc -l)
    leaks=$(grep -c 'ERROR: LeakSanitizer' "$out/$t.log")
    files=$(find "$out/corpus/$t" -type f | wc -l)
    verdict=ok
    if [ "$crashes" -gt 0 ] || [ "$leaks" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; }; then
        verdict="FAILED (see build/fuzz/$t.log)"; bad=1
    elif [ "$rc" -ne 0 ]; then
        verdict="FAILED (exit $rc, see build/fuzz/$t.log)"; bad=1
    elif [ "$execs" -lt 1000000 ]; then
        verdict="below 10^6 executions"
    fi
    printf '%-10s %8s %12s %10s %8s %6s %8s  %s\n' "$t" "$took" "$execs" "$((execs / (took ? took : 1)))" \
        "$crashes" "$leaks" "$files" "$verdict"
done
exit $bad
