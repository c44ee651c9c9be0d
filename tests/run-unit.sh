#!/bin/sh
# Runs the host unit-test binaries named on the command line (make unit):
# one PASS/FAIL line per binary, the output of failing ones, and a single
# summary line. Exits nonzero when any binary failed.
passed=0
failed=0
out=$(mktemp "${TMPDIR:-/tmp}/onestone-unit.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT INT TERM
for t in "$@"; do
    name=$(basename "$t")
    if "$t" >"$out" 2>&1; then
        echo "PASS: unit $name"
        passed=$((passed + 1))
    else
        echo "FAIL: unit $name"
        sed 's/^/    /' "$out"
        failed=$((failed + 1))
    fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
