"""Runs on the host: what the harness's own tests share (harness_test.py,
demo_test.py): their PASS:/FAIL: lines and the search for processes left
running."""
import os


class Results:
    """PASS:/FAIL: lines for one case, in WORKDIR/results and on stdout."""

    def __init__(self, work, prefix):
        self.f = open(os.path.join(work, "results"), "w")
        self.prefix = prefix

    def check(self, ok, what, why=""):
        line = ("PASS: %s: %s" % (self.prefix, what) if ok else
                "FAIL: %s: %s: %s" % (self.prefix, what, why))
        print(line, file=self.f, flush=True)
        print(line, flush=True)
        return ok


def leftover(marker):
    """Processes (other than this one) whose command line names MARKER: a
    stand-in directory or a demo's work directory."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmd and "harness_test.py" not in cmd and "demo_test.py" not in cmd:
            found.append("%s: %s" % (pid, cmd.strip()[:120]))
    return found
