#!/usr/bin/env python3
"""Runs on the host: one emulator run for the shell test cases
(tests/bochs/cases.sh, tests/qemu/cases.sh).

usage: cli.py bochs WORK MODEL CPUS IMAGE END_REGEX TIMEOUT_S [IPS]
       cli.py kvm   WORK MODEL CPUS IMAGE END_REGEX TIMEOUT_S   (MODEL ignored)
       cli.py qemu  WORK IMAGE END_REGEX TIMEOUT_S [QEMU_ARGS...]   (OVMF, TCG)

Leaves WORK/serial.txt (COM1), the emulator's own output (bochs.out or
qemu.out), WORK/seconds (wall time) and WORK/verdict: "end" (END_REGEX
appeared on COM1; the emulator is then stopped), "timeout", or the one-line
report of an emulator that exited before the end marker or never got going.
Exit status 0, 124 (timeout) or 125 (emulator failed).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machines  # noqa: E402


def main(argv):
    if len(argv) < 2 or argv[1] not in ("bochs", "kvm", "qemu"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, rest = argv[1], argv[2:]
    try:
        if kind == "qemu":
            work, image, end_re, timeout = rest[:4]
            emu = machines.qemu_ovmf(work, image, rest[4:])
        else:
            work, model, cpus, image, end_re, timeout = rest[:6]
            # ONESTONE_BOCHS_NIC_PORT: an e1000 with a forward to that guest
            # port (the partition cases), under Bochs or KVM alike;
            # ONESTONE_BOCHS_DEVICES: the passthrough checks' devices (Bochs)
            nic = os.environ.get("ONESTONE_BOCHS_NIC_PORT")
            nic_port = int(nic) if nic else None
            if kind == "bochs":
                emu = machines.bochs(work, model, int(cpus), image,
                                     int(rest[6]) if len(rest) > 6 and rest[6] else 10000000,
                                     nic_port=nic_port,
                                     devices=os.environ.get("ONESTONE_BOCHS_DEVICES"))
            else:
                emu = machines.kvm(work, int(cpus), image, nic_port=nic_port)
    except (ValueError, IndexError, OSError) as e:
        print("cli.py %s: %s" % (kind, e), file=sys.stderr)
        return 2
    emu.start()
    # ONESTONE_END_FILE: a host-side check beside the machine ends the run
    # by creating this file (tests/bochs/partition_probe.py)
    verdict, line = emu.watch(end_re, float(timeout), os.environ.get("ONESTONE_END_FILE"))
    with open(os.path.join(work, "seconds"), "w") as f:
        f.write("%d\n" % round(emu.elapsed()))
    with open(os.path.join(work, "verdict"), "w") as f:
        f.write((line or verdict) + "\n")
    if verdict == "failed":
        print(line)
        return 125
    return 124 if verdict == "timeout" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
