#!/usr/bin/env python3
"""Runs on the host: the management partition's cases of `make test`.

Boots build/mgmt.elf directly in QEMU (TCG, e1000 on user networking with a
host port forward), talks to its API from the host, and judges what the API
answers and what the partition prints on COM1. Each check prints one
"PASS: mgmt-CASE: what" or "FAIL: mgmt-CASE: what: why" line into
WORKDIR/results.

usage: mgmttest.py CASE WORKDIR     CASE: api | checkpoint | workunit | smp | compute
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools", "emu"))
from machines import MgmtPartition  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "t0ken-for-tests"
FOLDBENCH = os.path.join(ROOT, "build", "foldbench")


class EmulatorFailed(Exception):
    """QEMU died or never got going: the case ends with that one line."""


class Case:
    def __init__(self, name, work):
        self.name, self.work = name, work
        os.makedirs(work, exist_ok=True)
        self.results = open(os.path.join(work, "results"), "w")
        self.failed = 0
        self.partitions = []

    def _line(self, line):
        print(line, file=self.results, flush=True)
        print(line, flush=True)

    def emulator_failed(self, report):
        self.failed += 1
        self._line("FAIL: mgmt-%s: %s" % (self.name, report))
        raise EmulatorFailed(report)

    def dead_emulator(self):
        """The report of a partition's QEMU that failed, or None."""
        for p in self.partitions:
            report = p.emu.check()
            if report:
                return report
        return None

    def check(self, ok, what, why=""):
        if not ok:
            # a check that failed because QEMU died says that, once
            report = self.dead_emulator()
            if report:
                self.emulator_failed(report)
        line = ("PASS: mgmt-%s: %s" % (self.name, what)) if ok else \
               ("FAIL: mgmt-%s: %s: %s" % (self.name, what, " | ".join(
                   l.strip() for l in str(why).splitlines() if l.strip())))
        self._line(line)
        if not ok:
            self.failed += 1
        return ok


class Partition(MgmtPartition):
    """One QEMU running mgmt.elf (tools/emu/machines.py); its API is on
    127.0.0.1:self.port, its serial log in self.serial."""

    def wait_for(self, pattern, timeout, start=0):
        end = time.time() + timeout
        while time.time() < end:
            m = re.search(pattern, self.log()[start:])
            if m:
                return m
            if self.emu.check():
                return None
            time.sleep(0.5)
        return None

    def monitor_cmd(self, cmd):
        self.monitor.command(cmd)


def request(port, method, path, body=None, token=TOKEN, timeout=20):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        headers["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=headers)
    r = c.getresponse()
    raw = r.read()
    c.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return r.status, parsed, raw


def raw_exchange(port, data, timeout=20):
    """Sends bytes, returns the server's first whole answer (headers and
    Content-Length bytes of body), or what came before it closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            head, sep, body = out.partition(b"\r\n\r\n")
            m = re.search(rb"Content-Length: (\d+)", head)
            if sep and m and len(body) >= int(m.group(1)):
                break
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        out += b"<timeout>"
    s.close()
    return out


def host_fold(seq, moves, seed):
    out = subprocess.run([FOLDBENCH, seq, str(moves), str(seed)], capture_output=True,
                         text=True, check=True).stdout
    energy = int(re.search(r"^best (-?\d+)", out, re.M).group(1))
    dirs = re.search(r"^dirs (\S+)", out, re.M).group(1)
    return energy, dirs


def check_conformation(seq, dirs):
    r = subprocess.run([FOLDBENCH, "check", seq, dirs], capture_output=True, text=True)
    m = re.search(r"energy (-?\d+)", r.stdout)
    return int(m.group(1)) if r.returncode == 0 and m else None


def wait_job(port, job_id, timeout):
    end = time.time() + timeout
    j = None
    while time.time() < end:
        st, j, _ = request(port, "GET", "/jobs/%d" % job_id)
        if st == 200 and j and j.get("state") == "done":
            return j
        time.sleep(1)
    return j


def boot(case, append, ready_timeout=90, cpus=1):
    p = Partition(case.work, append, cpus)
    case.partitions.append(p)
    failure = p.start()
    if failure:
        case.emulator_failed(failure)
    ok = p.wait_for(r"mgmt: ready: management API on http://10\.0\.2\.15:80/", ready_timeout)
    case.check(bool(ok), "the partition booted, got an address by DHCP and listens",
               "no ready line; log ends: %r" % p.log()[-300:])
    return p if ok else None


def case_api(case):
    p = boot(case, "token=%s" % TOKEN)
    if not p:
        return
    port = p.port
    try:
        st, j, _ = request(port, "GET", "/status", token=None)
        case.check(st == 401 and j and "missing" in j.get("error", ""),
                   "no token: 401 with a message", "got %s %r" % (st, j))
        st, j, _ = request(port, "GET", "/status", token="t0ken-for-testz")
        case.check(st == 401 and j and "wrong" in j.get("error", ""), "wrong token: 401",
                   "got %s %r" % (st, j))
        st, j, _ = request(port, "GET", "/status", token=TOKEN + "x")
        case.check(st == 401, "token with an extra character: 401", "got %s" % st)
        st, j, _ = request(port, "GET", "/status")
        case.check(st == 200 and j and j["mode"] == "standalone" and
                   j["hypervisor"].startswith("none") and j["exit_counters"] is None and
                   j["partitions"][0]["name"] == "mgmt" and j["uptime_ms"] > 0,
                   "GET /status: standalone, no hypervisor, uptime", "got %s %r" % (st, j))
        st, j, _ = request(port, "GET", "/log?since=0")
        case.check(st == 503 and j and "standalone" in j.get("error", ""),
                   "GET /log standalone: 503, the log ring is onestone's", "got %s %r" % (st, j))
        st, j, _ = request(port, "GET", "/log?since=x1")
        case.check(st == 400 and j and "since" in j.get("error", ""),
                   "GET /log?since=x1: 400 naming since", "got %s %r" % (st, j))
        st, j, _ = request(port, "GET", "/devices")
        nic = [d for d in (j or {}).get("devices", []) if d["vendor"] == "8086" and
               d["device"] == "100e"]
        case.check(st == 200 and len(nic) == 1 and nic[0]["owner"] == "mgmt",
                   "GET /devices lists the e1000 as the partition's", "got %s %r" % (st, j))

        # a fold job on a standard benchmark, checked against its published
        # optimum and against the same computation on the host
        st, j, _ = request(port, "POST", "/jobs", {"benchmark": "yue1", "seed": 1,
                                                   "moves": 5000000})
        case.check(st == 201 and j and j["state"] in ("queued", "running"),
                   "POST /jobs accepted a fold job", "got %s %r" % (st, j))
        if st == 201:
            jid = j["id"]
            st, lst, _ = request(port, "GET", "/jobs")
            case.check(st == 200 and any(x["id"] == jid for x in lst["jobs"]),
                       "GET /jobs lists it", "got %s %r" % (st, lst))
            # while it computes, several clients at once (threads), plus one
            # connection holding half a request: nobody waits for anybody
            hold = socket.create_connection(("127.0.0.1", port), timeout=30)
            hold.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n")
            results = []

            def client(n):
                ok = 0
                for _ in range(n):
                    try:
                        s2, j2, _ = request(port, "GET", "/jobs/%d" % jid)
                        ok += s2 == 200 and j2["id"] == jid
                    except OSError:
                        pass
                results.append(ok)
            threads = [threading.Thread(target=client, args=(10,)) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            case.check(results == [10, 10, 10, 10],
                       "4 clients x 10 requests at once while a fifth holds half a request",
                       "answers per client: %r" % results)
            hold.sendall(b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
            ans = hold.recv(4096)
            hold.close()
            case.check(ans.startswith(b"HTTP/1.1 200"), "the held request completes later",
                       repr(ans[:80]))

            done = wait_job(port, jid, 240)
            want_e, want_dirs = host_fold("yue1", 5000000, 1)
            case.check(done is not None and done.get("state") == "done",
                       "the job ran to completion", "last %r" % done)
            if done and done.get("state") == "done":
                # Yue et al. 1995: the 48-mer's published minimum energy is -32
                case.check(done["best_energy"] == -32,
                           "yue1 folded to its published minimum energy -32",
                           "best %s" % done["best_energy"])
                case.check(check_conformation(done["sequence"], done["conformation"]) ==
                           done["best_energy"],
                           "the reported conformation is a self-avoiding walk of that energy",
                           done["conformation"])
                case.check(done["best_energy"] == want_e and done["conformation"] == want_dirs,
                           "same result as the same fold on the host (deterministic)",
                           "partition %s %s, host %s %s" % (done["best_energy"],
                                                            done["conformation"], want_e,
                                                            want_dirs))
            st, j, _ = request(port, "DELETE", "/jobs/%d" % jid)
            case.check(st == 200 and j["deleted"] == jid, "DELETE /jobs/ID", "got %s %r" % (st, j))
            st, j, _ = request(port, "GET", "/jobs/%d" % jid)
            case.check(st == 404, "a deleted job is gone", "got %s" % st)

        # malformed requests: each gets its status and a message
        auth = b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"

        def post(body, extra=b""):
            return (b"POST /jobs HTTP/1.1\r\nHost: x\r\n" + auth + extra +
                    b"Content-Length: %d\r\n\r\n" % len(body) + body)
        bad = [
            ("garbage request line", b"HELLO\r\n\r\n", 400, "request line"),
            ("HTTP/2.0", b"GET /status HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP/1"),
            ("no Host in HTTP/1.1", b"GET /status HTTP/1.1\r\n" + auth + b"\r\n", 400, "Host"),
            ("header over 8 KiB", b"GET /status HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n",
             413, "8192"),
            ("body over 16 KiB", b"POST /jobs HTTP/1.1\r\nHost: x\r\n" + auth +
             b"Content-Length: 20000\r\n\r\n", 413, "16384"),
            ("chunked body", b"POST /jobs HTTP/1.1\r\nHost: x\r\n" + auth +
             b"Transfer-Encoding: chunked\r\n\r\n", 501, "Content-Length"),
            ("bad Content-Length", b"POST /jobs HTTP/1.1\r\nHost: x\r\n" + auth +
             b"Content-Length: 1x\r\n\r\n", 400, "number"),
            ("not JSON", post(b"sequence=HPPH"), 400, "invalid JSON"),
            ("JSON array", post(b"[1,2]"), 400, "expected '{'"),
            ("unknown field", post(b'{"sequence":"HPPH","colour":1}'), 400, "unknown field"),
            ("bad residue", post(b'{"sequence":"HPXH"}'), 400, "sequence"),
            ("sequence and benchmark", post(b'{"sequence":"HPPH","benchmark":"yue1"}'), 400,
             "exactly one"),
            ("unknown benchmark", post(b'{"benchmark":"nope"}'), 400, "benchmark"),
            ("negative seed", post(b'{"sequence":"HPPH","seed":-1}'), 400, "seed"),
            ("zero moves", post(b'{"sequence":"HPPH","moves":0}'), 400, "moves"),
            ("fractional moves", post(b'{"sequence":"HPPH","moves":1.5}'), 400, "moves"),
            ("too long sequence", post(b'{"sequence":"' + b"H" * 129 + b'"}'), 400, "128"),
            ("unknown path", b"GET /nope HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n", 404,
             "no such resource"),
            ("bad job id", b"GET /jobs/abc HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n", 404,
             "decimal"),
            ("unknown job", b"GET /jobs/99999 HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n", 404,
             "no such job"),
            ("wrong method", b"PUT /status HTTP/1.1\r\nHost: x\r\n" + auth +
             b"Content-Length: 0\r\n\r\n", 405, "GET"),
        ]
        for what, data, status, msg in bad:
            out = raw_exchange(port, data)
            m = re.match(rb"HTTP/1.1 (\d+) ", out)
            got = int(m.group(1)) if m else None
            case.check(got == status and msg.encode() in out, "%s: %d" % (what, status),
                       "answer %r" % out[:200])
        # a request that never completes is answered 408 after 10 s
        t0 = time.time()
        out = raw_exchange(port, b"GET /status HTTP/1.1\r\nHost: x\r\n", timeout=40)
        case.check(out.startswith(b"HTTP/1.1 408") and time.time() - t0 < 30,
                   "an unfinished request times out with 408", repr(out[:100]))
        st, j, _ = request(port, "GET", "/status")
        case.check(st == 200 and "FATAL" not in p.log(),
                   "after all that the API still answers and nothing failed",
                   "status %s; log %r" % (st, p.log()[-300:]))
    finally:
        p.stop()


def case_checkpoint(case):
    moves = 40000000   # about half a minute in QEMU, ten seconds natively
    # two CPUs: the job runs on CPU 1, CPU 0 writes its checkpoints
    p = boot(case, "token=%s" % TOKEN, cpus=2)
    if not p:
        return
    port = p.port
    try:
        st, j, _ = request(port, "POST", "/jobs", {"benchmark": "yue1", "seed": 1,
                                                   "moves": moves})
        if not case.check(st == 201, "fold job submitted", "got %s %r" % (st, j)):
            return
        jid = j["id"]
        end = time.time() + 120
        done = 0
        while time.time() < end:
            st, j, _ = request(port, "GET", "/jobs/%d" % jid)
            done = j["moves_done"]
            if done >= moves // 4:
                break
            time.sleep(0.3)
        case.check(moves // 4 <= done < moves, "the job made progress before the restart",
                   "moves_done %s" % done)
        case.check(j.get("cpu") == 1, "the job runs on the partition's second CPU", repr(j))
        time.sleep(2)   # let a checkpoint cover the progress
        mark = len(p.log())
        p.monitor_cmd("system_reset")
        ok = p.wait_for(r"mgmt: ready: management API", 90, start=mark)
        case.check(bool(ok), "the partition restarted (system_reset)", p.log()[-300:])
        case.check(bool(re.search(r"job %d restored from checkpoint: resuming" % jid,
                                  p.log()[mark:])),
                   "onestone-mgmt found the job in checkpoint memory", p.log()[mark:][-300:])
        st, j, _ = request(port, "GET", "/jobs/%d" % jid)
        case.check(st == 200 and j["restarts"] == 1 and j["resumed_at_moves"] >= moves // 4,
                   "the job resumed where its checkpoint was, not from zero",
                   "got %s %r" % (st, j))
        j = wait_job(port, jid, 240)
        want_e, want_dirs = host_fold("yue1", moves, 1)
        case.check(j and j["state"] == "done" and j["best_energy"] == want_e and
                   j["conformation"] == want_dirs,
                   "the resumed job ends exactly as an uninterrupted run on the host",
                   "partition %r, host %s %s" % (j, want_e, want_dirs))
    finally:
        p.stop()


def case_workunit(case):
    units = [{"id": "wu-yue2", "sequence": "", "seed": 2, "moves": 40000000},
             {"id": "wu-small", "sequence": "HPHPPHHPHPPHPHHPPHPH", "seed": 7, "moves": 300000}]
    bench = subprocess.run([FOLDBENCH, "list"], capture_output=True, text=True).stdout
    units[0]["sequence"] = re.search(r"yue2\s+(-?\d+\s+)?([HP]+)", bench).group(2)
    ufile = os.path.join(case.work, "units.json")
    with open(ufile, "w") as f:
        json.dump(units, f)
    state = os.path.join(case.work, "server-state")
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "tools", "workserver.py"),
                               "--port", "0", "--dir", state, "--units", ufile],
                              stdout=subprocess.PIPE, stderr=open(os.path.join(case.work,
                                                                             "server.log"), "w"),
                              text=True)
    line = server.stdout.readline()
    m = re.match(r"workserver: listening on 127\.0\.0\.1:(\d+)$", line.strip())
    if not case.check(bool(m), "the test work server started", line):
        server.kill()
        return
    wport = int(m.group(1))

    def results():
        c = http.client.HTTPConnection("127.0.0.1", wport, timeout=10)
        c.request("GET", "/results")
        r = json.loads(c.getresponse().read())
        c.close()
        return {u["id"]: u for u in r["units"]}
    append = "token=%s project=http://10.0.2.2:%d/" % (TOKEN, wport)
    p = boot(case, append, cpus=2)
    if not p:
        server.kill()
        return
    try:
        # wait until the server holds a checkpoint of the first unit
        end = time.time() + 120
        r = {}
        while time.time() < end:
            r = results()
            if r["wu-yue2"]["checkpoint_moves"] > 0:
                break
            time.sleep(1)
        ck = r.get("wu-yue2", {}).get("checkpoint_moves", 0)
        case.check(ck > 0 and r["wu-yue2"]["status"] != "done",
                   "the client uploaded a checkpoint of its running work unit", repr(r))
        # the partition dies with its memory: a new one resumes from the server
        p.stop()
        p = boot(case, append, cpus=2)
        if not p:
            return
        m = p.wait_for(r"work unit wu-yue2: job \d+ started, resumed from the server's "
                       r"checkpoint, at (\d+) of", 60)
        case.check(bool(m) and int(m.group(1)) >= ck,
                   "a fresh partition resumed the unit from the server's checkpoint",
                   p.log()[-400:])
        end = time.time() + 400
        while time.time() < end:
            r = results()
            if all(u["status"] == "done" for u in r.values()):
                break
            time.sleep(2)
        for u in units:
            got = r.get(u["id"], {})
            res = got.get("result") or {}
            want_e, want_dirs = host_fold(u["sequence"], u["moves"], u["seed"])
            case.check(got.get("status") == "done" and res.get("best_energy") == want_e and
                       res.get("conformation") == want_dirs and
                       check_conformation(u["sequence"], res.get("conformation", "")) == want_e,
                       "work unit %s: result posted, valid, equal to the host's" % u["id"],
                       "server %r, host %s %s" % (got, want_e, want_dirs))
        case.check(bool(re.search(r"work unit wu-small: result accepted", p.log())),
                   "the client logged the accepted result", p.log()[-300:])
    finally:
        p.stop()
        server.kill()


def case_smp(case):
    """Three CPUs: CPU 0 serves the API, CPUs 1 and 2 compute; four jobs, one
    deleted while an AP computes it; the rest equal to host runs."""
    p = boot(case, "token=%s" % TOKEN, cpus=3)
    if not p:
        return
    port = p.port
    try:
        case.check(bool(re.search(r"3 of 3 CPUs running: CPU 0 serves the network and the API, "
                                  r"the others run jobs", p.log())),
                   "the partition started its two other CPUs (INIT-SIPI from the MADT)",
                   p.log()[-300:])
        st, s, _ = request(port, "GET", "/status")
        roles = [c.get("role") for c in (s or {}).get("partitions", [{}])[0].get("cpus", [])]
        case.check(roles == ["network, API, checkpoints", "jobs", "jobs"],
                   "/status lists 3 CPUs and what each does", repr(roles))
        moves = 6000000
        ids = []
        for seed in (1, 2, 3, 4):
            st, j, _ = request(port, "POST", "/jobs", {"benchmark": "yue1", "seed": seed,
                                                       "moves": moves})
            case.check(st == 201, "job with seed %d submitted" % seed, "got %s %r" % (st, j))
            ids.append(j["id"] if st == 201 else None)
        # both APs busy with the first two jobs, the others queued
        seen = {}
        end = time.time() + 60
        while time.time() < end and len(set(seen.values())) < 2:
            for jid in ids[:2]:
                st, j, _ = request(port, "GET", "/jobs/%d" % jid)
                if st == 200 and j["state"] == "running" and j["cpu"] is not None:
                    seen[jid] = j["cpu"]
            time.sleep(0.3)
        case.check(sorted(seen.values()) == [1, 2],
                   "two jobs run at once, one on each computing CPU", repr(seen))
        st, j, _ = request(port, "GET", "/jobs/%d" % ids[2])
        case.check(st == 200 and j["state"] == "queued" and j["cpu"] is None,
                   "the third job waits for a free CPU", repr(j))
        # delete a job while an AP computes it: that AP takes the next one
        st, _, _ = request(port, "DELETE", "/jobs/%d" % ids[0])
        case.check(st == 200, "DELETE of a job running on an AP", "got %s" % st)
        results = {}
        for jid, seed in zip(ids[1:], (2, 3, 4)):
            results[seed] = wait_job(port, jid, 300)
        for seed, j in results.items():
            want_e, want_dirs = host_fold("yue1", moves, seed)
            case.check(j and j["state"] == "done" and j["best_energy"] == want_e and
                       j["conformation"] == want_dirs,
                       "seed %d: computed on an AP, equal to the host run" % seed,
                       "partition %r, host %s %s" % (j, want_e, want_dirs))
        st, j, _ = request(port, "GET", "/jobs/%d" % ids[0])
        case.check(st == 404, "the deleted job stays gone", "got %s" % st)
        case.check(not re.search(r"FATAL|exception", p.log()),
                   "no exception or fatal error on any CPU", p.log()[-300:])
    finally:
        p.stop()


def case_compute(case):
    """Three CPUs (two compute): GET/POST /compute. A CPU cap of 1 leaves
    one job computing; paused, jobs stop and stay put across a restart of
    the partition; bad requests change nothing; running again, each job
    ends exactly as an uninterrupted run on the host."""
    p = boot(case, "token=%s" % TOKEN, cpus=3)
    if not p:
        return
    port = p.port
    try:
        st, c, _ = request(port, "GET", "/compute")
        case.check(st == 200 and c == {"state": "running", "cpus": None, "computing": 0,
                                       "waiting": 0, "compute_cpus": 2},
                   "GET /compute: running, no cap, two computing CPUs", "got %s %r" % (st, c))
        moves = 6000000
        ids = []
        for seed in (5, 6):
            st, j, _ = request(port, "POST", "/jobs", {"benchmark": "yue1", "seed": seed,
                                                       "moves": moves})
            ids.append(j["id"] if st == 201 else None)
        case.check(None not in ids, "two fold jobs submitted", repr(ids))
        if None in ids:
            return

        def states():
            out = []
            for jid in ids:
                st, j, _ = request(port, "GET", "/jobs/%d" % jid)
                out.append(j if st == 200 else {})
            return out

        def wait(pred, timeout):
            end = time.time() + timeout
            while time.time() < end:
                js = states()
                if pred(js):
                    return js
                time.sleep(0.3)
            return states()
        js = wait(lambda js: all(j.get("state") == "running" for j in js), 60)
        case.check(all(j.get("state") == "running" for j in js), "both jobs compute at once",
                   repr([j.get("state") for j in js]))
        st, c, _ = request(port, "POST", "/compute", {"cpus": 1})
        js = wait(lambda js: sorted(j.get("state") for j in js) == ["queued", "running"], 30)
        case.check(st == 200 and c.get("cpus") == 1 and
                   sorted(j.get("state") for j in js) == ["queued", "running"],
                   "with a CPU cap of 1 one job computes and the other waits",
                   "got %s %r, jobs %r" % (st, c, [j.get("state") for j in js]))
        st, c, _ = request(port, "POST", "/compute", {"state": "paused", "cpus": None})
        js = wait(lambda js: all(j.get("state") == "paused" for j in js), 30)
        case.check(st == 200 and c.get("state") == "paused" and c.get("cpus") is None and
                   all(j.get("state") == "paused" for j in js),
                   "POST /compute paused: every job stops and says paused",
                   "got %s %r, jobs %r" % (st, c, [j.get("state") for j in js]))
        before = [j.get("moves_done") for j in js]
        time.sleep(3)
        after = [j.get("moves_done") for j in states()]
        case.check(before == after and all(0 < m < moves for m in after),
                   "paused jobs make no progress", "%r then %r" % (before, after))
        for body, why in ((b'{"state":"sleeping"}', '"state" must be "paused" or "running"'),
                          (b'{"cpus":0}', '"cpus" must be an integer from 1 to'),
                          (b'{"cpus":"two"}', '"cpus" must be an integer from 1 to'),
                          (b'{"speed":1}', 'unknown field "speed" (known: state, cpus)'),
                          (b'{}', 'give "state"'),
                          (b'paused', '')):
            st, e, _ = request(port, "POST", "/compute", body)
            case.check(st == 400 and why in (e or {}).get("error", ""),
                       "POST /compute %s is refused with 400 and says why" % body.decode(),
                       "got %s %r" % (st, e))
        st, c, _ = request(port, "GET", "/compute")
        case.check(st == 200 and c.get("state") == "paused" and c.get("cpus") is None,
                   "the refused requests changed nothing", repr(c))
        mark = len(p.log())
        p.monitor_cmd("system_reset")
        ok = p.wait_for(r"mgmt: ready: management API", 90, start=mark)
        case.check(bool(ok), "the partition restarted (system_reset)", p.log()[-300:])
        st, c, _ = request(port, "GET", "/compute")
        js = states()
        case.check(st == 200 and c.get("state") == "paused" and
                   [j.get("moves_done") for j in js] == after and
                   all(j.get("state") == "paused" for j in js),
                   "after the restart compute is still paused and the jobs are where they stopped",
                   "got %s %r, jobs %r" % (st, c, [(j.get("state"), j.get("moves_done"))
                                                    for j in js]))
        st, c, _ = request(port, "POST", "/compute", {"state": "running"})
        case.check(st == 200 and c.get("state") == "running", "POST /compute running",
                   "got %s %r" % (st, c))
        for jid, seed in zip(ids, (5, 6)):
            j = wait_job(port, jid, 300)
            want_e, want_dirs = host_fold("yue1", moves, seed)
            case.check(j and j["state"] == "done" and j["best_energy"] == want_e and
                       j["conformation"] == want_dirs,
                       "seed %d: paused, restarted and resumed, it ends as an uninterrupted "
                       "run on the host" % seed,
                       "partition %r, host %s %s" % (j, want_e, want_dirs))
    finally:
        p.stop()


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    name, work = sys.argv[1], sys.argv[2]
    case = Case(name, work)
    fn = {"api": case_api, "checkpoint": case_checkpoint, "workunit": case_workunit,
          "smp": case_smp, "compute": case_compute}.get(name)
    if not fn:
        case.check(False, "known case", "no case named %s" % name)
        sys.exit(1)
    try:
        fn(case)
    except EmulatorFailed:
        pass                 # reported in one line already
    except Exception as e:   # a crash of the test itself is a failure, never a pass
        try:
            case.check(False, "the test ran to its end", "%s: %s" % (type(e).__name__, e))
        except EmulatorFailed:
            pass
    finally:
        for p in case.partitions:
            p.stop()
    sys.exit(1 if case.failed else 0)


if __name__ == "__main__":
    main()
