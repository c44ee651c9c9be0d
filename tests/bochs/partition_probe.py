#!/usr/bin/env python3
"""Runs on the host, beside the Bochs case `partition`: waits for
WORK/host_port (the e1000's slirp forward, tools/emu/machines.py), then
uses the management partition's API while the primary runs: /status
(saved to WORK/../status.json for the case to judge) and a fold job run to
completion, whose result must equal the host build's (build/foldbench).
Prints one "PASS: CASE: what" or "FAIL: CASE: what (why)" line per check.

When it is done it creates WORK/probe.done, which ends the machine's run
(ONESTONE_END_FILE, tools/emu/cli.py).

With MODE "crash" (onestone.conf [mgmt] test = crash: the partition
triple-faults once mid-job) the job is longer and must come back from its
checkpoint after onestone restarted the partition (restarts 1, resumed at
a checkpoint); the restarted partition then hangs on purpose further on,
onestone's watchdog restarts it again, and the job runs to completion
(restarts 2) with the host build's result, as if nothing had happened.

usage: partition_probe.py CASE WORK TOKEN TIMEOUT_S READY_REGEX [MODE]
(first contact once READY_REGEX shows on WORK/serial.txt: the primary has
made its own checks and the partition says it listens)"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mgmt"))
import mgmttest  # noqa: E402

MOVES = 200000


def say(case, ok, what, why=""):
    print("%s: %s: %s%s" % ("PASS" if ok else "FAIL", case, what,
                             "" if ok else " (%s)" % why), flush=True)


def patient(end, fn):
    """fn() until it returns without a socket error or END passes (a
    connection slirp accepted before the partition listened can stall)."""
    while True:
        try:
            return fn()
        except OSError:
            if time.time() >= end:
                raise
            time.sleep(1)


def crash_checks(case, port, token, job_id, end):
    last = None
    while time.time() < end:
        try:
            st, j, _ = mgmttest.request(port, "GET", "/jobs/%d" % job_id, token=token,
                                        timeout=10)
        except OSError:
            st, j = None, None         # the partition is restarting
        if st == 200 and j:
            last = j
            if j["restarts"] == 1 and j["moves_done"] > j["resumed_at_moves"] > 0:
                break
        time.sleep(1)
    ok = bool(last) and last["restarts"] == 1 and last["moves_done"] > last["resumed_at_moves"] > 0
    say(case, ok, "the job came back from its checkpoint after the restart and goes on",
        "last answer %r" % last)
    return ok


def main(case, work, token, timeout, ready_regex, mode="job"):
    # the crash comes at 40% of the job: long enough for a checkpoint before
    # it, short enough to finish within the case's time after the restart
    moves = MOVES * 3 // 2 if mode == "crash" else MOVES
    end = time.time() + float(timeout)
    port, status, why = None, None, "no host port was chosen (Bochs did not start with the NIC)"
    # first contact once the primary is done with its checks and the
    # partition says it listens
    while time.time() < end:
        try:
            text = ""
            for name in ("serial.txt", "serial2.txt"):     # COM1, and COM2 of a guest
                if os.path.exists(os.path.join(work, name)):
                    with open(os.path.join(work, name), errors="replace") as f:
                        text += f.read()
            if re.search(ready_regex, text) and "management API on http" in text:
                break
        except OSError:
            pass
        time.sleep(1)
    while time.time() < end and status is None:
        try:
            with open(os.path.join(work, "host_port")) as f:
                port = int(f.read())
            st, j, raw = mgmttest.request(port, "GET", "/status", token=token)
            if st == 200 and j:
                status = raw.decode(errors="replace")
            else:
                why = "GET /status answered %s: %r" % (st, raw[:200])
        except (OSError, ValueError) as e:
            why = "no answer from the management API: %s" % e
        if status is None:
            time.sleep(2)
    with open(os.path.join(work, "..", "status.json"), "w") as f:
        f.write(status if status else "NO-ANSWER: %s\n" % why)
    if status is None:
        say(case, False, "a fold job runs in the partition while the primary runs", why)
        return 1
    st, j, raw = patient(end, lambda: mgmttest.request(
        port, "POST", "/jobs", {"benchmark": "yue1", "seed": 1, "moves": moves}, token=token,
        timeout=10))
    if st != 201 or not j:
        say(case, False, "a fold job runs in the partition while the primary runs",
            "POST /jobs answered %s: %r" % (st, raw[:200]))
        return 1
    if mode == "crash" and not crash_checks(case, port, token, j["id"], end):
        return 1
    done = patient(end, lambda: mgmttest.wait_job(port, j["id"], max(10, end - time.time())))
    ok = bool(done) and done.get("state") == "done"
    say(case, ok, "a fold job runs to completion in the partition while the primary runs",
        "last answer %r" % done)
    if ok and mode == "crash":
        say(case, done.get("restarts") == 2, "it finished after the second restart (the "
            "watchdog's)", "last answer %r" % done)
    if not ok:
        return 1
    want_e, want_dirs = mgmttest.host_fold("yue1", moves, 1)
    same = done["best_energy"] == want_e and done["conformation"] == want_dirs
    say(case, same, "its result equals the host build's (energy and conformation)",
        "partition %s %s, host %s %s" % (done["best_energy"], done["conformation"], want_e,
                                        want_dirs))
    return 0


if __name__ == "__main__":
    try:
        rc = main(*sys.argv[1:7])
    finally:
        open(os.path.join(sys.argv[2], "probe.done"), "w").close()
    sys.exit(rc)
