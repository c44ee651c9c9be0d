#!/bin/sh
# Runs on the host: the fuzzing case of `make test` ("replay"): every
# libFuzzer target (build/fuzz/fuzz_*) runs once over each input of its
# corpus, tests/fuzz/corpus/TARGET/ (the seeds, and any input a fuzzing
# run found that crashed a target once, kept so it stays fixed), with
# ASan and UBSan; a crash, a leak or a sanitizer report fails the target.
# usage: cases.sh replay WORKDIR
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/judge.sh"
name=$1 work=$2
mkdir -p "$work"
judge_init "fuzz-$name" "$work/results"
[ "$name" = replay ] || { fail "known case" "no case named $name"; exit 0; }
for dir in "$root"/tests/fuzz/corpus/*/; do
    t=$(basename "$dir")
    bin=$root/build/fuzz/fuzz_$t
    n=$(find "$dir" -type f | wc -l)
    if [ ! -x "$bin" ]; then
        fail "$t: the corpus replays" "no $bin (make fuzzers)"
    elif "$bin" "$dir"* > "$work/$t.log" 2>&1; then
        pass "$t: its $n corpus inputs replay with no crash, leak or sanitizer report"
    else
        fail "$t: its $n corpus inputs replay with no crash, leak or sanitizer report" "$(grep -m1 -E 'ERROR|SUMMARY' "$work/$t.log")"
    fi
done
exit 0
