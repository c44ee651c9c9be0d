#!/usr/bin/env python3
"""Runs on the host: `make run` the way a person runs it, in a terminal
(`make test`). Starts `make run` on a pseudo-terminal (its controlling
terminal), then:

  1. reads the management partition's URL and token, printed before
     Bochs starts; waits until the demo says the partition's API answers
     (the partition runs beside Linux on the same Bochs machine) and calls
     /status itself; waits for Linux's shell (COM2), types a command and
     reads its answer, calls /status again while Linux runs; switches the
     keys to onestone's console (COM1, Ctrl-A three times), types a
     command there and reads its answer, switches back, types
     `poweroff -f`: the demo must end by itself;
  2. starts the demo again and presses Ctrl-] once the partition answers,
     while Linux boots: it must end at once.

Each time the terminal must be left as it was (cooked mode, echo on) and no
emulator of the demo may be left running.

usage: demo_test.py WORKDIR
"""
import fcntl
import json
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harnesslib import Results, leftover  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHELL_TIMEOUT_S = 1500
API_LINE = rb"onestone demo: the management partition's API will be on (http://127\.0\.0\.1:\d+) " \
           rb"\(token (\S+)\)"
ANSWERS = rb"onestone demo: the management partition answers on .* fold job \d+ running"


class Terminal:
    """`make run` with a pseudo-terminal as its stdin, stdout and stderr and
    as its controlling terminal, as in tmux or xterm."""

    def __init__(self, demo_dir, transcript):
        self.master, self.slave = os.openpty()
        self.cooked = termios.tcgetattr(self.slave)
        env = dict(os.environ, ONESTONE_DEMO_DIR=demo_dir, TERM="xterm")

        def controlling_tty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        self.proc = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT,
                                     stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                     env=env, start_new_session=True,
                                     preexec_fn=controlling_tty)
        self.screen = b""
        self.transcript = open(transcript, "wb")

    def read(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if r:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            self.screen += data
            self.transcript.write(data)
            self.transcript.flush()

    def wait_for(self, pattern, timeout, start=0):
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = rx.search(self.screen, start)
            if m:
                return m
            if self.proc.poll() is not None:
                self.read(0.2)
                return rx.search(self.screen, start)
            self.read(0.5)
        return None

    def type(self, keys):
        for b in keys:   # one key at a time, as a person types
            os.write(self.master, bytes([b]))
            time.sleep(0.02)

    def exited(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.proc.poll() is None:
            self.read(0.2)
        self.read(0.2)
        return self.proc.poll()

    def tty_restored(self):
        now = termios.tcgetattr(self.slave)
        return now[:6] == self.cooked[:6]   # iflag oflag cflag lflag speeds

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)
        self.transcript.close()


def tail(t):
    return re.sub(rb"\x1b\[[0-9;=?]*[A-Za-z]", b"", t.screen[-300:]).decode("utf-8", "replace")


def left_cleanly(res, t, demo_dir, how):
    res.check(t.tty_restored(), "after %s the terminal is back in its own mode" % how,
              "termios differs")
    rest = leftover(demo_dir)
    res.check(not rest, "after %s no emulator of the demo is left running" % how, repr(rest))


def api_status(url, token):
    """(ok, why): GET /status answers 200 with the primary partition in it."""
    req = urllib.request.Request(url + "/status", headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            j = json.load(r)
    except (OSError, ValueError) as e:
        return False, "%s: %s" % (type(e).__name__, e)
    names = [p.get("name") for p in j.get("partitions", [])]
    return (j.get("mode") == "onestone" and "primary" in names and "mgmt" in names,
            "mode %r, partitions %r" % (j.get("mode"), names))


def poweroff_run(res, work):
    demo_dir = os.path.join(work, "demo-poweroff")
    t = Terminal(demo_dir, os.path.join(work, "poweroff-transcript.txt"))
    try:
        m = t.wait_for(API_LINE, 300)
        # the curl lines may come in a later read than the URL's line
        curl = m and t.wait_for(rb"curl -H 'Authorization: Bearer \S+' "
                                rb"http://127\.0\.0\.1:\d+/status", 30, m.end())
        first = m and curl and b"Bochs is booting" not in t.screen[:m.start()]
        if not res.check(bool(first), "make run prints the API's URL, token and curl lines first",
                         tail(t)):
            return
        url, token = m.group(1).decode(), m.group(2).decode()
        m = t.wait_for(ANSWERS, SHELL_TIMEOUT_S)
        if not res.check(bool(m), "the management partition answers beside Linux on the same "
                         "machine, and the demo started a fold job there", tail(t)):
            return
        ok, why = api_status(url, token)
        res.check(ok, "GET /status with the printed token on the printed URL shows both "
                  "partitions", why)
        m = t.wait_for(rb"onestone demo: a shell on the guest's serial console", SHELL_TIMEOUT_S)
        if not res.check(bool(m), "the demo reached Linux's shell (COM2) under onestone",
                         tail(t)):
            return
        t.wait_for(rb"# $", 30, m.end())
        mark = len(t.screen)
        t.type(b"echo answer-$((6*7))\r")
        res.check(bool(t.wait_for(rb"answer-42", 60, mark)),
                  "a command typed into the terminal is answered by the guest's shell", tail(t))
        ok, why = api_status(url, token)
        res.check(ok, "the API still answers while Linux's shell runs", why)
        # Ctrl-A three times: the keys go to onestone's console (COM1) and back
        mark = len(t.screen)
        t.type(b"\x01\x01\x01")
        res.check(bool(t.wait_for(rb"keys now go to onestone's console", 10, mark)) and
                  bool(t.wait_for(rb"onestone> ", 60, mark)),
                  "Ctrl-A three times switches the keys to onestone's console, which prompts",
                  tail(t))
        mark = len(t.screen)
        t.type(b"mgmt status\r")
        res.check(bool(t.wait_for(rb"mgmt: running, 1 CPU", 60, mark)),
                  "a console command typed there is answered by onestone", tail(t))
        mark = len(t.screen)
        t.type(b"\x01\x01\x01")
        res.check(bool(t.wait_for(rb"keys now go to Linux", 10, mark)),
                  "Ctrl-A three times again gives the keys back to Linux", tail(t))
        mark = len(t.screen)
        t.type(b"echo back-$((6*7))\r")
        res.check(bool(t.wait_for(rb"back-42", 60, mark)), "Linux's shell answers again",
                  tail(t))
        mark = len(t.screen)
        t.type(b"poweroff -f\r")
        rc = t.exited(90)
        res.check(rc == 0 and re.search(rb"onestone demo: ended: the guest ended it",
                                        t.screen[mark:]) is not None,
                  "'poweroff -f' in the guest ends the demo (exit 0)",
                  "exit %r; %s" % (rc, tail(t)))
        left_cleanly(res, t, demo_dir, "poweroff")
    finally:
        t.close()


def escape_run(res, work):
    demo_dir = os.path.join(work, "demo-escape")
    t = Terminal(demo_dir, os.path.join(work, "escape-transcript.txt"))
    try:
        # press Ctrl-] once the partition runs, long before Linux's shell
        m = t.wait_for(ANSWERS, SHELL_TIMEOUT_S)
        if not res.check(bool(m), "the second demo run started the partition", tail(t)):
            return
        t0 = time.monotonic()
        t.type(b"\x1d")
        rc = t.exited(30)
        secs = time.monotonic() - t0
        res.check(rc == 0 and b"onestone demo: ended: Ctrl-] pressed" in t.screen,
                  "Ctrl-] ends the demo at once (%.1f s, exit 0)" % secs,
                  "exit %r after %.1f s; %s" % (rc, secs, tail(t)))
        left_cleanly(res, t, demo_dir, "Ctrl-]")
    finally:
        t.close()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    work = os.path.abspath(sys.argv[1])
    os.makedirs(work, exist_ok=True)
    res = Results(work, "demo")
    for run in (escape_run, poweroff_run):
        try:
            run(res, work)
        except Exception as e:
            res.check(False, "%s ran to its end" % run.__name__, "%s: %s" % (type(e).__name__, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
