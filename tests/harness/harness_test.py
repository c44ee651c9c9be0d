#!/usr/bin/env python3
"""Runs on the host: tests of the test harness itself (`make test`).

"standins": every runner (a Bochs case, a QEMU VT-d case, a management
partition case, the demo) is run with a stand-in emulator first on PATH:
one that aborts at once the way Bochs 2.7 does without a sound device, and
one that hangs without printing anything. Each must end with exactly one
line naming the emulator, its exit status or that it never got going, and
(for the abort) the emulator's last words, within a few seconds rather than
after the case's timeout, and leave no stand-in running.

usage: harness_test.py CASE WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harnesslib import Results, leftover  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ABORT_S, HANG_S = 10, 20   # the start window is 6 s (tools/emu/watch.py)

ABORT = """#!/bin/sh
echo "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default" >&2
echo "*** buffer overflow detected ***: terminated" >&2
kill -ABRT $$
"""
HANG = """#!/bin/sh
exec sleep 600
"""


def standin_dir(work, kind, names=("bochs", "qemu-system-x86_64")):
    d = os.path.join(work, "standin-%s-%s" % (kind, "-".join(names)))
    os.makedirs(d, exist_ok=True)
    for name in names:
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(ABORT if kind == "abort" else HANG)
        os.chmod(path, 0o755)
    return d


def run(argv, path_dir, timeout=120, env=None):
    e = dict(os.environ)
    e["PATH"] = path_dir + ":" + e["PATH"]
    e.update(env or {})
    t0 = time.monotonic()
    p = subprocess.run(argv, cwd=ROOT, env=e, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), time.monotonic() - t0


def expected(kind, emulator):
    if kind == "abort":
        return (r"%s exited with status 134 \(SIGABRT\) after [0-9.]+ s: "
                r"\*\*\* buffer overflow detected \*\*\*: terminated \(log: \S+\)$" % emulator)
    return (r"%s never got going: no output and no sign of life in [0-9.]+ s "
            r"\(stopped; log: \S+\)$" % emulator)


def one_case(res, work, kind, label, runner, case, emulator):
    """A case script of make test with a stand-in: its results hold exactly
    one line, the emulator's report."""
    d = standin_dir(work, kind)
    out = os.path.join(work, "%s-%s" % (label, kind))
    shutil.rmtree(out, ignore_errors=True)
    limit = ABORT_S if kind == "abort" else HANG_S
    rc, text, secs = run(runner + [case, out], d)
    try:
        with open(os.path.join(out, "results")) as f:
            lines = [l.rstrip("\n") for l in f if re.match(r"(PASS|FAIL|SKIP): ", l)]
    except OSError:
        lines = []
    want = r"^FAIL: %s: " % re.escape(label) + expected(kind, emulator)
    res.check(len(lines) == 1 and re.match(want, lines[0]) and secs < limit,
              "%s with a stand-in %s that %s: one line naming it, in %.1f s" % (
                  label, emulator, "aborts" if kind == "abort" else "hangs silently", secs),
              "took %.1f s (limit %d), results %r" % (secs, limit, lines))
    rest = leftover(d)
    res.check(not rest, "%s (%s): no stand-in left running" % (label, kind), repr(rest))


def demo_case(res, work, kind, emulator="Bochs"):
    """make run's demo (one Bochs machine) with a stand-in Bochs: one line
    naming it and its log, a non-zero exit, nothing left running. Up to
    60 s go to building the ESP before Bochs starts."""
    binary, prefix = "bochs", "onestone demo: "
    d = standin_dir(work, kind, (binary,))
    demo_dir = os.path.join(work, "demo-%s-%s" % (binary, kind))
    limit = 60 + (ABORT_S if kind == "abort" else HANG_S)
    rc, text, secs = run(["tools/run-demo.sh"], d, timeout=300,
                         env={"ONESTONE_DEMO_DIR": demo_dir})
    with open(demo_dir + ".out", "w") as f:
        f.write(text)
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    report = [l for l in lines if re.match(prefix + expected(kind, emulator), l)]
    ended = [l for l in lines if l.startswith("onestone demo: ended: ")]
    res.check(rc != 0 and len(report) == 1 and ended and "Logs: " in ended[-1] and secs < limit,
              "make run's demo with a stand-in %s that %s: says so in one line with its log, "
              "exits %d" % (emulator, "aborts" if kind == "abort" else "hangs silently", rc),
              "exit %d after %.1f s; output ends %r" % (rc, secs, lines[-4:]))
    rest = leftover(d) + leftover(demo_dir)
    res.check(not rest, "demo (%s %s): no emulator left running" % (emulator, kind), repr(rest))


def standins(res, work):
    for kind in ("abort", "hang"):
        one_case(res, work, kind, "bochs-visible", ["tests/bochs/cases.sh"], "visible", "Bochs")
        one_case(res, work, kind, "qemu-vtd-3level", ["tests/qemu/cases.sh"], "3level", "QEMU")
        one_case(res, work, kind, "mgmt-api", ["tests/mgmt/cases.sh"], "api", "QEMU")
        demo_case(res, work, kind)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("standins",):
        print(__doc__, file=sys.stderr)
        return 2
    work = os.path.abspath(sys.argv[2])
    os.makedirs(work, exist_ok=True)
    res = Results(work, "harness")
    try:
        standins(res, work)
    except Exception as e:   # a harness test that blew up failed
        res.check(False, "the harness test ran to its end", "%s: %s" % (type(e).__name__, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
