#!/bin/sh
# Runs on the host: the harness's own cases (tests/run-all.sh calls
# "tests/harness/cases.sh NAME DIR"): "standins" runs every runner with
# stand-in emulators (tests/harness/harness_test.py); "demo" runs `make
# run` under a pseudo-terminal as a person would (tests/harness/demo_test.py).
set -u
here=$(cd "$(dirname "$0")" && pwd)
case $1 in
standins) exec python3 "$here/harness_test.py" standins "$2" ;;
demo)     exec python3 "$here/demo_test.py" "$2" ;;
*)        mkdir -p "$2"; echo "FAIL: harness-$1: known case (no case named $1)" > "$2/results" ;;
esac
