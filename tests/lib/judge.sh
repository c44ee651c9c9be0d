# Sourced by the emulator cases (host side): judging a serial log.
# Each check appends "PASS: case: what" or "FAIL: case: what (why)" to
# $RESULTS. A check can only pass on evidence found in the log.

judge_init() {  # CASE_NAME RESULTS_FILE
    CASE=$1
    RESULTS=$2
    : > "$RESULTS"
}

# printf, not echo: dash's echo would turn a '\n' of a path into a newline
pass() { printf '%s\n' "PASS: $CASE: $1" >> "$RESULTS"; }
fail() { printf '%s\n' "FAIL: $CASE: $1 ($2)" >> "$RESULTS"; }
skip() { printf '%s\n' "SKIP: $CASE: $1 ($2)" >> "$RESULTS"; }

# ran_to_end RC WORKDIR TIMEOUT_S : judges one emulator run of
# tools/emu/cli.py (exit status RC, WORKDIR/verdict, WORKDIR/serial.txt).
# An emulator that failed (exited before the end marker, never got going)
# is this case's one FAIL line, and ran_to_end returns 1: the caller then
# judges nothing else, as there is nothing to judge. A timeout is one FAIL
# line too, and the caller goes on judging what the guest did print.
ran_to_end() {
    case $1 in
    0) return 0 ;;
    124) fail "emulator run finished" "timed out after $3 s; last lines: $(tail -3 "$2/serial.txt" | tr -d '\r' | tr '\n' '|')"
         return 0 ;;
    125) printf '%s\n' "FAIL: $CASE: $(cat "$2/verdict")" >> "$RESULTS"; return 1 ;;
    *) printf '%s\n' "FAIL: $CASE: the emulator runner failed with status $1 (see $2)" >> "$RESULTS"; return 1 ;;
    esac
}

# expect LOG "what" REGEX : the log has a line matching REGEX
expect() {
    if grep -aqE "$3" "$1"; then pass "$2"; else fail "$2" "no line matching /$3/ in $1"; fi
}

# expect_not LOG "what" REGEX : no line matches REGEX
expect_not() {
    if grep -aqE "$3" "$1"; then
        fail "$2" "found: $(grep -aE "$3" "$1" | head -1 | tr -d '\r')"
    else
        pass "$2"
    fi
}

# expect_after LOG "what" ANCHOR_REGEX REGEX : REGEX matches a line after
# the first line matching ANCHOR_REGEX
expect_after() {
    if awk -v a="$3" -v r="$4" 'found && $0 ~ r {ok=1} $0 ~ a {found=1} END {exit ok ? 0 : 1}' "$1"; then
        pass "$2"
    else
        fail "$2" "no line matching /$4/ after /$3/ in $1"
    fi
}

# guest_results LOG : every PASS:/FAIL: line the guest printed becomes a
# result; a guest that printed none fails
guest_results() {
    tr -d '\r' < "$1" | grep -aE '^(PASS|FAIL): ' | while IFS= read -r line; do
        case $line in
            PASS:*) pass "guest: ${line#PASS: }" ;;
            FAIL:*) fail "guest: ${line#FAIL: }" "guest reported failure" ;;
        esac
    done
    grep -aqE '^(PASS|FAIL): ' "$1" || fail "guest printed results" "no PASS:/FAIL: lines in $1"
}
