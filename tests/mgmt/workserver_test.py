#!/usr/bin/env python3
"""Runs on the host: the self-test of tools/workserver.py. Starts the server
on a free 127.0.0.1 port with a state directory in a temporary directory and
a 2-unit UNITS.json, exercises every endpoint (and its error cases) with
http.client and raw sockets, restarts the server to check that its state
survives, and prints "PASS: workserver <case>" or "FAIL: workserver <case>:
why" per case. Exits 1 when any case failed. Python 3 standard library only.

Usage: tests/mgmt/workserver_test.py [-v]   (-v copies the server's log)
"""

import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "..", "tools", "workserver.py")
VERBOSE = "-v" in sys.argv[1:]

UNITS = [
    {"id": "wu-1", "sequence": "HPHPPHHPHPPHPHHPPHPH", "seed": 1, "moves": 2000000},
    {"id": "wu_2", "sequence": "HHPPHH", "seed": 9223372036854775807, "moves": 5000},
]

failures = 0


def report(case, ok, why=""):
    global failures
    if ok:
        print("PASS: workserver %s" % case, flush=True)
    else:
        failures += 1
        print("FAIL: workserver %s: %s" % (case, why), flush=True)


class Server:
    """The work server on a port the kernel picks (--port 0): self.port is
    the one it reports in its first line."""

    def __init__(self, statedir, units_path, lease=None):
        cmd = [sys.executable, SERVER, "--port", "0", "--dir", statedir,
               "--units", units_path]
        if lease is not None:
            cmd += ["--lease-seconds", str(lease)]
        self.log = []
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        self.t = threading.Thread(target=self._read_log, daemon=True)
        self.t.start()
        self.ready = self.p.stdout.readline().strip()
        m = re.match(r"workserver: listening on 127\.0\.0\.1:(\d+)$", self.ready)
        self.port = int(m.group(1)) if m else None

    def _read_log(self):
        for line in self.p.stderr:
            self.log.append(line.rstrip("\n"))
            if VERBOSE:
                sys.stderr.write("  [server] " + line)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.t.join(5)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "HTTP %d %r" % (self.status, self.body[:200])


def request(port, method, path, body=None, headers=None, chunked=False):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        r = c.getresponse()
        data = r.read()
        return Resp(r.status, r.getheaders(), data)
    finally:
        c.close()


def raw(port, data):
    """Sends raw bytes, returns (status, headers text, body bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(data)
        got = b""
        while True:
            c = s.recv(65536)
            if not c:
                break
            got += c
    finally:
        s.close()
    head, _, body = got.partition(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    status = int(line.split()[1]) if len(line.split()) > 1 else 0
    return status, head.decode("latin-1"), body


def json_error(r, status, needle=None):
    """None when r is the JSON error expected, else why not."""
    if r.status != status:
        return "expected HTTP %d, got %r" % (status, r)
    if r.header("Content-Type") != "application/json":
        return "Content-Type %r" % r.header("Content-Type")
    if r.header("Content-Length") != str(len(r.body)):
        return "Content-Length %r for %d bytes" % (r.header("Content-Length"), len(r.body))
    try:
        e = r.json()
    except ValueError:
        return "body is not JSON: %r" % r.body
    if not isinstance(e, dict) or not isinstance(e.get("error"), str):
        return 'no "error" string: %r' % e
    if needle and needle not in e["error"]:
        return "error %r does not mention %r" % (e["error"], needle)
    return None


def check(case, fn):
    try:
        why = fn()
    except Exception as e:  # a case that blows up is a failed case
        why = "exception %s: %s" % (type(e).__name__, e)
    report(case, not why, why or "")


def bad_units_cases(tmp):
    cases = [
        ("not-a-list", {"id": "x"}, "not a JSON list"),
        ("duplicate-id", [UNITS[0], UNITS[0]], "unit 2:"),
        ("bad-id", [dict(UNITS[0], id="a/b")], "unit 1:"),
        ("long-id", [dict(UNITS[0], id="x" * 41)], "unit 1:"),
        ("bad-sequence", [UNITS[0], dict(UNITS[1], id="z", sequence="HPX")], "unit 2:"),
        ("short-sequence", [dict(UNITS[0], sequence="H")], "unit 1:"),
        ("long-sequence", [dict(UNITS[0], sequence="H" * 129)], "unit 1:"),
        ("negative-seed", [dict(UNITS[0], seed=-1)], "unit 1:"),
        ("huge-seed", [dict(UNITS[0], seed=2**63)], "unit 1:"),
        ("float-moves", [dict(UNITS[0], moves=10.0)], "unit 1:"),
        ("zero-moves", [dict(UNITS[0], moves=0)], "unit 1:"),
        ("too-many-moves", [dict(UNITS[0], moves=10**10 + 1)], "unit 1:"),
        ("missing-key", [{"id": "a", "sequence": "HP", "seed": 1}], "unit 1:"),
        ("bool-seed", [dict(UNITS[0], seed=True)], "unit 1:"),
    ]
    for name, doc, needle in cases + [("bad-json", None, "not valid JSON")]:
        path = os.path.join(tmp, "bad-%s.json" % name)
        with open(path, "w") as f:
            f.write("[{" if doc is None else json.dumps(doc))

        def run(path=path, needle=needle):
            p = subprocess.run([sys.executable, SERVER, "--port", "0", "--dir",
                                os.path.join(tmp, "bad-state"), "--units", path],
                               capture_output=True, text=True, timeout=30)
            out = (p.stdout + p.stderr).strip()
            if p.returncode != 2:
                return "exit %d, expected 2 (output %r)" % (p.returncode, out)
            want = "workserver: %s: %s" % (path, needle)
            if not out.startswith(want):
                return "output %r does not start with %r" % (out, want)
            return None
        check("units-validation %s" % name, run)


def main():
    tmp = tempfile.mkdtemp(prefix="workserver-selftest-")
    units_path = os.path.join(tmp, "units.json")
    with open(units_path, "w") as f:
        json.dump(UNITS, f)
    statedir = os.path.join(tmp, "state", "sub")  # created by the server
    bad_units_cases(tmp)

    srv = Server(statedir, units_path)
    port = srv.port
    servers = [srv]
    try:
        ok = srv.port is not None
        report("start", ok, "first line %r, exit %r" % (srv.ready, srv.p.poll()))
        if not ok:
            return

        def results():
            r = request(port, "GET", "/results")
            if r.status != 200 or r.header("Content-Type") != "application/json":
                raise AssertionError("GET /results: %r" % r)
            return {u["id"]: u for u in r.json()["units"]}

        def initial():
            u = results()
            if list(u) != ["wu-1", "wu_2"]:
                return "units %r" % list(u)
            for x in u.values():
                if (x["status"], x["checkpoint_moves"], x["checkpoints_received"],
                        x["result"]) != ("pending", 0, 0, None):
                    return "not fresh: %r" % x
            return None
        check("results-initial", initial)

        def next_first():
            r = request(port, "GET", "/workunits/next")
            if r.status != 200 or r.header("Content-Type") != "application/json" or \
                    r.header("Content-Length") != str(len(r.body)):
                return repr(r)
            want = dict(UNITS[0], checkpoint=False, checkpoint_moves=0)
            if r.json() != want:
                return "got %r, want %r" % (r.json(), want)
            if results()["wu-1"]["status"] != "leased":
                return "wu-1 not leased after being handed out"
            return None
        check("next-hands-out-first-pending", next_first)

        def next_second():
            r = request(port, "GET", "/workunits/next")
            if r.status != 200 or r.json()["id"] != "wu_2":
                return "leased wu-1 handed out again instead of wu_2: %r" % r
            if r.json()["seed"] != 2**63 - 1:
                return "seed %r" % r.json()["seed"]
            return None
        check("next-skips-leased", next_second)

        check("checkpoint-get-none-404",
              lambda: json_error(request(port, "GET", "/workunits/wu-1/checkpoint"), 404))

        blob = bytes(random.getrandbits(8) for _ in range(70000)) + b"\r\n\r\n\x00"

        def ckpt_roundtrip():
            r = request(port, "POST", "/workunits/wu-1/checkpoint", blob,
                        {"Content-Type": "application/octet-stream", "X-Moves-Done": "1234"})
            if r.status != 204 or r.body:
                return "POST: %r" % r
            r = request(port, "GET", "/workunits/wu-1/checkpoint")
            if r.status != 200 or r.header("Content-Type") != "application/octet-stream":
                return "GET: %r %r" % (r, r.header("Content-Type"))
            if r.body != blob:
                return "bytes differ (%d vs %d)" % (len(r.body), len(blob))
            if r.header("X-Moves-Done") != "1234":
                return "X-Moves-Done %r" % r.header("X-Moves-Done")
            u = results()["wu-1"]
            if u["checkpoint_moves"] != 1234 or u["checkpoints_received"] != 1:
                return "results: %r" % u
            return None
        check("checkpoint-roundtrip", ckpt_roundtrip)

        def ckpt_replace():
            b2 = os.urandom(1000)
            r = request(port, "POST", "/workunits/wu-1/checkpoint", b2,
                        {"Content-Type": "application/octet-stream", "X-Moves-Done": "5000"})
            if r.status != 204:
                return "POST: %r" % r
            r = request(port, "GET", "/workunits/wu-1/checkpoint")
            if r.body != b2 or r.header("X-Moves-Done") != "5000":
                return "second checkpoint not returned"
            u = results()["wu-1"]
            if u["checkpoint_moves"] != 5000 or u["checkpoints_received"] != 2:
                return "results: %r" % u
            files = os.listdir(os.path.join(statedir, "checkpoints"))
            if len(files) != 1:
                return "old checkpoint files left: %r" % files
            return None
        check("checkpoint-replace", ckpt_replace)

        def next_offers_again(unit, checkpoint_moves):
            r = request(port, "GET", "/workunits/next")
            want = dict(unit, checkpoint=True, checkpoint_moves=checkpoint_moves)
            if r.status != 200 or r.json() != want:
                return "got %r, want %r" % (r, want)
            return None
        # Nothing pending: the leased unit contacted last (wu-1, through its
        # checkpoint) is offered again, with its checkpoint.
        check("next-resume-rule", lambda: next_offers_again(UNITS[0], 5000))

        hdr = {"Content-Type": "application/octet-stream"}
        check("checkpoint-missing-moves-400",
              lambda: json_error(request(port, "POST", "/workunits/wu-1/checkpoint", b"x", hdr),
                                 400, "X-Moves-Done"))
        check("checkpoint-bad-moves-400",
              lambda: json_error(request(port, "POST", "/workunits/wu-1/checkpoint", b"x",
                                         dict(hdr, **{"X-Moves-Done": "12a"})), 400,
                                 "X-Moves-Done"))
        check("checkpoint-negative-moves-400",
              lambda: json_error(request(port, "POST", "/workunits/wu-1/checkpoint", b"x",
                                         dict(hdr, **{"X-Moves-Done": "-5"})), 400,
                                 "X-Moves-Done"))
        check("checkpoint-moves-beyond-unit-400",
              lambda: json_error(request(port, "POST", "/workunits/wu_2/checkpoint", b"x",
                                         dict(hdr, **{"X-Moves-Done": "5001"})), 400,
                                 "X-Moves-Done"))
        check("checkpoint-too-large-413",
              lambda: json_error(request(port, "POST", "/workunits/wu-1/checkpoint",
                                         b"\0" * (4 * 1024 * 1024 + 1),
                                         dict(hdr, **{"X-Moves-Done": "1"})), 413))

        def ckpt_max():
            r = request(port, "POST", "/workunits/wu_2/checkpoint", b"\xab" * (4 * 1024 * 1024),
                        dict(hdr, **{"X-Moves-Done": "100"}))
            if r.status != 204:
                return "4 MiB exactly refused: %r" % r
            r = request(port, "GET", "/workunits/wu_2/checkpoint")
            if r.body != b"\xab" * (4 * 1024 * 1024):
                return "4 MiB not returned"
            return None
        check("checkpoint-4MiB-accepted", ckpt_max)
        check("checkpoint-unknown-id-404",
              lambda: json_error(request(port, "POST", "/workunits/nope/checkpoint", b"x",
                                         dict(hdr, **{"X-Moves-Done": "1"})), 404))
        check("checkpoint-get-unknown-id-404",
              lambda: json_error(request(port, "GET", "/workunits/nope/checkpoint"), 404))
        check("checkpoint-chunked-411",
              lambda: json_error(request(port, "POST", "/workunits/wu-1/checkpoint",
                                         iter([b"abc", b"def"]),
                                         dict(hdr, **{"X-Moves-Done": "1"}), chunked=True), 411,
                                 "Content-Length"))

        def no_length():
            st, head, body = raw(port, b"POST /workunits/wu-1/result HTTP/1.1\r\n"
                                       b"Host: x\r\nConnection: close\r\n\r\n")
            if st != 411 or b"Content-Length" not in body:
                return "HTTP %d %r" % (st, body)
            return None
        check("body-without-length-411", no_length)

        def post(path, obj=None, text=None):
            body = text.encode() if text is not None else json.dumps(obj).encode()
            return request(port, "POST", path, body, {"Content-Type": "application/json"})

        good = {"best_energy": -9, "conformation": "R" * 19, "moves": 2000000}
        check("result-bad-json-400",
              lambda: json_error(post("/workunits/wu-1/result", text='{"best_energy": '), 400,
                                 "JSON"))
        check("result-not-object-400",
              lambda: json_error(post("/workunits/wu-1/result", [1, 2]), 400))
        check("result-missing-field-400",
              lambda: json_error(post("/workunits/wu-1/result", {"best_energy": -1,
                                                                  "moves": 5}), 400,
                                 "conformation"))
        check("result-energy-type-400",
              lambda: json_error(post("/workunits/wu-1/result", dict(good, best_energy="-9")),
                                 400, "best_energy"))
        check("result-energy-float-400",
              lambda: json_error(post("/workunits/wu-1/result", dict(good, best_energy=-9.5)),
                                 400, "best_energy"))
        check("result-moves-type-400",
              lambda: json_error(post("/workunits/wu-1/result", dict(good, moves=True)), 400,
                                 "moves"))
        check("result-conformation-length-400",
              lambda: json_error(post("/workunits/wu-1/result",
                                      dict(good, conformation="R" * 18)), 400, "conformation"))
        check("result-conformation-letters-400",
              lambda: json_error(post("/workunits/wu-1/result",
                                      dict(good, conformation="R" * 18 + "x")), 400,
                                 "conformation"))
        check("result-conformation-type-400",
              lambda: json_error(post("/workunits/wu-1/result", dict(good, conformation=7)),
                                 400, "conformation"))
        check("result-unknown-id-404",
              lambda: json_error(post("/workunits/nope/result", good), 404))
        check("result-bad-utf8-400",
              lambda: json_error(request(port, "POST", "/workunits/wu-1/result", b"\xff\xfe{",
                                         {"Content-Type": "application/json"}), 400))

        def result_ok():
            r = post("/workunits/wu-1/result", good)
            if r.status != 200 or r.json() != {"accepted": True} or \
                    r.header("Content-Type") != "application/json":
                return repr(r)
            u = results()["wu-1"]
            res = u["result"] or {}
            if u["status"] != "done" or any(res.get(k) != v for k, v in good.items()) or \
                    not isinstance(res.get("received"), (int, float)):
                return "results: %r" % u
            return None
        check("result-accepted", result_ok)
        check("result-twice-409",
              lambda: json_error(post("/workunits/wu-1/result", good), 409))
        check("checkpoint-after-done-409",
              lambda: json_error(request(port, "POST", "/workunits/wu-1/checkpoint", b"x",
                                         dict(hdr, **{"X-Moves-Done": "1"})), 409))

        check("unknown-path-404", lambda: json_error(request(port, "GET", "/nothing"), 404))
        check("unknown-subpath-404",
              lambda: json_error(request(port, "GET", "/workunits/wu-1/other"), 404))
        check("bad-id-in-path-404",
              lambda: json_error(request(port, "GET", "/workunits/a%2Fb/checkpoint"), 404))
        check("post-next-405",
              lambda: json_error(request(port, "POST", "/workunits/next", b"{}"), 405))
        check("get-result-405",
              lambda: json_error(request(port, "GET", "/workunits/wu-1/result"), 405))
        check("delete-results-405",
              lambda: json_error(request(port, "DELETE", "/results"), 405))
        check("put-checkpoint-405",
              lambda: json_error(request(port, "PUT", "/workunits/wu-1/checkpoint", b"x"), 405))
        check("strange-method-405",
              lambda: json_error(request(port, "BREW", "/results"), 405))

        def garbage():
            st, head, body = raw(port, b"GET /results HTTP/x.y\r\n\r\n")
            if st != 400 or b'"error"' not in body:
                return "bad version: HTTP %d %r" % (st, body)
            st, head, body = raw(port, b"\x00\x01garbage\xff\r\n\r\n")
            if st != 400 or b'"error"' not in body:
                return "garbage line: HTTP %d %r" % (st, body)
            st, head, body = raw(port, b"GET /results HTTP/1.1\r\n" + b"X: y\r\n" * 200 +
                                 b"\r\n")
            if st != 431 or b'"error"' not in body:
                return "too many headers: HTTP %d %r" % (st, body)
            st, head, body = raw(port, b"GET /results HTTP/1.1\r\nHost: x\r\n"
                                       b"Content-Length: zz\r\nConnection: close\r\n\r\n")
            if st != 200:  # a GET's body is not looked at
                return "GET with a bad Content-Length: HTTP %d" % st
            r = request(port, "GET", "/results")
            if r.status != 200:
                return "server unwell after garbage: %r" % r
            return None
        check("malformed-request-survives", garbage)

        def keepalive():
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                for _ in range(3):
                    c.request("GET", "/results")
                    r = c.getresponse()
                    r.read()
                    if r.status != 200:
                        return "HTTP %d" % r.status
            finally:
                c.close()
            return None
        check("keep-alive", keepalive)

        def logs():
            time.sleep(0.2)
            lines = [l for l in srv.log if "/workunits/next" in l and " 200" in l]
            if not lines:
                return "no request lines on stderr: %r" % srv.log[-5:]
            return None
        check("request-log", logs)

        # Restart: the state must survive.
        srv.stop()
        srv = Server(statedir, units_path)
        servers.append(srv)
        port = srv.port

        def restarted():
            if srv.port is None:
                return "first line %r" % srv.ready
            u = results()
            if u["wu-1"]["status"] != "done" or u["wu-1"]["result"]["best_energy"] != -9 or \
                    u["wu-1"]["checkpoints_received"] != 2:
                return "wu-1 %r" % u["wu-1"]
            if u["wu_2"]["status"] != "leased" or u["wu_2"]["checkpoint_moves"] != 100:
                return "wu_2 %r" % u["wu_2"]
            r = request(port, "GET", "/workunits/wu_2/checkpoint")
            if r.body != b"\xab" * (4 * 1024 * 1024) or r.header("X-Moves-Done") != "100":
                return "wu_2's checkpoint lost"
            r = request(port, "GET", "/workunits/wu-1/checkpoint")
            if r.status != 200 or r.header("X-Moves-Done") != "5000":
                return "wu-1's checkpoint lost: %r" % r
            return json_error(post("/workunits/wu-1/result", good), 409)
        check("restart-keeps-state", restarted)

        check("restart-resume-unit", lambda: next_offers_again(UNITS[1], 100))

        def all_done():
            r = post("/workunits/wu_2/result", {"best_energy": -2, "conformation": "RULDR",
                                                "moves": 5000})
            if r.status != 200:
                return "result: %r" % r
            r = request(port, "GET", "/workunits/next")
            if r.status != 204 or r.body or r.header("Content-Length") not in (None, "0"):
                return "expected an empty 204, got %r" % r
            if any(u["status"] != "done" for u in results().values()):
                return "not all done"
            return None
        check("next-204-when-all-done", all_done)

        # Leases: a short lease expires and the unit is pending again.
        srv2dir = os.path.join(tmp, "state-lease")
        srv2 = Server(srv2dir, units_path, lease=2)
        port2 = srv2.port
        servers.append(srv2)

        def lease_expiry():
            if not srv2.ready.startswith("workserver: listening"):
                return "no start: %r" % srv2.ready
            a = request(port2, "GET", "/workunits/next").json()["id"]
            b = request(port2, "GET", "/workunits/next").json()["id"]
            if (a, b) != ("wu-1", "wu_2"):
                return "handed out %s, %s" % (a, b)
            time.sleep(1.0)
            # Contact keeps wu_2's lease alive; wu-1's runs out.
            r = request(port2, "POST", "/workunits/wu_2/checkpoint", b"s",
                        {"X-Moves-Done": "7"})
            if r.status != 204:
                return "checkpoint: %r" % r
            time.sleep(1.5)
            st = {u["id"]: u["status"] for u in
                  request(port2, "GET", "/results").json()["units"]}
            if st != {"wu-1": "pending", "wu_2": "leased"}:
                return "statuses %r" % st
            r = request(port2, "GET", "/workunits/next").json()
            if r["id"] != "wu-1" or r["checkpoint"]:
                return "expired unit not handed out again: %r" % r
            return None
        check("lease-expiry", lease_expiry)
    finally:
        for s in servers:
            s.stop()
        if failures and not VERBOSE:
            for line in srv.log[-20:]:
                print("  [server log] " + line)

    print("workserver selftest: %s (state in %s)" % ("FAILED" if failures else "all passed",
                                                     tmp))
    if not failures:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    sys.exit(1 if failures else 0)
