#!/usr/bin/env python3
"""Runs on the host (`make run`, after tools/run-demo.sh built the ESP): the
demo. Bochs boots OVMF, onestone.efi takes over both CPUs and chain-loads
Debian's Linux kernel; COM1 (onestone's log, then Linux's console and a
shell) is relayed to this terminal through a pseudo-terminal this script
owns, so that it, not Bochs, decides what the keys do:

  - every key goes to the guest, Ctrl-C included;
  - Ctrl-] ends the demo at any time (as in `virsh console`, `xl console`);
  - the demo also ends when the guest halts or powers off (`poweroff -f`),
    when onestone resets the platform, or when an emulator fails.

Either way the terminal is restored and every process the demo started is
stopped. Alongside, the management partition (build/mgmt.elf) runs
standalone in QEMU with a fold job; its API is forwarded to a free
127.0.0.1 port (ONESTONE_MGMT_PORT picks one) and the curl lines are printed
first. Without a terminal the demo follows COM1 until Linux's test init has
reported (LINUX-END) and ends there.

usage: demo.py WORKDIR ESP_IMAGE
"""
import json
import os
import re
import select
import signal
import sys
import termios
import time
import tty
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "emu"))
import machines  # noqa: E402
from watch import shown_path  # noqa: E402

ESCAPE = b"\x1d"   # Ctrl-]
# what the guest or onestone prints when the demo is over
HALTED = re.compile(rb"reboot: System halted|reboot: Power down|reboot: Restarting system|"
                    rb"onestone: .*platform reset")
NO_TTY_END = re.compile(rb"LINUX-END")
NO_TTY_TIMEOUT_S = 1500


def say(msg):
    sys.stdout.write("onestone demo: %s\r\n" % msg)
    sys.stdout.flush()


class Demo:
    def __init__(self, work, image):
        self.work, self.image = work, image
        self.interactive = os.isatty(0) and os.isatty(1)
        self.mgmt = None
        self.bochs = None
        self.saved_tty = None
        self.mgmt_reported = False

    # -- the management partition -----------------------------------------
    def start_mgmt(self):
        port = int(os.environ.get("ONESTONE_MGMT_PORT", "0"))
        token = "demo-" + os.urandom(8).hex()
        # thread=single keeps its two busy-polling CPUs on one host core,
        # leaving the other to Bochs
        self.mgmt = machines.MgmtPartition(os.path.join(self.work, "mgmt"), "token=" + token,
                                           cpus=2, port=port, accel="tcg,thread=single")
        failure = self.mgmt.start()
        if not failure:
            end = time.monotonic() + 60
            while "mgmt: ready" not in self.mgmt.log():
                failure = self.mgmt.emu.check()
                if failure or time.monotonic() > end:
                    failure = failure or ("no 'mgmt: ready' line within 60 s (COM1 log: %s)" %
                                          shown_path(self.mgmt.serial))
                    break
                time.sleep(0.5)
        if failure:
            say("the management partition did not start: " + failure)
            return False
        url = "http://127.0.0.1:%d" % self.mgmt.port
        req = urllib.request.Request(url + "/jobs", method="POST",
                                     data=json.dumps({"benchmark": "yue1", "seed": 1,
                                                      "moves": 200000000}).encode(),
                                     headers={"Authorization": "Bearer " + token,
                                              "Content-Type": "application/json"})
        try:
            job = json.load(urllib.request.urlopen(req, timeout=20))["id"]
        except OSError as e:
            say("the management partition did not take the fold job: %s (COM1 log: %s)" %
                (e, shown_path(self.mgmt.serial)))
            return False
        say("management partition (standalone in QEMU, COM1 log %s), fold job %d running:" %
            (shown_path(self.mgmt.serial), job))
        print("    curl -H 'Authorization: Bearer %s' %s/status" % (token, url))
        print("    curl -H 'Authorization: Bearer %s' %s/jobs/%d" % (token, url, job), flush=True)
        return True

    def check_mgmt(self):
        failure = self.mgmt.emu.check() if self.mgmt else None
        if failure and not self.mgmt_reported:
            self.mgmt_reported = True
            say("the management partition stopped: " + failure)

    # -- Bochs with COM1 on our pseudo-terminal ----------------------------
    def run_bochs(self):
        master, slave = os.openpty()
        tty.setraw(slave)   # nothing is echoed back before Bochs opens it
        run = os.path.join(self.work, "run")
        self.bochs = machines.bochs(run, "corei7_ivy_bridge_3770k", 2, self.image,
                                    com1_tty=os.ttyname(slave))
        log = open(self.bochs.serial, "ab")
        self.bochs.start()
        if self.interactive:
            say("Bochs is booting OVMF (about 20 s), then onestone and Linux (a few minutes). "
                "Keys go to the guest; Ctrl-] ends the demo.")
            self.saved_tty = termios.tcgetattr(0)
            tty.setraw(0)
        else:
            say("Bochs is booting OVMF (about 20 s), then onestone and Linux (a few minutes); "
                "no terminal: following COM1 until Linux's init has reported.")
        tail = b""
        end_rx = HALTED if self.interactive else NO_TTY_END
        try:
            while True:
                fds = [master] + ([0] if self.interactive else [])
                ready, _, _ = select.select(fds, [], [], 0.2)
                if master in ready:
                    try:
                        data = os.read(master, 65536)
                    except OSError:
                        data = b""
                    if data:
                        os.write(1, data)
                        log.write(data)
                        log.flush()
                        tail = (tail + data)[-4096:]
                        m = end_rx.search(tail) or HALTED.search(tail)
                        if m:
                            time.sleep(0.5)
                            return 0, "the guest ended it (%s)" % m.group(0).decode(
                                "utf-8", "replace")
                if 0 in ready:
                    keys = os.read(0, 1024)
                    if not keys:
                        return 0, "the terminal closed"
                    if ESCAPE in keys:
                        os.write(master, keys[:keys.index(ESCAPE)])
                        return 0, "Ctrl-] pressed"
                    os.write(master, keys)
                failure = self.bochs.check()
                if failure:
                    say(failure)
                    return 1, "Bochs failed"
                self.check_mgmt()
                if not self.interactive and self.bochs.elapsed() > NO_TTY_TIMEOUT_S:
                    say("Linux did not finish within %d s" % NO_TTY_TIMEOUT_S)
                    return 1, "timed out"
        finally:
            log.close()
            self.restore_tty()
            os.close(master)
            os.close(slave)

    def restore_tty(self):
        if self.saved_tty is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, self.saved_tty)
            self.saved_tty = None

    def stop_all(self):
        for part in (self.bochs, self.mgmt):
            if part is not None:
                part.stop()


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    work, image = sys.argv[1], sys.argv[2]
    demo = Demo(work, image)

    def ended_from_outside(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, ended_from_outside)
    rc, why = 1, "interrupted"
    try:
        if not demo.start_mgmt():
            rc, why = 1, "the management partition failed"
        else:
            rc, why = demo.run_bochs()
    except KeyboardInterrupt:
        rc, why = 130, "interrupted"
    except SystemExit as e:
        rc, why = e.code, "stopped by a signal"
    finally:
        demo.restore_tty()
        demo.stop_all()
    logs = [os.path.join(work, "run", "serial.txt"), os.path.join(work, "run", "bochs.out")]
    if demo.mgmt:
        logs += [demo.mgmt.serial, demo.mgmt.emu.output]
    sys.stdout.write("\r\n")
    say("ended: %s; every emulator it started is stopped. Logs: %s" %
        (why, ", ".join(shown_path(p) for p in logs if os.path.exists(p))))
    return rc


if __name__ == "__main__":
    sys.exit(main())
