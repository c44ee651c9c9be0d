#!/usr/bin/env python3
"""Runs on the host (`make bench`, tools/bench.sh): the management
partition's rows of the benchmark table. The same build/mgmt.elf and the
same fold job, in Bochs on the same CPU model (clock sync=none: the TSC
counts emulated instructions, so moves/s by the partition's own clock
measure instructions per move, not the host's load):

  1. natively, with no onestone: Debian's GRUB (tools/build-grub-mgmt.sh)
     boots it by multiboot on a 1-CPU machine;
  2. as the management partition under onestone, beside Debian's Linux on
     the other CPU (the demo's configuration); meanwhile the host asks
     /status every 2 s, and Linux's hvstat counts the exits of the
     primary's CPU over IDLE_S idle seconds.

The fold job is long enough to be running at the moment each rate is
read (moves/s so far, from GET /jobs/ID). Prints the table rows, one run
each; a machine that fails prints a row saying so.

usage: partition_bench.py OUTDIR"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "emu"))
sys.path.insert(0, os.path.join(ROOT, "tests", "mgmt"))
import machines  # noqa: E402
import mgmttest  # noqa: E402

TOKEN = "bench-t0ken"
MOVES = 5000000          # far more than either run measures: always running
MEASURE_S = 90           # wall seconds of fold per run (native)
IDLE_S = 20              # Linux's idle window under onestone
IVY = "corei7_ivy_bridge_3770k"
B = os.path.join(ROOT, "build")


def row(metric, measured, target):
    print("| %-52s | %-26s | %-22s |" % (metric, measured, target), flush=True)


def esp(path, files, size=32):
    subprocess.run([os.path.join(ROOT, "tools", "mkesp.sh"), path, str(size)] +
                   ["%s=%s" % f for f in files], check=True)


def wait_serial(emu, regex, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        m = re.search(regex, emu.serial_text())
        if m:
            return m
        failure = emu.check()
        if failure:
            raise RuntimeError(failure)
        time.sleep(1)
    raise RuntimeError("no /%s/ on COM1 within %d s" % (regex, timeout))


def host_port(work):
    with open(os.path.join(work, "host_port")) as f:
        return int(f.read())


def call(port, method, path, body=None, timeout=60):
    """An API call, retried while slirp stalls a first connection."""
    end = time.monotonic() + timeout
    while True:
        try:
            st, j, raw = mgmttest.request(port, method, path, body, token=TOKEN, timeout=15)
            if st in (200, 201) and j:
                return j
            raise RuntimeError("%s %s answered %s: %r" % (method, path, st, raw[:200]))
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(2)


def start_job(port):
    return call(port, "POST", "/jobs", {"benchmark": "yue1", "seed": 1, "moves": MOVES})["id"]


def rate(port, job):
    j = call(port, "GET", "/jobs/%d" % job)
    if j.get("state") != "running" or not j.get("moves_per_second"):
        raise RuntimeError("the fold job is not running: %r" % j)
    return j["moves_per_second"], j["moves_done"]


def boot_with_job(work, cpus):
    """Bochs from WORK/esp.img with the e1000; once the partition says it
    listens, a fold job through its API. Returns (emulator, port, job)."""
    emu = machines.bochs(os.path.join(work, "run"), IVY, cpus, os.path.join(work, "esp.img"),
                         nic_port=80)
    emu.start()
    try:
        wait_serial(emu, r"mgmt: ready: management API", 600)
        port = host_port(os.path.join(work, "run"))
        return emu, port, start_job(port)
    except BaseException:
        emu.stop()
        raise


def native(out):
    work = os.path.join(out, "native")
    os.makedirs(work, exist_ok=True)
    subprocess.run([os.path.join(ROOT, "tools", "build-grub-mgmt.sh"),
                    os.path.join(B, "grub"), "token=" + TOKEN], check=True)
    esp(os.path.join(work, "esp.img"), [(os.path.join(B, "grub", "BOOTX64.EFI"),
                                         "\\EFI\\BOOT\\BOOTX64.EFI"),
                                        (os.path.join(B, "mgmt.elf"), "\\mgmt.elf")], 16)
    emu, port, job = boot_with_job(work, 1)
    try:
        time.sleep(MEASURE_S)
        return rate(port, job)
    finally:
        emu.stop()


def under_onestone(out):
    work = os.path.join(out, "onestone")
    os.makedirs(work, exist_ok=True)
    subprocess.run([os.path.join(ROOT, "tools", "build-linux-guest.sh"),
                    os.path.join(B, "linux")], check=True, stdout=subprocess.DEVNULL)
    conf = os.path.join(work, "onestone.conf")
    with open(conf, "w") as f:
        f.write("iommu = off\n[primary]\nboot_path = \\vmlinuz\n"
                "boot_args = console=ttyS1,115200 initrd=\\initrd.img panic=-1 loglevel=4 "
                "onestone.idle=%d\n[mgmt]\nkernel = \\EFI\\onestone\\mgmt.elf\ncpus = 1\n"
                "memory = 64M\ndevices = 8086:100e\ntoken = %s\nport = 80\n" % (IDLE_S, TOKEN))
    esp(os.path.join(work, "esp.img"), [
        (os.path.join(B, "onestone.efi"), "\\EFI\\BOOT\\BOOTX64.EFI"),
        (conf, "\\EFI\\onestone\\onestone.conf"),
        (os.path.join(B, "mgmt.elf"), "\\EFI\\onestone\\mgmt.elf"),
        (os.path.join(B, "linux", "vmlinuz"), "\\vmlinuz"),
        (os.path.join(B, "linux", "initrd.img"), "\\initrd.img")])
    emu, port, job = boot_with_job(work, 2)
    try:
        # Linux boots (its console on COM2: COM1 is onestone's), then idles
        # IDLE_S seconds under hvstat; the host serves itself /status
        # meanwhile
        end = time.monotonic() + 1500
        hv = None
        while hv is None:
            call(port, "GET", "/status")
            hv = re.search(r"HVSTAT: cpu0 idle_exits=(\d+) over (\d+)s \(([0-9.]+)/s\)",
                           emu.serial_text())
            failure = emu.check()
            if failure:
                raise RuntimeError(failure)
            if time.monotonic() > end:
                raise RuntimeError("Linux printed no HVSTAT line within 1500 s")
            time.sleep(2)
        return rate(port, job) + (hv.group(3), hv.group(1), hv.group(2))
    finally:
        emu.stop()


def main():
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    results = {}
    for name, fn in (("native", native), ("onestone", under_onestone)):
        try:
            results[name] = fn(out)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            results[name] = "failed: %s" % e
    nat, ons = results["native"], results["onestone"]
    label = "fold moves/s, mgmt.elf under onestone / native"
    if isinstance(nat, str) or isinstance(ons, str):
        row(label, "not measured", ">= 0.97")
        for name in ("native", "onestone"):
            if isinstance(results[name], str):
                print("(%s run %s; see %s)" % (name, results[name], os.path.join(out, name, "run")))
    else:
        row(label, "%.3f (%d / %d)" % (ons[0] / nat[0], ons[0], nat[0]), ">= 0.97")
    if not isinstance(ons, str):
        row("exits/s, primary cpu0, Linux idle, partition busy", "%s (%s exits over %s s)" %
            (ons[2], ons[3], ons[4]), "0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
