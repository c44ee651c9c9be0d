#!/usr/bin/env python3
"""Runs on the host: a small work server (like a BOINC project server) for
the tests of the management partition's work-unit client
(guest/mgmt/workunit.c). A guest under QEMU's user networking reaches the
host's 127.0.0.1 as 10.0.2.2 (slirp), so the server binds loopback only and
the guest's project URL is http://10.0.2.2:PORT.

Usage: tools/workserver.py --port PORT --dir STATEDIR --units UNITS.json
                           [--lease-seconds N]

Prints "workserver: listening on 127.0.0.1:PORT" when ready and one line
per request on stderr. Python 3 standard library only.

UNITS.json is a JSON list of units, e.g.
    [{"id": "wu-1", "sequence": "HPHPPHHPHH", "seed": 1, "moves": 2000000}]
checked at start: ids unique and [A-Za-z0-9_-]{1,40}; sequence only H and P,
2..128 residues; seed an integer 0..2^63-1; moves an integer 1..10^10; no
other keys. An error prints "workserver: UNITS.json: unit N: what is wrong"
(N counts from 1) and exits 2.

State lives in STATEDIR (created if missing) so that a restarted server
continues where it stopped: STATEDIR/state.json holds per unit its status,
lease, checkpoint bookkeeping and result; STATEDIR/checkpoints/ID.K.ckpt
holds the latest checkpoint bytes (K grows with each upload, state.json
names the current file, so a crash never pairs bytes with the wrong move
count). Every file is written to a temporary name and renamed into place.
State is keyed by unit id: units no longer in UNITS.json are ignored, new
ones start pending.

Protocol (every JSON answer has Content-Type application/json and a
Content-Length; errors are {"error": "message"} with status 400, 404, 405,
409, 411, 413 or 500):
  GET  /workunits/next
        200 {"id","sequence","seed","moves","checkpoint": bool,
             "checkpoint_moves": N} or 204 without a body when there is no
        work. The unit handed out is the first one (in UNITS.json order)
        that is pending or whose lease has expired. Resume rule: when none
        is, the leased unfinished unit with the most recent contact is
        offered again, so that a restarted client gets its unit back
        (with its checkpoint). Handing out a unit leases it.
  GET  /workunits/ID/checkpoint
        200 application/octet-stream, the last checkpoint's bytes, header
        X-Moves-Done; 404 when there is none.
  POST /workunits/ID/checkpoint
        body application/octet-stream (the client's opaque state, at most
        4 MiB, else 413), header X-Moves-Done: N (required, an integer
        0..moves, else 400) -> 204. 409 when the unit is done.
  POST /workunits/ID/result
        JSON {"best_energy": int, "conformation": "RLUDFB...", "moves": int}
        with len(conformation) == len(sequence) - 1 -> 200 {"accepted": true};
        marks the unit done (stored with a "received" timestamp). 409 when
        the unit is already done; 400 naming the bad field.
  GET  /results
        200 {"units": [{"id","status","checkpoint_moves",
             "checkpoints_received","result": {...} or null}, ...]}
Leases: a unit stays leased for --lease-seconds (default 600) after the
last contact of any kind about it (handed out, checkpoint fetched or
uploaded); an expired lease makes it pending again. Unknown unit ids give
404, other paths 404, a wrong method on a known path 405. Request bodies
need a Content-Length (chunked bodies are refused with 411).
"""

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")
SEQ_RE = re.compile(r"[HP]{2,128}\Z")
CONF_RE = re.compile(r"[RLUDFB]*\Z")
CKPT_RE = re.compile(r"([A-Za-z0-9_-]{1,40})\.(\d+)\.ckpt\Z")
MAX_CHECKPOINT = 4 * 1024 * 1024
MAX_JSON_BODY = 64 * 1024
MAX_DRAIN = 64 * 1024 * 1024  # an unwanted body up to this size is read and dropped
MAX_SEED = 2**63 - 1
MAX_MOVES = 10**10
UNIT_KEYS = ("id", "sequence", "seed", "moves")


def log(msg):
    # One line each, whatever a client sent: control characters escaped.
    msg = "".join(c if c.isprintable() else "\\x%02x" % ord(c) if ord(c) < 256
                  else "\\u%04x" % ord(c) for c in msg)
    sys.stderr.write("workserver: %s\n" % msg)
    sys.stderr.flush()


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class ConfigError(Exception):
    pass


def load_units(path):
    """Returns the validated list of units or raises ConfigError."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except OSError as e:
        raise ConfigError("cannot read: %s" % e.strerror)
    except (ValueError, UnicodeDecodeError) as e:
        raise ConfigError("not valid JSON: %s" % e)
    if not isinstance(data, list):
        raise ConfigError("not a JSON list of units")
    seen = set()
    units = []
    for n, u in enumerate(data, 1):
        def bad(what):
            raise ConfigError("unit %d: %s" % (n, what))
        if not isinstance(u, dict):
            bad("not a JSON object")
        for k in UNIT_KEYS:
            if k not in u:
                bad('no "%s"' % k)
        extra = sorted(k for k in u if k not in UNIT_KEYS)
        if extra:
            bad('unknown key "%s"' % extra[0])
        uid, seq, seed, moves = (u[k] for k in UNIT_KEYS)
        if not isinstance(uid, str) or not ID_RE.match(uid):
            bad('"id" must be 1..40 characters of A-Z a-z 0-9 _ -')
        if uid in seen:
            bad('"id" %s is used twice' % uid)
        seen.add(uid)
        if not isinstance(seq, str) or not SEQ_RE.match(seq):
            bad('"sequence" must be 2..128 letters H or P')
        if not is_int(seed) or not 0 <= seed <= MAX_SEED:
            bad('"seed" must be an integer 0..2^63-1')
        if not is_int(moves) or not 1 <= moves <= MAX_MOVES:
            bad('"moves" must be an integer 1..10^10')
        units.append({"id": uid, "sequence": seq, "seed": seed, "moves": moves})
    return units


def write_atomic(path, data):
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class HttpError(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class Store:
    """All units' state; every method holds the lock."""

    def __init__(self, statedir, units, lease_seconds):
        self.lock = threading.Lock()
        self.dir = statedir
        self.ckdir = os.path.join(statedir, "checkpoints")
        self.state_path = os.path.join(statedir, "state.json")
        self.lease = lease_seconds
        self.units = units
        self.by_id = {u["id"]: u for u in units}
        os.makedirs(self.ckdir, exist_ok=True)
        saved = {}
        if os.path.exists(self.state_path):
            try:
                with open(self.state_path, "rb") as f:
                    doc = json.loads(f.read().decode("utf-8"))
                saved = doc["units"]
                if not isinstance(saved, dict):
                    raise ValueError("units is not an object")
            except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
                raise ConfigError("%s: unusable state: %s" % (self.state_path, e))
        self.st = {}
        for u in units:
            s = saved.get(u["id"])
            if not isinstance(s, dict):
                s = {}
            self.st[u["id"]] = {
                "status": s.get("status") if s.get("status") in ("pending", "leased", "done")
                else "pending",
                "lease_expires": s.get("lease_expires") if isinstance(s.get("lease_expires"),
                                                                      (int, float)) else 0,
                "last_contact": s.get("last_contact") if isinstance(s.get("last_contact"),
                                                                    (int, float)) else 0,
                "checkpoint_file": s.get("checkpoint_file")
                if isinstance(s.get("checkpoint_file"), str)
                and CKPT_RE.match(s.get("checkpoint_file"))
                and os.path.exists(os.path.join(self.ckdir, s.get("checkpoint_file")))
                else None,
                "checkpoint_moves": s.get("checkpoint_moves") if is_int(s.get("checkpoint_moves"))
                else 0,
                "checkpoints_received": s.get("checkpoints_received")
                if is_int(s.get("checkpoints_received")) else 0,
                "checkpoint_serial": s.get("checkpoint_serial")
                if is_int(s.get("checkpoint_serial")) else 0,
                "result": s.get("result") if isinstance(s.get("result"), dict) else None,
            }
            st = self.st[u["id"]]
            if st["checkpoint_file"] is None:
                st["checkpoint_moves"] = 0
            if st["status"] == "done" and st["result"] is None:
                st["status"] = "pending"
        self._remove_orphans()
        self._save()

    def _remove_orphans(self):
        keep = {s["checkpoint_file"] for s in self.st.values() if s["checkpoint_file"]}
        for name in os.listdir(self.ckdir):
            if (CKPT_RE.match(name) and name not in keep) or name.startswith(".tmp-"):
                try:
                    os.unlink(os.path.join(self.ckdir, name))
                except OSError:
                    pass

    def _save(self):
        doc = {"units": self.st}
        write_atomic(self.state_path,
                     (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8"))

    def _expire(self, now):
        for s in self.st.values():
            if s["status"] == "leased" and s["lease_expires"] <= now:
                s["status"] = "pending"

    def _touch(self, s, now):
        if s["status"] != "done":
            s["status"] = "leased"
            s["lease_expires"] = now + self.lease
        s["last_contact"] = now

    def _get(self, uid):
        if uid not in self.st:
            raise HttpError(404, "no work unit %s" % uid)
        return self.st[uid]

    def next_unit(self):
        with self.lock:
            now = time.time()
            self._expire(now)
            pick = None
            for u in self.units:
                if self.st[u["id"]]["status"] == "pending":
                    pick = u
                    break
            if pick is None:  # the resume rule
                leased = [u for u in self.units if self.st[u["id"]]["status"] == "leased"]
                if leased:
                    pick = max(leased, key=lambda u: self.st[u["id"]]["last_contact"])
            if pick is None:
                return None
            s = self.st[pick["id"]]
            self._touch(s, now)
            self._save()
            out = dict(pick)
            out["checkpoint"] = s["checkpoint_file"] is not None
            out["checkpoint_moves"] = s["checkpoint_moves"]
            return out

    def get_checkpoint(self, uid):
        with self.lock:
            s = self._get(uid)
            now = time.time()
            self._expire(now)
            if s["checkpoint_file"] is None:
                raise HttpError(404, "work unit %s has no checkpoint" % uid)
            with open(os.path.join(self.ckdir, s["checkpoint_file"]), "rb") as f:
                data = f.read()
            self._touch(s, now)
            self._save()
            return data, s["checkpoint_moves"]

    def put_checkpoint(self, uid, data, moves):
        with self.lock:
            s = self._get(uid)
            if s["status"] == "done":
                raise HttpError(409, "work unit %s is done" % uid)
            if moves > self.by_id[uid]["moves"]:
                raise HttpError(400, "X-Moves-Done %d exceeds the unit's %d moves"
                                % (moves, self.by_id[uid]["moves"]))
            now = time.time()
            self._expire(now)
            old = s["checkpoint_file"]
            s["checkpoint_serial"] += 1
            name = "%s.%d.ckpt" % (uid, s["checkpoint_serial"])
            write_atomic(os.path.join(self.ckdir, name), data)
            s["checkpoint_file"] = name
            s["checkpoint_moves"] = moves
            s["checkpoints_received"] += 1
            self._touch(s, now)
            self._save()
            if old and old != name:
                try:
                    os.unlink(os.path.join(self.ckdir, old))
                except OSError:
                    pass

    def put_result(self, uid, body):
        with self.lock:
            s = self._get(uid)
            unit = self.by_id[uid]
            if s["status"] == "done":
                raise HttpError(409, "work unit %s already has a result" % uid)
            try:
                r = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise HttpError(400, "body is not valid JSON: %s" % e)
            if not isinstance(r, dict):
                raise HttpError(400, "body must be a JSON object")
            for k in ("best_energy", "conformation", "moves"):
                if k not in r:
                    raise HttpError(400, '"%s" is missing' % k)
            extra = sorted(k for k in r if k not in ("best_energy", "conformation", "moves"))
            if extra:
                raise HttpError(400, '"%s" is not a result field' % extra[0])
            if not is_int(r["best_energy"]):
                raise HttpError(400, '"best_energy" must be an integer')
            if not is_int(r["moves"]) or r["moves"] < 0:
                raise HttpError(400, '"moves" must be a non-negative integer')
            conf = r["conformation"]
            want = len(unit["sequence"]) - 1
            if not isinstance(conf, str) or not CONF_RE.match(conf):
                raise HttpError(400, '"conformation" must be a string of the letters RLUDFB')
            if len(conf) != want:
                raise HttpError(400, '"conformation" has %d letters, the sequence needs %d'
                                % (len(conf), want))
            now = time.time()
            s["result"] = {"best_energy": r["best_energy"], "conformation": conf,
                           "moves": r["moves"], "received": now,
                           "received_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
            s["status"] = "done"
            s["lease_expires"] = 0
            s["last_contact"] = now
            self._save()

    def results(self):
        with self.lock:
            self._expire(time.time())
            return {"units": [{
                "id": u["id"],
                "status": self.st[u["id"]]["status"],
                "checkpoint_moves": self.st[u["id"]]["checkpoint_moves"],
                "checkpoints_received": self.st[u["id"]]["checkpoints_received"],
                "result": self.st[u["id"]]["result"],
            } for u in self.units]}


ROUTES = [
    (re.compile(r"/workunits/next\Z"), ("GET",), "next"),
    (re.compile(r"/workunits/([^/]+)/checkpoint\Z"), ("GET", "POST"), "checkpoint"),
    (re.compile(r"/workunits/([^/]+)/result\Z"), ("POST",), "result"),
    (re.compile(r"/results\Z"), ("GET",), "results"),
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "onestone-workserver/1"
    timeout = 60  # a stuck client does not hold a thread forever
    store = None  # set in main()

    # Any method (PUT, DELETE, BREW, ...) goes to dispatch, so that wrong
    # methods on known paths get 405 and the rest 404, all in JSON.
    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.dispatch
        raise AttributeError(name)

    def version_string(self):
        return self.server_version

    def log_request(self, code="-", size="-"):
        pass  # dispatch() logs one line per request itself

    def log_message(self, fmt, *args):
        log("%s %s" % (self.address_string(), fmt % args))

    def send_error(self, code, message=None, explain=None):
        # The base class's errors (bad request line, header too long, ...)
        # in the JSON form of ours.
        self.close_connection = True
        # Nobody speaks HTTP/0.9: answer a request line the base class could
        # not parse with a status line and headers too.
        self.request_version = "HTTP/1.0"
        self._send_json(code, {"error": message or self.responses.get(code, ("error",))[0]})
        self._log(code, message)

    def _log(self, code, note=None):
        line = "%s %s %s %d" % (self.address_string(), getattr(self, "command", None) or "-",
                                getattr(self, "path", None) or "-", code)
        if note:
            line += " (%s)" % note
        log(line)

    def _send(self, code, body=b"", ctype=None, headers=None):
        self.send_response_only(code)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        if code != 204 and code >= 200:
            self.send_header("Content-Type", ctype or "application/json")
            self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and code != 204 and getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, code, obj, headers=None):
        body = (json.dumps(obj) + "\n").encode("utf-8")
        self._send(code, body, "application/json", headers)

    def _read_body(self, limit):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise HttpError(411, "chunked request bodies are not supported: send Content-Length")
        if self.headers.get("Transfer-Encoding"):
            raise HttpError(400, "Transfer-Encoding is not supported: send Content-Length")
        cl = self.headers.get_all("Content-Length") or []
        if not cl:
            raise HttpError(411, "the request body needs a Content-Length")
        if len(set(v.strip() for v in cl)) != 1 or not re.fullmatch(r"\d{1,15}", cl[0].strip()):
            raise HttpError(400, "bad Content-Length")
        n = int(cl[0].strip())
        if n > limit:
            raise HttpError(413, "the body of %d bytes exceeds the limit of %d bytes" % (n, limit))
        self.body_read = True
        chunks = []
        left = n
        while left:
            c = self.rfile.read(min(left, 65536))
            if not c:
                raise HttpError(400, "the body ended after %d of %d bytes" % (n - left, n))
            chunks.append(c)
            left -= len(c)
        return b"".join(chunks)

    def _drain(self):
        """Reads and drops a request body that was not read, so that closing
        the socket does not reset the connection before the client has the
        answer (Linux sends RST when unread data is left)."""
        if self.body_read or self.headers is None:
            return
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.body_read = True
            total = 0
            while True:
                line = self.rfile.readline(1024)
                size = line.split(b";", 1)[0].strip()
                if not line.endswith(b"\n") or not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size):
                    return
                n = int(size, 16)
                total += n
                if total > MAX_DRAIN:
                    return
                if n == 0:
                    break
                while n:
                    c = self.rfile.read(min(n, 65536))
                    if not c:
                        return
                    n -= len(c)
                self.rfile.readline(1024)  # the CRLF after the chunk
            for _ in range(100):  # trailer fields up to the empty line
                line = self.rfile.readline(8192)
                if line in (b"\r\n", b"\n", b""):
                    return
            return
        if self.headers.get("Transfer-Encoding"):
            return
        cl = (self.headers.get("Content-Length") or "").strip()
        if not re.fullmatch(r"\d{1,15}", cl) or int(cl) > MAX_DRAIN:
            return
        self.body_read = True
        left = int(cl)
        while left:
            c = self.rfile.read(min(left, 65536))
            if not c:
                return
            left -= len(c)

    def _route(self, path):
        for rx, methods, name in ROUTES:
            m = rx.match(path)
            if m:
                return name, methods, m.groups()
        return None, (), ()

    def dispatch(self):
        code = 500
        note = None
        self.body_read = False
        try:
            path = urllib.parse.urlsplit(self.path).path
            name, methods, groups = self._route(path)
            if name is None:
                raise HttpError(404, "no such path: %s" % path)
            if self.command not in methods:
                raise HttpError(405, "%s is not allowed on %s" % (self.command, path),
                                headers={"Allow": ", ".join(methods)})
            uid = None
            if groups:
                uid = urllib.parse.unquote(groups[0])
                if not ID_RE.match(uid) or uid not in self.store.st:
                    raise HttpError(404, "no work unit %s" % uid)
            code = self._handle(name, uid)
        except HttpError as e:
            code = e.status
            note = e.message
            # The body may be unread: do not try to parse the next request
            # out of it.
            self.close_connection = True
            try:
                self._drain()
                self._send_json(e.status, {"error": e.message}, e.headers)
            except OSError as e2:
                note += "; connection lost: %s" % e2
        except (BrokenPipeError, ConnectionResetError, TimeoutError) as e:
            self.close_connection = True
            code, note = 0, "connection lost: %s" % e
        except Exception as e:  # never let a request take the server down
            self.close_connection = True
            code, note = 500, "internal error: %r" % e
            traceback.print_exc(file=sys.stderr)
            try:
                self._send_json(500, {"error": "internal error: %s" % e})
            except OSError:
                pass
        self._log(code, note)

    def _handle(self, name, uid):
        st = self.store
        if name == "next":
            # A body on a GET is not expected; drop a declared one to keep
            # the connection in step.
            if self.headers.get("Content-Length") or self.headers.get("Transfer-Encoding"):
                self._read_body(MAX_JSON_BODY)
            u = st.next_unit()
            if u is None:
                self._send(204)
                return 204
            self._send_json(200, u)
            return 200
        if name == "results":
            self._send_json(200, st.results())
            return 200
        if name == "checkpoint" and self.command == "GET":
            data, moves = st.get_checkpoint(uid)
            self._send(200, data, "application/octet-stream", {"X-Moves-Done": str(moves)})
            return 200
        if name == "checkpoint":
            mv = self.headers.get("X-Moves-Done")
            if mv is None:
                raise HttpError(400, "X-Moves-Done header is missing")
            if not re.fullmatch(r"\d{1,20}", mv.strip()):
                raise HttpError(400, "X-Moves-Done must be a non-negative integer")
            data = self._read_body(MAX_CHECKPOINT)
            st.put_checkpoint(uid, data, int(mv.strip()))
            self._send(204)
            return 204
        if name == "result":
            body = self._read_body(MAX_JSON_BODY)
            st.put_result(uid, body)
            self._send_json(200, {"accepted": True})
            return 200
        raise HttpError(404, "no such path")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Work server for the management partition's "
                                 "work-unit client (runs on the host).")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="state directory (created if missing)")
    ap.add_argument("--units", required=True, help="JSON list of work units")
    ap.add_argument("--lease-seconds", type=float, default=600.0)
    a = ap.parse_args(argv)
    if not 0 <= a.port <= 65535:
        print("workserver: --port must be 0..65535", file=sys.stderr)
        return 2
    if a.lease_seconds <= 0:
        print("workserver: --lease-seconds must be positive", file=sys.stderr)
        return 2
    try:
        units = load_units(a.units)
    except ConfigError as e:
        print("workserver: %s: %s" % (a.units, e), file=sys.stderr, flush=True)
        return 2
    try:
        os.makedirs(a.dir, exist_ok=True)
        store = Store(a.dir, units, a.lease_seconds)
    except ConfigError as e:
        print("workserver: %s" % e, file=sys.stderr, flush=True)
        return 2
    except OSError as e:
        print("workserver: %s: %s" % (a.dir, e), file=sys.stderr, flush=True)
        return 2
    Handler.store = store
    try:
        srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    except OSError as e:
        print("workserver: cannot listen on 127.0.0.1:%d: %s" % (a.port, e.strerror),
              file=sys.stderr, flush=True)
        return 2
    srv.daemon_threads = True
    print("workserver: listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
