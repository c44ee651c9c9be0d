#!/usr/bin/env python3
"""Runs on the host (`make bench`, from tools/bench.sh): the management
partition's figures. Boots build/mgmt.elf standalone in QEMU with two
CPUs (CPU 0 serves the API, CPU 1 computes; TCG: an
emulated CPU, so the figures are QEMU's, not a real machine's), then
measures from the host:

  - HTTP requests per second: GET /status over one keep-alive connection,
    over a new connection each, from 4 clients at once, and over one
    keep-alive connection while a fold job runs;
  - fold moves per second inside the partition (the job's own
    moves_per_second) and the same fold code (build/foldbench) as a plain
    host program, and their ratio.

Prints table rows in the format of tools/bench.sh; a figure that could not
be measured is printed as "not measured: why", never left out.

usage: mgmtbench.py WORKDIR
"""
import http.client
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgmttest  # noqa: E402  (the QEMU and HTTP helpers of the tests)

FOLD_SEQ, FOLD_SEED, FOLD_MOVES = "yue1", 1, 20000000


def row(metric, measured, target="-"):
    print("| %-52s | %-26s | %-22s |" % (metric, measured, target), flush=True)


def keepalive_rate(port, n):
    """n GET /status on one connection; returns requests per second."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    hdr = {"Authorization": "Bearer " + mgmttest.TOKEN}
    t0 = time.time()
    for _ in range(n):
        c.request("GET", "/status", headers=hdr)
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError("GET /status answered %d" % r.status)
    dt = time.time() - t0
    c.close()
    return n / dt


def new_connection_rate(port, n):
    t0 = time.time()
    for _ in range(n):
        st, _, _ = mgmttest.request(port, "GET", "/status")
        if st != 200:
            raise RuntimeError("GET /status answered %d" % st)
    return n / (time.time() - t0)


def parallel_rate(port, clients, n_each):
    errors = []

    def client():
        try:
            keepalive_rate(port, n_each)
        except Exception as e:   # reported below, not swallowed
            errors.append(e)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(str(errors[0]))
    return clients * n_each / (time.time() - t0)


def measured(fn, *args):
    try:
        return "%.0f req/s" % fn(*args)
    except Exception as e:
        return "not measured: %s" % e


def host_moves_per_second():
    out = subprocess.run([mgmttest.FOLDBENCH, FOLD_SEQ, str(FOLD_MOVES), str(FOLD_SEED)],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"([0-9.]+) M moves/s", out).group(1)) * 1e6


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    # two CPUs, as a partition is meant to run: CPU 0 serves the API, CPU 1
    # computes
    p = mgmttest.Partition(work, "token=" + mgmttest.TOKEN, cpus=2)
    try:
        failure = p.start()
        if failure:
            row("management partition (QEMU TCG)", "not measured: QEMU failed", failure)
            return 1
        port = p.port
        ready = p.wait_for(r"mgmt: ready: management API", 120)
        if not ready:
            row("management partition (QEMU TCG)", "not measured: did not boot",
                p.emu.check() or "see " + p.serial)
            return 1
        row("mgmt partition: boot to API ready (QEMU TCG, 2 CPUs)",
            "%.1f s" % (time.time() - t0))
        row("mgmt HTTP GET /status, 1 keep-alive client", measured(keepalive_rate, port, 300))
        row("mgmt HTTP GET /status, new connection each", measured(new_connection_rate, port, 100))
        row("mgmt HTTP GET /status, 4 keep-alive clients", measured(parallel_rate, port, 4, 75))

        st, j, raw = mgmttest.request(port, "POST", "/jobs", {"benchmark": FOLD_SEQ,
                                                              "seed": FOLD_SEED,
                                                              "moves": FOLD_MOVES})
        if st != 201 or not j:
            row("mgmt fold moves/s", "not measured: POST /jobs answered %d" % st, raw[:60])
            return 1
        row("mgmt HTTP GET /status while a fold job runs", measured(keepalive_rate, port, 50))
        done = mgmttest.wait_job(port, j["id"], 600)
        if not done or done.get("state") != "done":
            row("mgmt fold moves/s", "not measured: job did not finish", "")
            return 1
        part = done["moves_per_second"]
        host = host_moves_per_second()
        label = "%s, %d M moves" % (FOLD_SEQ, FOLD_MOVES // 1000000)
        row("fold moves/s, mgmt partition in QEMU TCG", "%.2f M (%s)" % (part / 1e6, label))
        row("fold moves/s, same code as a host program", "%.2f M (%s)" % (host / 1e6, label))
        # under TCG every guest instruction is emulated, so this ratio is
        # QEMU's speed; the target is for the partition on real VT-x + EPT
        row("fold speed ratio, partition / host", "%.2f" % (part / host),
            ">= 0.95 on real VT-x")
        return 0
    finally:
        p.stop()


if __name__ == "__main__":
    sys.exit(main())
