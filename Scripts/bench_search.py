#!/usr/bin/env python3
"""Search benchmark: N synthetic request events in daily `request-events-YYYY.MM.DD` indices, then
filtered/sorted searches timed against Searchlight and, in the same run, against the same events in
tantivy (Python bindings) and optionally DuckDB as peers.

Usually run through `Scripts/bench.sh search`, which starts the server and passes --url, --pid and
--workdir (the server's data directory is <workdir>/data). Needs `tantivy` (and optionally `duckdb`)
importable; everything else is the standard library.

Steps: generate events (not timed; timestamps spread over the last --days UTC days ending now, so
exactly --days daily indices) → create each daily index with explicit mappings (refresh_interval 30s)
→ `_bulk` load in time order (--batch docs per request, --conns connections) → `_refresh` →
`_forcemerge?max_num_segments=1` → disk size → the same events into tantivy (and DuckDB) → result
sanity against the generator's ground truth → timed queries (warm-up, then --queries runs each):

  q1  size 100, sort timestamp desc, bool.filter [term user=U, range timestamp >= now-24h]
      (U cycles through the most frequent users)
  q2  size 0, track_total_hits, bool.filter [terms method POST/PUT, range status_code >= 500,
      range timestamp >= now-7d]
  q3  size 100, sort timestamp desc, match_all over all indices (stress case)

Searchlight latencies are client-side on one persistent HTTP connection (request sent → response
fully read); tantivy's include fetching the 100 stored documents (Searchlight returns `_source`).
The engines take turns query by query, so that other load on the machine hits them alike.
"""

from __future__ import annotations

import argparse
import calendar
import collections
import datetime as dt
import json
import math
import os
import random
import shutil
import statistics
import sys
import threading
import time

from bench_ingest import METHODS, PATHS, STATUSES, Http, cum, wait_ready

DAY_MS = 86_400_000
PATTERN = "request-events-*"
INDEX_BODY = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "30s"},
    "mappings": {"properties": {
        "timestamp": {"type": "date"},
        "session_id": {"type": "keyword"},
        "user": {"type": "keyword"},
        "path": {"type": "keyword"},
        "method": {"type": "keyword"},
        "status_code": {"type": "integer"},
        "response_time": {"type": "integer"},
        "module": {"type": "keyword"},
    }},
}
KEYWORDS = ("session_id", "user", "path", "method", "module")
QUERY_LABELS = {
    "q1": "q1 term user + range 24h, top-100 by ts",
    "q2": "q2 terms+range+7d, size 0, total hits",
    "q3": "q3 match_all, top-100 by ts (all days)",
}
PROBLEMS: list[str] = []  # server misbehaviour, printed at the end


def problem(msg: str) -> None:
    PROBLEMS.append(msg)
    print("  PROBLEM: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------- events

class Events:
    """Columnar events (parallel lists), in ingest order."""

    def __init__(self):
        self.ts: list[int] = []          # epoch milliseconds
        self.session_id: list[str] = []
        self.user: list[str] = []
        self.path: list[str] = []
        self.method: list[str] = []
        self.status_code: list[int] = []
        self.response_time: list[int] = []
        self.module: list[str] = []

    def __len__(self) -> int:
        return len(self.ts)


def generate(n: int, days: int, seed: int, users: int = 5000, shuffle: bool = False) -> tuple[Events, int]:
    """n events, deterministic for a seed (apart from 'now'). Timestamps lie in
    [UTC midnight (days-1) days ago, now], so they fall into exactly `days` daily indices.
    Returned in timestamp order (how logs are shipped) unless shuffle. Returns (events, now_ms)."""
    rnd = random.Random(seed)
    now_ms = int(time.time() * 1000)
    start_ms = (now_ms // DAY_MS - (days - 1)) * DAY_MS
    span = now_ms - start_ms
    user_names = [f"user{u:04d}" for u in range(users)]
    user_cum = cum(1.0 / (r + 1) for r in range(users))  # zipf-like skew
    n_sessions = max(1, n // 25)
    session_user = rnd.choices(user_names, cum_weights=user_cum, k=n_sessions)
    session_ids = [f"{rnd.getrandbits(64):016x}" for _ in range(n_sessions)]
    session_start = [start_ms + int(rnd.random() * span) for _ in range(n_sessions)]
    sess = rnd.choices(range(n_sessions), k=n)
    rr = rnd.random
    ts = [min(now_ms, session_start[s] + int(rr() * 1_800_000)) for s in sess]
    order = list(range(n))
    if shuffle:
        rnd.shuffle(order)
    else:
        order.sort(key=ts.__getitem__)
    paths = rnd.choices(range(len(PATHS)), cum_weights=cum(w for _, _, w in PATHS), k=n)
    methods = rnd.choices([m for m, _ in METHODS], cum_weights=cum(w for _, w in METHODS), k=n)
    statuses = rnd.choices([s for s, _ in STATUSES], cum_weights=cum(w for _, w in STATUSES), k=n)
    lnv = rnd.lognormvariate
    ev = Events()
    ev.ts = [ts[i] for i in order]
    ev.session_id = [session_ids[sess[i]] for i in order]
    ev.user = [session_user[sess[i]] for i in order]
    ev.path = [PATHS[paths[i]][0] for i in order]
    ev.module = [PATHS[paths[i]][1] for i in order]
    ev.method = [methods[i] for i in order]
    ev.status_code = [statuses[i] for i in order]
    ev.response_time = [max(1, round(lnv(3.8, 0.9))) for _ in range(n)]  # milliseconds
    return ev, now_ms


def index_name(ts_ms: int) -> str:
    return "request-events-" + time.strftime("%Y.%m.%d", time.gmtime(ts_ms // 1000))


def bulk_bodies(ev: Events, batch: int) -> tuple[list[bytes], set[str]]:
    """NDJSON `_bulk` bodies, each action naming the event's daily index."""
    actions: dict[int, str] = {}
    names: set[str] = set()
    last_sec, prefix = -1, ""
    bodies, parts = [], []
    for i in range(len(ev)):
        t = ev.ts[i]
        day = t // DAY_MS
        action = actions.get(day)
        if action is None:
            name = index_name(t)
            names.add(name)
            action = actions[day] = '{"index":{"_index":"%s"}}\n' % name
        sec = t // 1000
        if sec != last_sec:
            last_sec, prefix = sec, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        parts.append(action)
        parts.append(f'{{"timestamp":"{prefix}.{t % 1000:03d}Z","session_id":"{ev.session_id[i]}",'
                     f'"user":"{ev.user[i]}","path":"{ev.path[i]}","method":"{ev.method[i]}",'
                     f'"status_code":{ev.status_code[i]},"response_time":{ev.response_time[i]},'
                     f'"module":"{ev.module[i]}"}}\n')
        if len(parts) == 2 * batch:
            bodies.append("".join(parts).encode())
            parts = []
    if parts:
        bodies.append("".join(parts).encode())
    return bodies, names


# ---------------------------------------------------------------------------------- measurements

def proc_status(pid: int | None) -> dict[str, int]:
    """VmHWM / VmRSS / RssAnon / RssFile of a process, in kB."""
    out: dict[str, int] = {}
    if not pid:
        return out
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def dir_bytes(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def iso_ms(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def mb(kb: int | None) -> str:
    return "-" if kb is None else f"{kb / 1024:,.0f} MB"


# ------------------------------------------------------------------------------------ searchlight

def load_searchlight(url: str, bodies: list[bytes], conns: int) -> tuple[float, int]:
    """POST every body to /_bulk with `conns` threads. Returns (seconds, failed items)."""
    next_i = [0]
    lock = threading.Lock()
    failures = [0]
    errors: list[str] = []

    def worker():
        h = Http(url)
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= len(bodies) or errors:
                return
            try:
                status, data = h.request("POST", "/_bulk", bodies[i], "application/x-ndjson")
            except Exception as e:  # noqa: BLE001
                errors.append(f"POST /_bulk (batch {i}): {e!r}")
                return
            if status != 200:
                errors.append(f"POST /_bulk (batch {i}): HTTP {status}: {data[:300]!r}")
                return
            head = data[:200]
            if b'"errors":false' not in head and b'"errors": false' not in head:
                items = json.loads(data)["items"]
                bad = [it for it in items if next(iter(it.values())).get("error")]
                with lock:
                    failures[0] += len(bad)
                if bad and failures[0] == len(bad):
                    problem(f"POST /_bulk batch {i}: {len(bad)} failed items, first: {json.dumps(bad[0])[:300]}")

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        sys.exit("Searchlight load failed: " + "; ".join(errors[:3]))
    return elapsed, failures[0]


def timed_call(h: Http, method: str, path: str, obj=None) -> tuple[float, int, dict]:
    t0 = time.perf_counter()
    status, resp = h.json(method, path, obj)
    return time.perf_counter() - t0, status, resp


class SearchlightSide:
    name = "searchlight"

    def __init__(self, url: str):
        self.h = Http(url)
        self.path = f"/{PATTERN}/_search"

    def search(self, body: dict) -> dict:
        status, resp = self.h.json("POST", self.path, body)
        if status != 200:
            problem(f"POST {self.path} {json.dumps(body)} -> HTTP {status}: {json.dumps(resp)[:400]}")
        return resp

    # sanity: (total, sort values of the hits)
    def q1_abs(self, user: str, gte_ms: int) -> tuple[int, list[int]]:
        r = self.search({"size": 100, "sort": [{"timestamp": "desc"}], "track_total_hits": True,
                         "query": {"bool": {"filter": [{"term": {"user": user}},
                                                       {"range": {"timestamp": {"gte": iso_ms(gte_ms)}}}]}}})
        return total_of(r), [h.get("sort", [None])[0] for h in r.get("hits", {}).get("hits", [])]

    def q2_abs(self, gte_ms: int) -> int:
        r = self.search(q2_body(iso_ms(gte_ms)))
        return total_of(r)

    def q3_abs(self) -> tuple[int, list[int]]:
        r = self.search({"size": 100, "sort": [{"timestamp": "desc"}], "track_total_hits": True,
                         "query": {"match_all": {}}})
        return total_of(r), [h.get("sort", [None])[0] for h in r.get("hits", {}).get("hits", [])]

    def timed(self, body: dict, expect_hits: int | None) -> tuple[float, int | None]:
        """One timed request: (seconds, server took ms)."""
        data = json.dumps(body).encode()
        t0 = time.perf_counter()
        status, raw = self.h.request("POST", self.path, data)
        elapsed = time.perf_counter() - t0
        if status != 200:
            problem(f"POST {self.path} {data.decode()} -> HTTP {status}: {raw[:400]!r}")
            return elapsed, None
        resp = json.loads(raw)
        got = len(resp.get("hits", {}).get("hits", []))
        if expect_hits is not None and got != expect_hits:
            problem(f"POST {self.path} {data.decode()} -> {got} hits, expected {expect_hits}")
        return elapsed, resp.get("took")


def total_of(resp: dict) -> int | None:
    t = resp.get("hits", {}).get("total")
    if isinstance(t, dict):
        if t.get("relation", "eq") != "eq":
            problem(f"hits.total relation {t.get('relation')!r} with track_total_hits=true")
        return t.get("value")
    return t


def q1_body(user: str, gte: str = "now-24h") -> dict:
    return {"size": 100, "sort": [{"timestamp": "desc"}],
            "query": {"bool": {"filter": [{"term": {"user": user}}, {"range": {"timestamp": {"gte": gte}}}]}}}


def q2_body(gte: str = "now-7d") -> dict:
    return {"size": 0, "track_total_hits": True,
            "query": {"bool": {"filter": [{"terms": {"method": ["POST", "PUT"]}},
                                          {"range": {"status_code": {"gte": 500}}},
                                          {"range": {"timestamp": {"gte": gte}}}]}}}


Q3_BODY = {"size": 100, "sort": [{"timestamp": "desc"}], "query": {"match_all": {}}}


# ---------------------------------------------------------------------------------------- tantivy

class TantivySide:
    name = "tantivy"

    def __init__(self, path: str, ev: Events, heap_mb: int, threads: int):
        import tantivy
        self.t = tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_integer_field("timestamp", stored=True, indexed=True, fast=True)  # epoch ms
        for f in KEYWORDS:
            sb.add_text_field(f, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
        sb.add_integer_field("status_code", stored=True, indexed=True, fast=True)
        sb.add_integer_field("response_time", stored=True, indexed=True, fast=True)
        self.schema = schema = sb.build()
        self.search_only: list[float] = []  # seconds of the last top-100 searches without the fetch
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        self.path = path
        t0 = time.perf_counter()
        self.index = tantivy.Index(schema, path=path)
        w = self.index.writer(heap_size=heap_mb * 1_000_000, num_threads=threads)
        from_dict, add = tantivy.Document.from_dict, w.add_document
        for t, sid, u, p, m, sc, rt, mod in zip(ev.ts, ev.session_id, ev.user, ev.path, ev.method,
                                                ev.status_code, ev.response_time, ev.module):
            add(from_dict({"timestamp": t, "session_id": sid, "user": u, "path": p, "method": m,
                           "status_code": sc, "response_time": rt, "module": mod}, schema))
        w.commit()
        w.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.load_s = time.perf_counter() - t0
        self.segments = self.searcher.num_segments

    def _q1(self, user: str, gte_ms: int):
        T = self.t
        return T.Query.boolean_query([
            (T.Occur.Must, T.Query.term_query(self.schema, "user", user)),
            (T.Occur.Must, T.Query.range_query(self.schema, "timestamp", T.FieldType.Integer, gte_ms, None)),
        ])

    def _q2(self, gte_ms: int):
        T = self.t
        return T.Query.boolean_query([
            (T.Occur.Must, T.Query.term_set_query(self.schema, "method", ["POST", "PUT"])),
            (T.Occur.Must, T.Query.range_query(self.schema, "status_code", T.FieldType.Integer, 500, None)),
            (T.Occur.Must, T.Query.range_query(self.schema, "timestamp", T.FieldType.Integer, gte_ms, None)),
        ])

    def _top(self, q, count: bool):
        t0 = time.perf_counter()
        r = self.searcher.search(q, 100, count=count, order_by_field="timestamp", order=self.t.Order.Desc)
        self.search_only.append(time.perf_counter() - t0)
        docs = [self.searcher.doc(addr) for _, addr in r.hits]  # fetch phase, like _source
        return r, docs

    def q1_abs(self, user: str, gte_ms: int) -> tuple[int, list[int]]:
        r, _ = self._top(self._q1(user, gte_ms), True)
        return r.count, [k for k, _ in r.hits]

    def q2_abs(self, gte_ms: int) -> int:
        return self.searcher.search(self._q2(gte_ms), 1, count=True).count

    def q3_abs(self) -> tuple[int, list[int]]:
        r, _ = self._top(self.t.Query.all_query(), True)
        return r.count, [k for k, _ in r.hits]

    def run(self, kind: str, user: str | None) -> float:
        t0 = time.perf_counter()
        now = int(time.time() * 1000)
        if kind == "q1":
            self._top(self._q1(user, now - DAY_MS), False)
        elif kind == "q2":
            self.searcher.search(self._q2(now - 7 * DAY_MS), 1, count=True)
        else:
            self._top(self.t.Query.all_query(), False)
        return time.perf_counter() - t0


# ----------------------------------------------------------------------------------------- duckdb

class DuckDBSide:
    name = "duckdb"

    def __init__(self, workdir: str, ev: Events):
        import duckdb
        csv_path = os.path.join(workdir, "events.csv")
        with open(csv_path, "w") as f:
            for row in zip(ev.ts, ev.session_id, ev.user, ev.path, ev.method, ev.status_code,
                           ev.response_time, ev.module):
                f.write("%d,%s,%s,%s,%s,%d,%d,%s\n" % row)
        self.path = os.path.join(workdir, "peer.duckdb")
        t0 = time.perf_counter()
        self.con = duckdb.connect(self.path)
        self.con.execute(f"""
            CREATE TABLE events AS SELECT epoch_ms(ts) AS timestamp, session_id, "user", path, method,
                   status_code, response_time, module
            FROM read_csv('{csv_path}', header = false, columns = {{
                'ts': 'BIGINT', 'session_id': 'VARCHAR', 'user': 'VARCHAR', 'path': 'VARCHAR',
                'method': 'VARCHAR', 'status_code': 'INTEGER', 'response_time': 'INTEGER',
                'module': 'VARCHAR'}})""")
        self.con.execute("CHECKPOINT")
        self.load_s = time.perf_counter() - t0
        os.remove(csv_path)

    def disk_bytes(self) -> int:
        return sum(os.path.getsize(p) for p in (self.path, self.path + ".wal") if os.path.exists(p))

    Q1 = ('SELECT * FROM events WHERE "user" = ? AND timestamp >= epoch_ms(?::BIGINT) '
          'ORDER BY timestamp DESC LIMIT 100')
    Q2 = ("SELECT count(*) FROM events WHERE method IN ('POST', 'PUT') AND status_code >= 500 "
          "AND timestamp >= epoch_ms(?::BIGINT)")
    Q3 = "SELECT * FROM events ORDER BY timestamp DESC LIMIT 100"

    def _count_q1(self, user: str, gte_ms: int) -> int:
        return self.con.execute('SELECT count(*) FROM events WHERE "user" = ? AND timestamp >= epoch_ms(?::BIGINT)',
                                [user, gte_ms]).fetchone()[0]

    def q1_abs(self, user: str, gte_ms: int) -> tuple[int, list[int]]:
        rows = self.con.execute(self.Q1, [user, gte_ms]).fetchall()
        return self._count_q1(user, gte_ms), [epoch_ms(r[0]) for r in rows]

    def q2_abs(self, gte_ms: int) -> int:
        return self.con.execute(self.Q2, [gte_ms]).fetchone()[0]

    def q3_abs(self) -> tuple[int, list[int]]:
        rows = self.con.execute(self.Q3).fetchall()
        return self.con.execute("SELECT count(*) FROM events").fetchone()[0], [epoch_ms(r[0]) for r in rows]

    def run(self, kind: str, user: str | None) -> float:
        t0 = time.perf_counter()
        now = int(time.time() * 1000)
        if kind == "q1":
            self.con.execute(self.Q1, [user, now - DAY_MS]).fetchall()
        elif kind == "q2":
            self.con.execute(self.Q2, [now - 7 * DAY_MS]).fetchone()
        else:
            self.con.execute(self.Q3).fetchall()
        return time.perf_counter() - t0


def epoch_ms(d: dt.datetime) -> int:
    """A naive UTC datetime (DuckDB TIMESTAMP) as epoch milliseconds."""
    return calendar.timegm(d.utctimetuple()) * 1000 + d.microsecond // 1000


# ------------------------------------------------------------------------------------------ truth

def truth_q1(ev: Events, users: list[str], gte_ms: int) -> dict[str, tuple[int, list[int]]]:
    want = set(users)
    per: dict[str, list[int]] = {u: [] for u in users}
    for t, u in zip(ev.ts, ev.user):
        if t >= gte_ms and u in want:
            per[u].append(t)
    return {u: (len(v), sorted(v, reverse=True)[:100]) for u, v in per.items()}


def truth_q2(ev: Events, gte_ms: int) -> int:
    return sum(1 for t, m, s in zip(ev.ts, ev.method, ev.status_code)
               if s >= 500 and t >= gte_ms and (m == "POST" or m == "PUT"))


def check(label: str, name: str, got, want) -> bool:
    ok = got == want
    if not ok:
        g = got if not isinstance(got, list) else f"{got[:3]}…({len(got)})"
        w = want if not isinstance(want, list) else f"{want[:3]}…({len(want)})"
        msg = f"{label}: {name} gave {g}, expected {w}"
        if name == "searchlight":
            problem(msg)
        else:
            print("  MISMATCH " + msg, file=sys.stderr)
    return ok


# ------------------------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="Searchlight base URL, e.g. http://127.0.0.1:9200")
    ap.add_argument("--pid", type=int, help="server PID, for RSS (VmHWM/VmRSS)")
    ap.add_argument("--workdir", required=True, help="scratch directory; the server's data dir is <workdir>/data")
    ap.add_argument("--data", default=None, help="server data dir (default <workdir>/data)")
    ap.add_argument("--docs", type=int, default=5_000_000)
    ap.add_argument("--days", type=int, default=30, help="daily indices (timestamps over the last N UTC days)")
    ap.add_argument("--queries", type=int, default=20, help="timed runs per query")
    ap.add_argument("--warmup", type=int, default=5, help="untimed runs per query first")
    ap.add_argument("--users", type=int, default=5000)
    ap.add_argument("--query-users", type=int, default=8, help="q1 cycles through this many most frequent users")
    ap.add_argument("--batch", type=int, default=5000, help="documents per _bulk request")
    ap.add_argument("--conns", type=int, default=2, help="concurrent _bulk connections")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shuffle", action="store_true", help="ingest in random order instead of time order")
    ap.add_argument("--tantivy-heap-mb", type=int, default=1000, help="tantivy writer heap (all threads)")
    ap.add_argument("--tantivy-threads", type=int, default=2)
    ap.add_argument("--skip-tantivy", action="store_true")
    ap.add_argument("--skip-duckdb", action="store_true")
    ap.add_argument("--json-out", default=None, help="also write the results as JSON to this file")
    a = ap.parse_args()
    data_dir = a.data or os.path.join(a.workdir, "data")

    wait_ready(a.url)
    t0 = time.perf_counter()
    ev, gen_now = generate(a.docs, a.days, a.seed, a.users, a.shuffle)
    bodies, names = bulk_bodies(ev, a.batch)
    print(f"generated {len(ev):,} events into {len(names)} daily indices, {len(bodies)} bulk bodies "
          f"({sum(len(b) for b in bodies) / 1e6:.0f} MB NDJSON) in {time.perf_counter() - t0:.1f}s (not timed)",
          flush=True)

    # --- Searchlight load
    h = Http(a.url)
    for name in sorted(names):
        h.request("DELETE", f"/{name}")
        status, resp = h.json("PUT", f"/{name}", INDEX_BODY)
        if status != 200:
            sys.exit(f"PUT /{name} failed: HTTP {status}: {resp}")
    load_s, failed = load_searchlight(a.url, bodies, a.conns)
    del bodies
    rss_load = proc_status(a.pid)
    refresh_s, st, resp = timed_call(h, "POST", f"/{PATTERN}/_refresh")
    if st != 200:
        problem(f"POST /{PATTERN}/_refresh -> HTTP {st}: {json.dumps(resp)[:300]}")
    merge_s, st, resp = timed_call(h, "POST", f"/{PATTERN}/_forcemerge?max_num_segments=1")
    if st != 200:
        problem(f"POST /{PATTERN}/_forcemerge?max_num_segments=1 -> HTTP {st}: {json.dumps(resp)[:300]}")
    rss_merged = proc_status(a.pid)
    st, resp = h.json("PUT", f"/{PATTERN}/_settings", {"index": {"refresh_interval": "1s"}})
    if st != 200:
        print(f"  note: PUT /{PATTERN}/_settings refresh_interval=1s -> HTTP {st}: {json.dumps(resp)[:200]}")
    _, c = h.json("GET", f"/{PATTERN}/_count")
    count = c.get("count")
    sl_load_total = load_s + refresh_s + merge_s
    print(f"Searchlight load: _bulk {load_s:.1f}s ({a.docs / load_s:,.0f} docs/s, {a.conns} conns, "
          f"{a.batch}/bulk, {failed} failed items) + _refresh {refresh_s:.2f}s + _forcemerge {merge_s:.2f}s "
          f"= {sl_load_total:.1f}s; _count = {count}", flush=True)
    if count != a.docs - failed:
        problem(f"GET /{PATTERN}/_count -> {count}, expected {a.docs - failed}")
    idx_bytes = dir_bytes(os.path.join(data_dir, "indices"))
    data_bytes = dir_bytes(data_dir)
    sl_bpe = idx_bytes / a.docs
    catalog = {f: os.path.getsize(os.path.join(data_dir, f)) for f in sorted(os.listdir(data_dir))
               if f.startswith("catalog.sqlite")}
    print(f"  disk: indices/ {idx_bytes / 1e6:.1f} MB = {sl_bpe:.1f} B/event; "
          f"data dir {data_bytes / 1e6:.1f} MB = {data_bytes / a.docs:.1f} B/event "
          f"({', '.join(f'{k} {v / 1e6:.1f} MB' for k, v in catalog.items())})", flush=True)

    # --- peers
    sides: list = [SearchlightSide(a.url)]
    tv = dd = None
    if not a.skip_tantivy:
        try:
            import tantivy  # noqa: F401
        except ImportError:
            sys.exit("tantivy is not importable: pip install tantivy (or pass --skip-tantivy)")
        tv = TantivySide(os.path.join(a.workdir, "tantivy"), ev, a.tantivy_heap_mb, a.tantivy_threads)
        tv_bytes = dir_bytes(tv.path)
        print(f"tantivy load: {tv.load_s:.1f}s ({a.docs / tv.load_s:,.0f} docs/s from Python, "
              f"{tv.segments} segments); disk {tv_bytes / 1e6:.1f} MB = {tv_bytes / a.docs:.1f} B/event", flush=True)
        sides.append(tv)
    if not a.skip_duckdb:
        try:
            import duckdb  # noqa: F401
            dd = DuckDBSide(a.workdir, ev)
        except ImportError:
            print("duckdb not importable: skipping that peer")
        if dd:
            print(f"duckdb load: {dd.load_s:.1f}s (read_csv, not counted: writing the CSV); "
                  f"disk {dd.disk_bytes() / 1e6:.1f} MB = {dd.disk_bytes() / a.docs:.1f} B/event", flush=True)
            sides.append(dd)

    # --- sanity against the generator's ground truth (absolute bounds: 'now' moves)
    by_user = collections.Counter(ev.user)
    q_users = [u for u, _ in by_user.most_common(a.query_users)]
    anchor = int(time.time() * 1000)
    print(f"sanity (bounds anchored at {iso_ms(anchor)}, track_total_hits=true / count=True):")
    t1 = truth_q1(ev, q_users, anchor - DAY_MS)
    t2 = truth_q2(ev, anchor - 7 * DAY_MS)
    t3 = (len(ev), sorted(ev.ts, reverse=True)[:100])
    sanity: dict[str, dict] = {}
    all_ok = True
    for side in sides:
        ok = True
        s: dict = {}
        for u in q_users:
            n, keys = side.q1_abs(u, anchor - DAY_MS)
            ok &= check(f"q1 user={u} total", side.name, n, t1[u][0])
            ok &= check(f"q1 user={u} top-100 timestamps", side.name, sorted(keys, reverse=True), t1[u][1])
            s.setdefault("q1_totals", []).append(n)
        n2 = side.q2_abs(anchor - 7 * DAY_MS)
        ok &= check("q2 total", side.name, n2, t2)
        n3, keys3 = side.q3_abs()
        ok &= check("q3 total", side.name, n3, t3[0])
        ok &= check("q3 top-100 timestamps", side.name, sorted(keys3, reverse=True), t3[1])
        s.update(q2_total=n2, q3_total=n3, ok=ok)
        sanity[side.name] = s
        all_ok &= ok
    print(f"  {'':12} {'q1 totals (' + ', '.join(q_users[:4]) + ', …)':44} {'q2 total':>10} {'q3 total':>10}  ok")
    print(f"  {'truth':12} {str([t1[u][0] for u in q_users][:4])[:-1] + ', …]':44} {t2:>10,} {t3[0]:>10,}")
    for name, s in sanity.items():
        q1s = str(s["q1_totals"][:4])[:-1] + ", …]"
        print(f"  {name:12} {q1s:44} {s['q2_total']:>10,} {s['q3_total']:>10,}  {'yes' if s['ok'] else 'MISMATCH'}")
    # date math: 'now-24h' / 'now-7d' evaluated by the server must land between the bounds seen around it
    sl = sides[0]
    for label, body, f in (
        ("q1 now-24h", {**q1_body(q_users[0]), "track_total_hits": True},
         lambda b: truth_q1(ev, [q_users[0]], b - DAY_MS)[q_users[0]][0]),
        ("q2 now-7d", q2_body(), lambda b: truth_q2(ev, b - 7 * DAY_MS)),
    ):
        before = int(time.time() * 1000)
        got = total_of(sl.search(body))
        after = int(time.time() * 1000) + 1
        lo, hi = f(after), f(before)
        if got is None or not lo <= got <= hi:
            problem(f"{label} date math: POST /{PATTERN}/_search {json.dumps(body)} -> total {got}, "
                    f"expected within [{lo}, {hi}]")

    # --- timed queries
    expect_q1 = {u: n for u, (n, _) in t1.items()}  # the window slides a little after the anchor
    lat: dict[str, dict[str, list[float]]] = {s.name: {} for s in sides}
    took: dict[str, list[int]] = {}
    tv_search_only: dict[str, list[float]] = {}  # tantivy top-100 without fetching the stored docs
    rss_q = proc_status(a.pid).get("VmRSS", 0)  # max VmRSS sampled after each Searchlight query
    # Engines take turns query by query, so that load from other processes on the machine hits
    # all of them alike and the ratios stay meaningful.
    for kind in ("q1", "q2", "q3"):
        for i in range(a.warmup + a.queries):
            user = q_users[i % len(q_users)] if kind == "q1" else None
            for side in sides:
                if side is sl:
                    body = q1_body(user) if kind == "q1" else (q2_body() if kind == "q2" else Q3_BODY)
                    exp = None if kind == "q2" else (min(100, len(ev)) if kind == "q3" else
                                                     (100 if expect_q1[user] >= 110 else None))
                    secs, tk = sl.timed(body, exp)
                    rss_q = max(rss_q, proc_status(a.pid).get("VmRSS", 0))
                    if i >= a.warmup and tk is not None:
                        took.setdefault(kind, []).append(tk)
                else:
                    secs = side.run(kind, user)
                    if side is tv and kind != "q2" and i >= a.warmup:
                        tv_search_only.setdefault(kind, []).append(tv.search_only[-1] * 1000)
                if i >= a.warmup:
                    lat[side.name].setdefault(kind, []).append(secs * 1000)
    rss_end = proc_status(a.pid)
    catalog_end = {f: os.path.getsize(os.path.join(data_dir, f)) for f in sorted(os.listdir(data_dir))
                   if f.startswith("catalog.sqlite")}

    # --- report
    print()
    hdr = f"{'':42} {'searchlight p50/p95 (took)':>28} {'tantivy p50/p95':>18} {'ratio':>6}"
    if dd:
        hdr += f" {'duckdb p50/p95':>16} {'ratio':>6}"
    print(hdr)
    queries = {}
    for kind in ("q1", "q2", "q3"):
        s_runs = lat["searchlight"][kind]
        s50, s95 = statistics.median(s_runs), pct(s_runs, 95)
        tk = statistics.median(took[kind]) if took.get(kind) else None
        row = f"{QUERY_LABELS[kind]:42} {f'{s50:.2f}/{s95:.2f} ms ({tk} ms)':>28}"
        q = {"searchlight_ms_p50": round(s50, 3), "searchlight_ms_p95": round(s95, 3), "searchlight_took_ms_p50": tk}
        for name, width in (("tantivy", 18), ("duckdb", 16)):
            if name == "duckdb" and not dd:
                continue
            runs = lat.get(name, {}).get(kind)
            if not runs:
                row += f" {'-':>{width}} {'-':>6}"
                continue
            p50, p95 = statistics.median(runs), pct(runs, 95)
            row += f" {f'{p50:.2f}/{p95:.2f} ms':>{width}} {s50 / p50:>6.2f}"
            q.update({f"{name}_ms_p50": round(p50, 3), f"{name}_ms_p95": round(p95, 3),
                      f"ratio_vs_{name}": round(s50 / p50, 3)})
        if kind in tv_search_only:
            q["tantivy_search_only_ms_p50"] = round(statistics.median(tv_search_only[kind]), 3)
        queries[kind] = q
        print(row)
    if tv_search_only:
        print("  (tantivy times include fetching the 100 stored docs; without: " + ", ".join(
            f"{k} {v['tantivy_search_only_ms_p50']:.2f} ms" for k, v in queries.items()
            if "tantivy_search_only_ms_p50" in v) + ")")
    tv_bpe = dir_bytes(tv.path) / a.docs if tv else None
    dd_bpe = dd.disk_bytes() / a.docs if dd else None
    row = f"{'disk bytes/event (indices/, incl. _source)':42} {f'{sl_bpe:.1f}':>28}"
    if tv:
        row += f" {f'{tv_bpe:.1f}':>18} {sl_bpe / tv_bpe:>6.2f}"
    if dd:
        row += f" {f'{dd_bpe:.1f}':>16} {sl_bpe / dd_bpe:>6.2f}"
    print(row)
    row = f"{'load seconds (bulk+refresh+forcemerge)':42} {f'{sl_load_total:.1f}':>28}"
    if tv:
        row += f" {f'{tv.load_s:.1f}':>18} {sl_load_total / tv.load_s:>6.2f}"
    if dd:
        row += f" {f'{dd.load_s:.1f}':>16} {sl_load_total / dd.load_s:>6.2f}"
    print(row)
    hwm = rss_end.get("VmHWM")
    print(f"server RSS: peak (VmHWM, whole run) {mb(hwm)}; VmRSS at end of _bulk {mb(rss_load.get('VmRSS'))}, "
          f"after refresh+forcemerge {mb(rss_merged.get('VmRSS'))}, max during queries {mb(rss_q or None)}, "
          f"after queries {mb(rss_end.get('VmRSS'))} (anon {mb(rss_end.get('RssAnon'))}, "
          f"file-backed {mb(rss_end.get('RssFile'))})")
    print(f"server catalog at the end: {', '.join(f'{k} {v / 1e6:.1f} MB' for k, v in catalog_end.items())}")
    targets = {
        "bytes_per_event_le_60": sl_bpe <= 60,
        "q1_p50_lt_20ms": queries["q1"]["searchlight_ms_p50"] < 20,
        "peak_rss_lt_1.5GiB": hwm is not None and hwm < 1.5 * 1024 * 1024,
        "query_phase_rss_lt_1.5GiB": bool(rss_q) and rss_q < 1.5 * 1024 * 1024,
    }
    print("targets: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in targets.items()))
    if PROBLEMS:
        print(f"server problems ({len(PROBLEMS)}):")
        for p in PROBLEMS[:20]:
            print("  - " + p)

    result = {
        "docs": a.docs, "days": a.days, "indices": len(names), "queries": a.queries, "warmup": a.warmup,
        "q1_users": q_users, "time_ordered": not a.shuffle,
        "searchlight_bulk_s": round(load_s, 2), "searchlight_refresh_s": round(refresh_s, 2),
        "searchlight_forcemerge_s": round(merge_s, 2), "searchlight_load_s": round(sl_load_total, 2),
        "searchlight_failed_items": failed, "searchlight_count": count,
        "searchlight_indices_bytes": idx_bytes, "searchlight_data_dir_bytes": data_bytes,
        "searchlight_catalog_bytes": catalog, "searchlight_catalog_bytes_end": catalog_end,
        "searchlight_bytes_per_event": round(sl_bpe, 2),
        "searchlight_peak_rss_mb": round(hwm / 1024, 1) if hwm else None,
        "searchlight_rss_end_of_bulk_mb": round(rss_load["VmRSS"] / 1024, 1) if "VmRSS" in rss_load else None,
        "searchlight_rss_after_forcemerge_mb": round(rss_merged["VmRSS"] / 1024, 1) if "VmRSS" in rss_merged else None,
        "searchlight_rss_max_during_queries_mb": round(rss_q / 1024, 1) if rss_q else None,
        "searchlight_rss_after_queries_mb": round(rss_end["VmRSS"] / 1024, 1) if "VmRSS" in rss_end else None,
        "searchlight_rss_anon_after_queries_mb": round(rss_end["RssAnon"] / 1024, 1) if "RssAnon" in rss_end else None,
        "queries_ms": queries, "sanity_ok": all_ok, "targets": targets, "server_problems": len(PROBLEMS),
    }
    if tv:
        result.update(tantivy_load_s=round(tv.load_s, 2), tantivy_segments=tv.segments,
                      tantivy_bytes_per_event=round(tv_bpe, 2), ratio_bytes_per_event_vs_tantivy=round(sl_bpe / tv_bpe, 3))
    if dd:
        result.update(duckdb_load_s=round(dd.load_s, 2), duckdb_bytes_per_event=round(dd_bpe, 2),
                      ratio_bytes_per_event_vs_duckdb=round(sl_bpe / dd_bpe, 3))
    print("RESULT " + json.dumps(result))
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(result, f, indent=2)
    if PROBLEMS or not all_ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
