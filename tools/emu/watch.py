"""Runs on the host: starts one emulator (Bochs or QEMU) and watches it, for
the test cases, `make run` and `make bench`.

An emulator that exits before the case's end marker, or never gets going
(prints nothing and shows no sign of life within START_WINDOW_S), is
reported in one line that names it, its exit status or signal, how long it
ran and the last meaningful line of its output, for example

    Bochs exited with status 134 (SIGABRT) after 0.4 s: *** buffer overflow
    detected ***: terminated (log: build/test-results/bochs-visible/run/bochs.out)

so a case says that once instead of failing every check it would have
judged. Every emulator runs in its own process group with standard input
from /dev/null and the host's display and sound kept out of it
(HEADLESS_ENV), and is stopped with its whole group.
"""
import os
import re
import signal
import subprocess
import time

# Real emulators show a sign of life within milliseconds: Bochs prints its
# plugin lines, QEMU writes its -pidfile. A process that shows none in this
# long has hung before doing anything.
START_WINDOW_S = float(os.environ.get("ONESTONE_EMU_START_S", "6"))

# Bochs's display is SDL2 with its dummy video driver: no window, no X or
# Wayland display, no VNC port. Sound is off in the Bochs configuration;
# SDL's own audio is kept away from the host's sound system too.
HEADLESS_ENV = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}

# lines of an emulator's output that say nothing about why it stopped
_NOISE = re.compile(r"^(\d{11}[idp]\[|=+$|\(\d+\)\.\[|Next at t=|<bochs:\d+>|"
                    r"\s*Bochs x86 Emulator|\s*Built from SVN|\s*Timestamp:|"
                    r"qemu-system-x86_64: terminating on signal)")
# lines that do say why, best first
_REASONS = [re.compile(p) for p in (r">>PANIC<<", r"\*\*\* .* \*\*\*", r"^qemu-system-\w+: ",
                                     r"Segmentation fault|Aborted|Killed", r"[Ee]rror")]


def signal_name(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return "signal %d" % n


def _lines(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            data = f.read()
    except OSError:
        return []
    text = data.decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;=?]*[A-Za-z]", "", text)
    return [l.strip() for l in text.replace("\r", "\n").split("\n") if l.strip()]


def last_meaningful_line(output_path, serial_path=None):
    """The line of an emulator's output that best says why it stopped:
    Bochs's exit message, a panic, a C library abort, a QEMU error, else
    the last line that is not a register dump or banner; failing that the
    last line the guest printed on the serial port."""
    lines = _lines(output_path)
    for i, l in enumerate(lines):
        if l.startswith("Bochs is exiting with the following message"):
            for nxt in lines[i + 1:]:
                if not _NOISE.match(nxt):
                    return nxt
    for rx in _REASONS:
        hits = [l for l in lines if rx.search(l) and not _NOISE.match(l)]
        if hits:
            return hits[-1]
    rest = [l for l in lines if not _NOISE.match(l)]
    if rest:
        return rest[-1]
    if serial_path:
        ser = _lines(serial_path)
        if ser:
            return "last serial line: " + ser[-1]
    return "no output"


def shown_path(path):
    """PATH as a report shows it: relative to the current directory when it
    lies below it, else absolute."""
    rel = os.path.relpath(path)
    return os.path.abspath(path) if rel.startswith("..") else rel


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


class Emulator:
    """One emulator process. name: "Bochs" or "QEMU", as the reports say it;
    output: where its stdout and stderr go; serial: the guest's COM1 log
    (a file the emulator writes, or one the caller feeds); alive: files the
    emulator creates once it runs (QEMU's -pidfile)."""

    def __init__(self, name, argv, output, serial=None, alive=(), env=None,
                 start_window=None, serial2=None):
        self.name, self.argv, self.output, self.serial = name, argv, output, serial
        self.serial2 = serial2   # COM2's log, searched for the end marker too
        self.alive = list(alive)
        self.env = dict(os.environ)
        self.env.update(HEADLESS_ENV)
        self.env.update(env or {})
        self.start_window = START_WINDOW_S if start_window is None else start_window
        self.proc = None
        self.going = False
        self.stopped = False   # stopped on purpose: its end is not a failure
        self.failure = None    # the one-line report, once it failed
        self.cleanup = []      # files removed once it has ended (disk copies)

    def start(self):
        for p in self.alive:
            if os.path.exists(p):
                os.unlink(p)
        self.t0 = time.monotonic()
        with open(self.output, "ab") as out:
            try:
                self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT, env=self.env,
                                             start_new_session=True)
            except OSError as e:
                self.failure = "%s could not be started: %s: %s" % (self.name, self.argv[0],
                                                                     e.strerror)
                self.stopped = True
        return self

    def elapsed(self):
        return time.monotonic() - self.t0

    def _shows_life(self):
        if _size(self.output) > 0 or (self.serial and _size(self.serial) > 0):
            return True
        return any(os.path.exists(p) for p in self.alive)

    def check(self):
        """None while the emulator runs as it should (or was stopped on
        purpose); else the one-line report of how it failed."""
        if self.failure or self.stopped:
            return self.failure
        rc = self.proc.poll()
        if rc is not None:
            if rc < 0:
                how = "exited with status %d (%s)" % (128 - rc, signal_name(-rc))
            elif rc > 128 and rc - 128 < 65:
                how = "exited with status %d (%s)" % (rc, signal_name(rc - 128))
            else:
                how = "exited with status %d" % rc
            self.failure = "%s %s after %.1f s: %s (log: %s)" % (
                self.name, how, self.elapsed(), last_meaningful_line(self.output, self.serial),
                shown_path(self.output))
            return self.failure
        if not self.going:
            if self._shows_life():
                self.going = True
            elif self.elapsed() >= self.start_window:
                self.failure = ("%s never got going: no output and no sign of life in %.1f s "
                                "(stopped; log: %s)" % (self.name, self.elapsed(),
                                                       shown_path(self.output)))
                self._kill()
                return self.failure
        return None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # the emulator is gone; children it left in its group go too
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc.wait()
        for path in self.cleanup:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def stop(self):
        """Stops the emulator (and its process group) on purpose."""
        self.check()
        self.stopped = True
        self._kill()

    def serial_text(self):
        text = ""
        for path in (self.serial, self.serial2):
            try:
                with open(path, "rb") as f:
                    text += f.read().decode("utf-8", "replace")
            except (OSError, TypeError):
                pass
        return text

    def watch(self, end_re, timeout, end_file=None):
        """Waits for END_RE on the serial log (then stops the emulator a
        second later, as the guest may still be printing), for END_FILE to
        exist (a host-side check running beside the machine is done), for
        the emulator to fail, or for TIMEOUT seconds. Returns ("end",
        None), ("failed", report) or ("timeout", None)."""
        rx = re.compile(end_re) if end_re else None
        while True:
            if (rx and rx.search(self.serial_text())) or (end_file and os.path.exists(end_file)):
                time.sleep(1)
                self.stop()
                return "end", None
            failure = self.check()
            if failure:
                # its last words may hold the end marker after all
                if rx and rx.search(self.serial_text()):
                    self.stopped = True
                    return "end", None
                return "failed", failure
            if self.stopped:
                return "failed", "%s stopped" % self.name
            if self.elapsed() >= timeout:
                self.stop()
                return "timeout", None
            time.sleep(0.2)
