#!/usr/bin/env python3
"""Runs on the host (`make run`, after tools/run-demo.sh built the ESP): the
demo, one machine. Bochs boots OVMF with 2 CPUs and an e1000; onestone.efi
starts the management partition (build/mgmt.elf) on the second CPU with
its own memory and the e1000, and chain-loads Debian's Linux kernel on the
first. Both serial ports are relayed to this terminal through
pseudo-terminals this script owns, so that it, not Bochs, decides what the
keys do:

  - COM1 is onestone's: its log (the partition's lines included) and its
    serial console; COM2 is Linux's console and a shell;
  - keys go to Linux's shell, Ctrl-C included; Ctrl-A three times in a row
    switches them to onestone's console and back (as on Xen's console);
    pasted text goes in pieces of 8 bytes, 20 a second, so that the
    emulated UART loses none;
  - Ctrl-] ends the demo at any time (as in `virsh console`, `xl console`);
  - the demo also ends when the guest halts or powers off (`poweroff -f`),
    when onestone resets or powers off the platform, or when Bochs fails.

Either way the terminal is restored and every process the demo started is
stopped. The partition's API is forwarded from 127.0.0.1:8080 (another
free port if that one is taken; ONESTONE_MGMT_PORT asks for one); the
token and the curl lines are printed first. Once the API answers, the demo
starts a fold job there and says so. Without a terminal the demo follows
both ports until Linux's test init has reported (LINUX-END) and the API
has answered, and ends there.

usage: demo.py WORKDIR ESP_IMAGE TOKEN_FILE
"""
import json
import os
import re
import select
import signal
import sys
import termios
import threading
import time
import tty
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "emu"))
import machines  # noqa: E402
from watch import shown_path  # noqa: E402

ESCAPE = b"\x1d"   # Ctrl-]
SWITCH = b"\x01"   # Ctrl-A, three times in a row
# Bochs's UART drops what arrives while the guest has not yet read the last
# characters, and an emulated guest reads slowly: pasted text goes to it
# in pieces of KEY_CHUNK bytes (a key, or a terminal's reply to a query,
# arrives whole), one piece per KEY_GAP_S
KEY_CHUNK = 8
KEY_GAP_S = 0.05
# what the guest or onestone prints when the demo is over
HALTED = re.compile(rb"reboot: System halted|reboot: Power down|reboot: Restarting system|"
                    rb"onestone: .*platform reset|onestone: .*console: powering off")
NO_TTY_END = re.compile(rb"LINUX-END")
NO_TTY_TIMEOUT_S = 1500
API_PORT = 8080
# the partition says so on COM1 (through onestone's log) once it listens
API_READY = re.compile(rb"mgmt: ready: management API on http")
API_ANSWER_S = 180      # from that line to a first answer through slirp
FOLD_MOVES = 20000000   # most of an hour at Bochs's speed: it runs all demo long


def say(msg):
    sys.stdout.write("onestone demo: %s\r\n" % msg)
    sys.stdout.flush()


class Screen:
    """This terminal, shared by two serial ports. A port's output is shown
    as it comes (a typed key's echo at once), but while one port has an
    unfinished line on the screen the other port's output waits until that
    line ends, or for at most HOLD_S, so that one port's line never lands
    in the middle of the other's."""
    HOLD_S = 1.0
    PARTIAL_S = 0.05        # how often the caller looks in while output waits

    def __init__(self):
        self.held = {}
        self.open_port, self.open_since = None, 0.0

    def _show(self, port):
        data = self.held.pop(port, b"")
        if not data:
            return
        os.write(1, data)
        if data.endswith(b"\n"):
            self.open_port = None
        elif self.open_port != port:
            self.open_port, self.open_since = port, time.monotonic()

    def put(self, port, data):
        self.held[port] = self.held.get(port, b"") + data
        if self.open_port in (None, port):
            self._show(port)
        self.flush_stale()

    def waiting(self):
        return any(self.held.values())

    def flush_stale(self, everything=False):
        if self.open_port is not None and (everything or
                                           time.monotonic() - self.open_since >= self.HOLD_S):
            if any(d for p, d in self.held.items() if p != self.open_port):
                os.write(1, b"\r\n")   # the unfinished line stays where it is
            self.open_port = None
        for port in list(self.held):
            if self.open_port in (None, port):
                self._show(port)


class ApiWatcher(threading.Thread):
    """Once the partition says it listens, calls its API from the host
    until it answers, then starts a fold job there. Leaves one line for
    the relay to print between COM1 chunks (never inside one of its
    writes) and sets ok (None while it still tries)."""

    def __init__(self, url, token):
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.ready = threading.Event()     # the partition's ready line was seen
        self.stop = threading.Event()
        self.message = None
        self.ok = None                     # None while it runs

    def call(self, method, path, body=None, timeout=10):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)

    def run(self):
        while not self.ready.wait(0.5):
            if self.stop.is_set():
                return
        end = time.monotonic() + API_ANSWER_S
        why = "no answer"
        while not self.stop.is_set():
            try:
                status = self.call("GET", "/status")
                job = self.call("POST", "/jobs", {"benchmark": "yue1", "seed": 1,
                                                  "moves": FOLD_MOVES})["id"]
                self.message = ("the management partition answers on %s (under %s); fold job "
                                "%d running: curl -H 'Authorization: Bearer %s' %s/jobs/%d" %
                                (self.url, status.get("hypervisor"), job, self.token, self.url,
                                 job))
                self.ok = True
                return
            except (OSError, ValueError, KeyError) as e:
                why = "%s: %s" % (type(e).__name__, e)
            if time.monotonic() > end:
                self.message = ("the management partition said it listens, but its API gave "
                                "no answer on %s within %d s (last: %s)" %
                                (self.url, API_ANSWER_S, why))
                self.ok = False
                return
            self.stop.wait(3)


class Demo:
    def __init__(self, work, image, token_file):
        self.work, self.image = work, image
        with open(token_file) as f:
            self.token = f.read().strip()
        self.interactive = os.isatty(0) and os.isatty(1)
        self.bochs = None
        self.api = None
        self.saved_tty = None

    def choose_port(self):
        asked = os.environ.get("ONESTONE_MGMT_PORT")
        if asked:
            port = machines.free_host_port(int(asked))
            if port != int(asked):
                say("ONESTONE_MGMT_PORT=%s: that port is in use on 127.0.0.1" % asked)
                return None
            return port
        port = machines.free_host_port(API_PORT)
        if port != API_PORT:
            say("127.0.0.1:%d is in use on this host: the API gets port %d instead" %
                (API_PORT, port))
        return port

    # -- Bochs with COM1 on our pseudo-terminal ----------------------------
    def run_bochs(self):
        port = self.choose_port()
        if port is None:
            return 1, "no port for the management API"
        url = "http://127.0.0.1:%d" % port
        say("the management partition's API will be on %s (token %s), once onestone has "
            "started the partition:" % (url, self.token))
        print("    curl -H 'Authorization: Bearer %s' %s/status" % (self.token, url))
        print("    curl -H 'Authorization: Bearer %s' -d '{\"benchmark\":\"yue1\",\"seed\":1,"
              "\"moves\":200000}' %s/jobs" % (self.token, url), flush=True)
        self.api = ApiWatcher(url, self.token)
        self.api.start()
        master, slave = os.openpty()        # COM1: onestone
        master2, slave2 = os.openpty()      # COM2: Linux
        for s in (slave, slave2):
            tty.setraw(s)   # nothing is echoed back before Bochs opens it
        run = os.path.join(self.work, "run")
        self.bochs = machines.bochs(run, "corei7_ivy_bridge_3770k", 2, self.image,
                                    com1_tty=os.ttyname(slave), nic_port=80, host_port=port,
                                    com2_tty=os.ttyname(slave2))
        log = open(self.bochs.serial, "ab")
        log2 = open(self.bochs.serial2, "ab")
        self.bochs.start()
        if self.interactive:
            say("Bochs is booting OVMF (about 20 s), then onestone, the partition and Linux "
                "(a few minutes). Keys go to Linux; Ctrl-A three times switches them to "
                "onestone's console and back; Ctrl-] ends the demo.")
            self.saved_tty = termios.tcgetattr(0)
            tty.setraw(0)
        else:
            say("Bochs is booting OVMF (about 20 s), then onestone, the partition and Linux "
                "(a few minutes); no terminal: following COM1 until Linux's init has "
                "reported and the API has answered.")
        tails = {master: b"", master2: b""}
        screen = Screen()
        logs = {master: log, master2: log2}
        end_rx = HALTED if self.interactive else NO_TTY_END
        linux_ended = False
        keys_due, next_key = bytearray(), 0.0
        target, switch_run = master2, 0
        try:
            while True:
                fds = [master, master2] + ([0] if self.interactive else [])
                wait = KEY_GAP_S if keys_due else 0.2
                ready, _, _ = select.select(fds, [], [], screen.PARTIAL_S / 2
                                            if screen.waiting() else wait)
                data = b""
                for port_fd in (master, master2):
                    if port_fd not in ready:
                        continue
                    try:
                        data = os.read(port_fd, 65536)
                    except OSError:
                        data = b""
                    if not data:
                        continue
                    screen.put(port_fd, data)
                    logs[port_fd].write(data)
                    logs[port_fd].flush()
                    tail = tails[port_fd] = (tails[port_fd] + data)[-4096:]
                    if port_fd == master and API_READY.search(tail):
                        self.api.ready.set()
                    m = HALTED.search(tail)
                    if m:
                        time.sleep(0.5)
                        return 0, "the guest ended it (%s)" % m.group(0).decode(
                            "utf-8", "replace")
                    linux_ended = linux_ended or bool(end_rx.search(tail))
                screen.flush_stale()
                if self.api.message and (not data or data.endswith(b"\n")):
                    say(self.api.message)
                    self.api.message = None
                if not self.interactive and linux_ended and not self.api.ready.is_set():
                    say("Linux's init has reported, but the management partition never said "
                        "it listens")
                    return 1, "the management partition did not start"
                if not self.interactive and linux_ended and self.api.ok is not None:
                    return (0, "Linux's init has reported and the API answered") if self.api.ok \
                        else (1, "the management API did not answer")
                if 0 in ready:
                    keys = os.read(0, 1024)
                    if not keys:
                        return 0, "the terminal closed"
                    if ESCAPE in keys:
                        return 0, "Ctrl-] pressed"
                    for k in keys:
                        if k != SWITCH[0]:
                            keys_due += SWITCH * switch_run     # Ctrl-A held back, now sent
                            switch_run = 0
                            keys_due.append(k)
                            continue
                        switch_run += 1
                        if switch_run == 3:
                            switch_run = 0
                            if keys_due:    # what was typed before the switch goes first
                                os.write(target, bytes(keys_due))
                                keys_due.clear()
                            target = master if target == master2 else master2
                            sys.stdout.write("\r\n")     # off a prompt either port left
                            say("keys now go to %s (Ctrl-A three times: back to %s)" %
                                (("onestone's console", "Linux") if target == master else
                                 ("Linux", "onestone's console")))
                            if target == master:
                                keys_due += b"\r"  # a prompt
                if keys_due and time.monotonic() >= next_key:
                    os.write(target, keys_due[:KEY_CHUNK])
                    del keys_due[:KEY_CHUNK]
                    next_key = time.monotonic() + KEY_GAP_S
                failure = self.bochs.check()
                if failure:
                    say(failure)
                    return 1, "Bochs failed"
                if not self.interactive and self.bochs.elapsed() > NO_TTY_TIMEOUT_S:
                    say("Linux did not finish within %d s" % NO_TTY_TIMEOUT_S)
                    return 1, "timed out"
        finally:
            screen.flush_stale(everything=True)
            log.close()
            log2.close()
            self.restore_tty()
            for fd in (master, slave, master2, slave2):
                os.close(fd)

    def restore_tty(self):
        if self.saved_tty is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, self.saved_tty)
            self.saved_tty = None

    def stop_all(self):
        if self.api:
            self.api.stop.set()
        if self.bochs:
            self.bochs.stop()


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    work = sys.argv[1]
    demo = Demo(work, sys.argv[2], sys.argv[3])

    def ended_from_outside(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, ended_from_outside)
    rc, why = 1, "interrupted"
    try:
        rc, why = demo.run_bochs()
    except KeyboardInterrupt:
        rc, why = 130, "interrupted"
    except SystemExit as e:
        rc, why = e.code, "stopped by a signal"
    finally:
        demo.restore_tty()
        demo.stop_all()
    logs = [os.path.join(work, "run", n) for n in ("serial.txt", "serial2.txt", "bochs.out")]
    sys.stdout.write("\r\n")
    say("ended: %s; every emulator it started is stopped. Logs: %s" %
        (why, ", ".join(shown_path(p) for p in logs if os.path.exists(p))))
    return rc


if __name__ == "__main__":
    sys.exit(main())
