# Sourced by the emulator runners (host side): waits for an emulator that
# runs in the background. watch_emulator PID WORKDIR END_REGEX TIMEOUT_S
# returns when the emulator exits, END_REGEX shows up in WORKDIR/serial.txt
# (the emulator is then stopped), or TIMEOUT_S passes (stopped; returns 124).
# Writes the wall time to WORKDIR/seconds.
watch_emulator() {
    _pid=$1 _work=$2 _end=$3 _timeout=$4
    _start=$(date +%s)
    _rc=0
    while kill -0 "$_pid" 2>/dev/null; do
        if [ -n "$_end" ] && grep -qE "$_end" "$_work/serial.txt" 2>/dev/null; then
            sleep 1
            kill "$_pid" 2>/dev/null
            break
        fi
        if [ $(( $(date +%s) - _start )) -ge "$_timeout" ]; then
            kill "$_pid" 2>/dev/null
            _rc=124
            break
        fi
        sleep 1
    done
    wait "$_pid" 2>/dev/null
    echo "$(( $(date +%s) - _start ))" > "$_work/seconds"
    return $_rc
}
