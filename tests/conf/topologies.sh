#!/bin/sh
# Runs on the host: the checker's topology tests. For each line of
# tests/conf/topologies/cases.txt, build/onestone-conf check judges a
# configuration giving the management partition those devices against the
# survey of that machine; its output (stdout, stderr) and exit status must
# be exactly expect/NAME--DEVICES.txt.
# usage: topologies.sh RESULTS_FILE [--update]   (--update rewrites the expected files)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/judge.sh"
results=$1 update=${2:-}
judge_init conf-topologies "$results"
dir=$root/tests/conf/topologies
conf=${ONESTONE_CONF:-$root/build/onestone-conf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$dir/cases.txt" | while read -r name devices flag; do
    [ -n "$name" ] || continue
    {
        printf '[mgmt]\nkernel = \\EFI\\onestone\\mgmt.elf\ncpus = 1\nmemory = 64M\ndevices = %s\ntoken = SECRET\n' "$devices"
        [ "$flag" = allow_split ] && printf 'allow_split = yes\n'
    } > "$tmp/onestone.conf"
    (cd "$tmp" && "$conf" check onestone.conf --lspci "$dir/$name.survey" > out 2> err; echo "exit: $?" > status)
    got=$tmp/got
    { echo "stdout:"; sed "s|$dir/||g" "$tmp/out"; echo "stderr:"; sed "s|$dir/||g" "$tmp/err"; cat "$tmp/status"; } > "$got"
    want=$dir/expect/$name--$(echo "$devices" | tr ',:' '+-')${flag:+--$flag}.txt
    if [ "$update" = --update ]; then
        mkdir -p "$dir/expect" && cp "$got" "$want"
    fi
    if [ ! -f "$want" ]; then
        fail "$name with devices $devices${flag:+ ($flag)}: the checker's findings" "no expected file $want"
    elif diff -u "$want" "$got" > "$tmp/diff"; then
        pass "$name with devices $devices${flag:+ ($flag)}: the checker's groups, findings and exit status are the expected ones"
    else
        fail "$name with devices $devices${flag:+ ($flag)}: the checker's findings" "differ from $want: $(grep '^[-+][^-+]' "$tmp/diff" | head -4 | tr '\n' '|')"
    fi
done
