#!/bin/sh
# Runs on the host: boots one Bochs machine (tools/emu/machines.py) and
# waits for it to finish.
# usage: bochs-run.sh WORKDIR CPU_MODEL CPUS ESP_IMAGE END_REGEX TIMEOUT_S [IPS]
# Leaves WORKDIR/serial.txt (COM1), bochs.out, bochs.log, seconds and
# verdict. Exit status 0 when END_REGEX appeared on COM1, 124 after
# TIMEOUT_S, 125 when Bochs exited before the end marker or never got
# going (WORKDIR/verdict then holds the one-line report).
exec python3 "$(dirname "$0")/../../tools/emu/cli.py" bochs "$@"
