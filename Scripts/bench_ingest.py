#!/usr/bin/env python3
"""Ingest benchmark: N synthetic request events into Searchlight over HTTP `_bulk`, and the same
N documents into SQLite (WAL, synchronous=FULL, one transaction per batch) as a peer.

Usually run through `Scripts/bench.sh ingest`, which builds the release binary, starts the server
and passes --url and --pid. Standard library only.

Everything is generated before the clock starts: the timed part is only HTTP request/response
(Searchlight) or the inserts and commits (SQLite).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import http.client
import json
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse

PATHS = [
    # (path, module, weight)
    ("/", "home", 30), ("/login", "auth", 8), ("/logout", "auth", 2), ("/api/session", "auth", 6),
    ("/dashboard", "dashboard", 20), ("/api/dashboard/widgets", "dashboard", 14),
    ("/api/dashboard/summary", "dashboard", 10), ("/reports", "reports", 6),
    ("/api/reports/list", "reports", 5), ("/api/reports/export", "reports", 2),
    ("/api/reports/run", "reports", 3), ("/sites", "sites", 7), ("/api/sites", "sites", 9),
    ("/api/sites/detail", "sites", 6), ("/api/sites/map", "sites", 4), ("/assets", "assets", 6),
    ("/api/assets/search", "assets", 8), ("/api/assets/upload", "assets", 2),
    ("/api/assets/thumbnail", "assets", 10), ("/api/assets/download", "assets", 3),
    ("/settings", "settings", 2), ("/api/settings/profile", "settings", 2),
    ("/api/settings/users", "admin", 1), ("/admin", "admin", 1), ("/api/admin/audit", "admin", 1),
    ("/api/search", "search", 12), ("/search", "search", 5), ("/api/notifications", "notifications", 9),
    ("/help", "help", 1), ("/api/health", "system", 4),
]
METHODS = [("GET", 80), ("POST", 14), ("PUT", 4), ("DELETE", 2)]
STATUSES = [(200, 830), (201, 30), (204, 20), (302, 25), (304, 30), (400, 15), (401, 12),
            (403, 6), (404, 12), (500, 12), (502, 4), (503, 4)]  # ~2% 5xx

INDEX_BODY = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {"properties": {
        "timestamp": {"type": "date"},
        "session_id": {"type": "keyword"},
        "user": {"type": "keyword"},
        "path": {"type": "keyword"},
        "method": {"type": "keyword"},
        "status_code": {"type": "integer"},
        "response_time": {"type": "float"},
        "module": {"type": "keyword"},
    }},
}


def cum(weights):
    out, s = [], 0
    for w in weights:
        s += w
        out.append(s)
    return out


def generate(n: int, seed: int, users: int = 5000) -> list[str]:
    """n JSON documents (as compact strings), deterministic for a seed."""
    rnd = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    span = 30 * 86400
    user_names = [f"user{u:04d}" for u in range(users)]
    user_cum = cum(1.0 / (r + 1) for r in range(users))  # zipf-like skew
    n_sessions = max(1, n // 25)
    session_user = rnd.choices(user_names, cum_weights=user_cum, k=n_sessions)
    session_ids = [f"{rnd.getrandbits(64):016x}" for _ in range(n_sessions)]
    session_start = [now - rnd.random() * span for _ in range(n_sessions)]
    path_cum = cum(w for _, _, w in PATHS)
    method_cum = cum(w for _, w in METHODS)
    status_cum = cum(w for _, w in STATUSES)
    paths = rnd.choices(range(len(PATHS)), cum_weights=path_cum, k=n)
    methods = rnd.choices([m for m, _ in METHODS], cum_weights=method_cum, k=n)
    statuses = rnd.choices([s for s, _ in STATUSES], cum_weights=status_cum, k=n)
    utc = dt.timezone.utc
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    docs = []
    for i in range(n):
        s = rnd.randrange(n_sessions)
        ts = min(now, session_start[s] + rnd.random() * 1800)
        stamp = dt.datetime.fromtimestamp(ts, utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        path, module, _ = PATHS[paths[i]]
        docs.append(dumps({
            "timestamp": stamp,
            "session_id": session_ids[s],
            "user": session_user[s],
            "path": path,
            "method": methods[i],
            "status_code": statuses[i],
            "response_time": round(rnd.lognormvariate(3.8, 0.9), 1),
            "module": module,
        }))
    return docs


def bulk_bodies(docs: list[str], batch: int) -> list[bytes]:
    action = '{"index":{}}\n'
    return ["".join(action + d + "\n" for d in docs[i:i + batch]).encode()
            for i in range(0, len(docs), batch)]


def peak_rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Http:
    def __init__(self, url: str, timeout: float = 600):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.timeout = u.hostname, u.port or 80, timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None,
                ctype: str = "application/json") -> tuple[int, bytes]:
        headers = {"Content-Type": ctype} if body is not None else {}
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # a keep-alive connection closed by the server between requests: reconnect once
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, obj=None) -> tuple[int, dict]:
        body = None if obj is None else json.dumps(obj).encode()
        status, data = self.request(method, path, body)
        return status, (json.loads(data) if data else {})


def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = Http(url, timeout=2).request("GET", "/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"server at {url} did not answer GET / within {timeout}s")


def bench_searchlight(url: str, index: str, bodies: list[bytes], conns: int) -> tuple[float, int]:
    """POST every body with `conns` threads, each on its own keep-alive connection.
    Returns (seconds, failed items)."""
    next_i = [0]
    lock = threading.Lock()
    failures = [0]
    errors: list[str] = []
    path = f"/{index}/_bulk"

    def worker():
        h = Http(url)
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= len(bodies) or errors:
                return
            try:
                status, data = h.request("POST", path, bodies[i], "application/x-ndjson")
            except Exception as e:  # noqa: BLE001
                errors.append(f"batch {i}: {e!r}")
                return
            if status != 200:
                errors.append(f"batch {i}: HTTP {status}: {data[:300]!r}")
                return
            head = data[:200]
            if b'"errors":false' not in head and b'"errors": false' not in head:
                items = json.loads(data)["items"]
                bad = [it for it in items if next(iter(it.values())).get("error")]
                with lock:
                    failures[0] += len(bad)
                if bad and len(errors) < 1:
                    print(f"  batch {i}: {len(bad)} failed items, first: {json.dumps(bad[0])[:300]}",
                          file=sys.stderr)

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        sys.exit("Searchlight ingest failed: " + "; ".join(errors[:3]))
    return elapsed, failures[0]


def bench_sqlite(path: str, docs: list[str], batch: int) -> float:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE events (id TEXT PRIMARY KEY, source TEXT NOT NULL)")
    ids = [f"ev{i:012d}" for i in range(len(docs))]
    t0 = time.perf_counter()
    for i in range(0, len(docs), batch):
        db.execute("BEGIN")
        db.executemany("INSERT INTO events (id, source) VALUES (?, ?)", zip(ids[i:i + batch], docs[i:i + batch]))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    (count,) = db.execute("SELECT count(*) FROM events").fetchone()
    db.close()
    assert count == len(docs), (count, len(docs))
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="Searchlight base URL, e.g. http://127.0.0.1:9200")
    ap.add_argument("--pid", type=int, help="server PID, for peak RSS (VmHWM)")
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=5000, help="documents per _bulk request / SQLite transaction")
    ap.add_argument("--conns", type=int, default=2, help="concurrent HTTP connections")
    ap.add_argument("--index", default="request-events-bench")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", default=None, help="directory for the SQLite peer's database")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--json-out", default=None, help="also write the results as JSON to this file")
    a = ap.parse_args()

    wait_ready(a.url)
    t0 = time.perf_counter()
    docs = generate(a.docs, a.seed)
    bodies = bulk_bodies(docs, a.batch)
    gen_s = time.perf_counter() - t0
    total_mb = sum(len(b) for b in bodies) / 1e6
    print(f"generated {len(docs):,} docs in {len(bodies)} bodies ({total_mb:.1f} MB NDJSON) in {gen_s:.1f}s "
          f"(not timed)", flush=True)

    h = Http(a.url)
    h.request("DELETE", f"/{a.index}")
    status, resp = h.json("PUT", f"/{a.index}", INDEX_BODY)
    if status != 200:
        sys.exit(f"creating {a.index} failed: HTTP {status}: {resp}")
    rss_before = peak_rss_kb(a.pid) if a.pid else None

    sl_s, failed = bench_searchlight(a.url, a.index, bodies, a.conns)
    sl_rate = a.docs / sl_s
    rss_peak = peak_rss_kb(a.pid) if a.pid else None
    print(f"Searchlight: {a.docs:,} docs in {sl_s:.2f}s = {sl_rate:,.0f} docs/s "
          f"({a.conns} connections, {a.batch} docs/bulk, {failed} failed items)", flush=True)

    t1 = time.perf_counter()
    h.request("POST", f"/{a.index}/_refresh")
    refresh_s = time.perf_counter() - t1
    _, c = h.json("GET", f"/{a.index}/_count")
    count = c.get("count")
    rss_final = peak_rss_kb(a.pid) if a.pid else None
    print(f"  refresh after ingest {refresh_s:.2f}s, _count = {count}", flush=True)
    if count != a.docs - failed:
        print(f"  WARNING: _count {count} != docs sent {a.docs - failed}", file=sys.stderr)
    if rss_peak is not None:
        print(f"  server peak RSS (VmHWM): {rss_final / 1024:.1f} MB "
              f"(at end of ingest {rss_peak / 1024:.1f} MB, before ingest {rss_before / 1024:.1f} MB)")

    result = {"docs": a.docs, "batch": a.batch, "conns": a.conns,
              "searchlight_seconds": round(sl_s, 3), "searchlight_docs_per_s": round(sl_rate),
              "searchlight_failed_items": failed, "searchlight_count": count,
              "searchlight_peak_rss_mb": round(rss_final / 1024, 1) if rss_final else None}

    if not a.skip_sqlite:
        workdir = a.workdir or tempfile.mkdtemp(prefix="bench-sqlite-")
        db_path = os.path.join(workdir, "peer.sqlite")
        sq_s = bench_sqlite(db_path, docs, a.batch)
        sq_rate = a.docs / sq_s
        print(f"SQLite peer: {a.docs:,} docs in {sq_s:.2f}s = {sq_rate:,.0f} docs/s "
              f"(WAL, synchronous=FULL, {a.batch} docs/transaction, id TEXT PRIMARY KEY + JSON text)")
        print(f"ratio Searchlight/SQLite docs/s: {sl_rate / sq_rate:.2f}")
        result.update({"sqlite_seconds": round(sq_s, 3), "sqlite_docs_per_s": round(sq_rate),
                       "ratio": round(sl_rate / sq_rate, 3)})
    print("RESULT " + json.dumps(result))
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
