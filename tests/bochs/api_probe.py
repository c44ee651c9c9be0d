#!/usr/bin/env python3
"""Runs on the host, beside a Bochs case: waits for WORK/host_port (the
e1000's slirp forward, tools/emu/machines.py), then asks the management
partition's API for /status (bearer TOKEN) every 2 s until it answers or
TIMEOUT_S pass. Writes the answer to OUT, or one line saying why not.

usage: api_probe.py WORK TOKEN OUT TIMEOUT_S"""
import json
import os
import sys
import time
import urllib.request


def main(work, token, out, timeout):
    end = time.time() + float(timeout)
    why = "no host port was chosen (Bochs did not start with the NIC)"
    while time.time() < end:
        try:
            with open(os.path.join(work, "host_port")) as f:
                port = int(f.read())
            req = urllib.request.Request("http://127.0.0.1:%d/status" % port,
                                         headers={"Authorization": "Bearer " + token})
            with urllib.request.urlopen(req, timeout=20) as r:
                body = r.read().decode()
            json.loads(body)
            with open(out, "w") as f:
                f.write(body)
            return 0
        except (OSError, ValueError) as e:
            why = "no answer from the management API: %s" % e
        time.sleep(2)
    with open(out, "w") as f:
        f.write("NO-ANSWER: %s\n" % why)
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
