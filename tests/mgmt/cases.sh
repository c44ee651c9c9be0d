#!/bin/sh
# Runs on the host: one management-partition case (tests/run-all.sh calls
# "tests/mgmt/cases.sh NAME DIR"). Every case leaves PASS/FAIL lines in
# DIR/results. "workserver" is the self-test of the test work server
# (tools/workserver.py); the others boot build/mgmt.elf standalone in QEMU
# (tests/mgmt/mgmttest.py).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
name=$1 dir=$2
mkdir -p "$dir"
case "$name" in
workserver)
    python3 "$root/tests/mgmt/workserver_test.py" > "$dir/selftest.log" 2>&1
    rc=$?
    grep -E '^(PASS|FAIL): ' "$dir/selftest.log" | sed 's/^\(PASS\|FAIL\): workserver /\1: mgmt-workserver: /' \
        > "$dir/results"
    # a self-test that died before reporting anything is a failure, not silence
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL: ' "$dir/results"; then
        echo "FAIL: mgmt-workserver: the self-test ran to its end (exit $rc, see $dir/selftest.log)" \
            >> "$dir/results"
    fi
    ;;
*)
    exec python3 "$root/tests/mgmt/mgmttest.py" "$name" "$dir"
    ;;
esac
