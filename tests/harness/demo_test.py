#!/usr/bin/env python3
"""Runs on the host: `make run` the way a person runs it, in a terminal
(`make test`). Starts `make run` on a pseudo-terminal (its controlling
terminal), then:

  1. waits for Linux's shell on COM1, types a command and reads its answer,
     types `poweroff -f`: the demo must end by itself;
  2. starts the demo again and presses Ctrl-] while it boots: it must end
     at once.

Each time the terminal must be left as it was (cooked mode, echo on) and no
emulator of the demo may be left running.

usage: demo_test.py WORKDIR
"""
import fcntl
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harnesslib import Results, leftover  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHELL_TIMEOUT_S = 1500


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


def poweroff_run(res, work):
    demo_dir = os.path.join(work, "demo-poweroff")
    t = Terminal(demo_dir, os.path.join(work, "poweroff-transcript.txt"))
    try:
        m = t.wait_for(rb"fold job \d+ running", 180)
        res.check(bool(m), "make run started the management partition and printed its curl lines",
                  tail(t))
        if not m:
            return
        m = t.wait_for(rb"onestone demo: a shell on the guest's serial console", SHELL_TIMEOUT_S)
        if not res.check(bool(m), "the demo reached Linux's shell on COM1 under onestone",
                         tail(t)):
            return
        t.wait_for(rb"# $", 30, m.end())
        mark = len(t.screen)
        t.type(b"echo answer-$((6*7))\r")
        res.check(bool(t.wait_for(rb"answer-42", 60, mark)),
                  "a command typed into the terminal is answered by the guest's shell", tail(t))
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
        # press Ctrl-] once onestone has taken over, long before Linux's shell
        m = t.wait_for(rb"onestone: all 2 CPUs run as guests of onestone", 600)
        if not res.check(bool(m), "the second demo run booted onestone", tail(t)):
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
