#!/usr/bin/env python3
"""Crash-safety harness for Searchlight: SIGKILL the real server at random points and check that
nothing acknowledged is lost and nothing unacknowledged is half-applied.

Each cycle starts `searchlight serve` on one data directory that lives across cycles, runs K
writer threads sending `_bulk` batches of index / update (`doc_as_upsert`) / delete items on ids
they own (so every id's writes are ordered), plus an admin thread calling `_refresh`, `_flush`
and `_forcemerge` at random, kills the process with SIGKILL after 0.2-2 s (sometimes right after
an admin call, to land inside a refresh, flush or merge), restarts it and verifies:

- `_cluster/health` is not red (every committed segment passed its checksum at start-up);
- every acknowledged write is there: the document with the acknowledged `_version` and exactly the
  expected `_source`, once (a full scroll has no duplicate `_id`, `_count` equals the scroll);
  acknowledged deletes are absent;
- a write that was in flight at the kill is either entirely absent (the previous state) or
  entirely applied (the new full source), never anything else;
- `term` on `_id`, `term`/`range` queries and a `terms` aggregation with a `sum` agree with the
  same numbers computed from the full scan.

Only the standard library is used. The binary comes from $SEARCHLIGHT_BIN (default
`.build/debug/searchlight`). Prints one line per cycle and, with --json FILE, writes the summary
(cycles, acknowledged writes, lost, half-applied, query mismatches, failures) there. Exit status
1 when any check failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

INDEX = "crash-test"
TAGS = ["alpha", "beta", "gamma", "delta", "epsilon"]


# -- HTTP ----------------------------------------------------------------------------------------

class Client:
    """One keep-alive connection (one per thread); raises OSError/HTTPException when the server dies."""

    def __init__(self, port: int, timeout: float = 30.0):
        self.port = port
        self.timeout = timeout
        self.conn: Optional[http.client.HTTPConnection] = None

    def request(self, method: str, path: str, body: Any = None, ndjson: bool = False) -> tuple[int, Any]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        if body is None:
            data, ctype = None, None
        elif ndjson:
            data, ctype = ("".join(json.dumps(l) + "\n" for l in body)).encode(), "application/x-ndjson"
        else:
            data, ctype = json.dumps(body).encode(), "application/json"
        headers = {"Content-Type": ctype} if ctype else {}
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except Exception:
            self.close()
            raise
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, raw.decode(errors="replace")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary: str, data: Path, logs: Path):
        self.binary, self.data, self.logs = binary, data, logs
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0
        self.starts = 0

    def start(self, timeout: float = 60.0) -> None:
        self.starts += 1
        self.port = free_port()
        log = open(self.logs / f"server-{self.starts}.log", "wb")
        self.proc = subprocess.Popen([self.binary, "serve", "--port", str(self.port), "--data", str(self.data),
                                      "--no-bootstrap", "--ism-interval", "0"],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        c = Client(self.port, timeout=2)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} at start; see {self.log_path}")
            try:
                if c.request("GET", "/")[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout}s; see {self.log_path}")

    @property
    def log_path(self) -> Path:
        return self.logs / f"server-{self.starts}.log"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


# -- the model of what the server must hold ------------------------------------------------------

class Model:
    """Per id: the last acknowledged state, (version, source) or None for absent; plus, for ids
    whose last write got no answer, the state that write would produce."""

    def __init__(self):
        self.acked: dict[str, Optional[tuple[int, dict]]] = {}
        # id -> (state before, candidate source after or None for a delete)
        self.in_flight: dict[str, tuple[Optional[tuple[int, dict]], Optional[dict]]] = {}
        self.lock = threading.Lock()
        self.acked_writes = 0


def merge(base: dict, patch: dict) -> dict:
    out = dict(base)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def writer(k: int, port: int, model: Model, ids_per_writer: int, stop: threading.Event, rng: random.Random,
           errors: list) -> None:
    c = Client(port)
    gen = 0
    try:
        while not stop.is_set():
            gen += 1
            chosen = rng.sample(range(ids_per_writer), rng.randint(5, 60))
            lines, plan = [], []
            for i in chosen:
                _id = f"w{k}-{i}"
                before = model.acked.get(_id)
                r = rng.random()
                n = rng.randint(0, 1_000_000)
                if r < 0.5:
                    src = {"n": n, "tag": rng.choice(TAGS), "writer": k, "gen": gen, "body": f"doc {_id} gen {gen}",
                           "nested": {"a": gen, "b": [1, 2, gen]}}
                    lines += [{"index": {"_index": INDEX, "_id": _id}}, src]
                    plan.append((_id, "index", before, src))
                elif r < 0.85:
                    patch = {"n": n, "gen": gen, "nested": {"a": gen}}
                    if rng.random() < 0.5:
                        patch["tag"] = rng.choice(TAGS)
                    lines += [{"update": {"_index": INDEX, "_id": _id}}, {"doc": patch, "doc_as_upsert": True}]
                    after = merge(before[1], patch) if before else patch
                    plan.append((_id, "update", before, after))
                else:
                    lines.append({"delete": {"_index": INDEX, "_id": _id}})
                    plan.append((_id, "delete", before, None))
            with model.lock:
                for _id, _, before, after in plan:
                    model.in_flight[_id] = (before, after)
            try:
                status, resp = c.request("POST", "/_bulk", lines, ndjson=True)
            except (OSError, http.client.HTTPException):
                return  # killed: this batch stays in flight
            if not isinstance(resp, dict):
                return  # no readable answer: leave the batch in flight
            if status != 200:
                with model.lock:  # refused as a whole: nothing of it was applied
                    for _id, *_ in plan:
                        model.in_flight.pop(_id, None)
                continue
            with model.lock:
                for (_id, op, before, after), item in zip(plan, resp["items"]):
                    res = next(iter(item.values()))
                    model.in_flight.pop(_id, None)
                    st = res.get("status", 0)
                    if op == "delete" and st in (200, 404):
                        model.acked[_id] = None
                    elif op != "delete" and st in (200, 201):
                        model.acked[_id] = (res["_version"], after)
                    else:
                        continue  # a failed item is not applied; the state stays as before
                    model.acked_writes += 1
    except Exception as e:  # a harness bug must not pass silently
        errors.append(f"writer {k}: {e!r}")
    finally:
        c.close()


def admin(port: int, stop: threading.Event, rng: random.Random, last_admin: list) -> None:
    c = Client(port)
    try:
        while not stop.is_set():
            time.sleep(rng.uniform(0.02, 0.3))
            path = rng.choice([f"/{INDEX}/_refresh", f"/{INDEX}/_flush", f"/{INDEX}/_refresh",
                               f"/{INDEX}/_forcemerge?max_num_segments=1", f"/{INDEX}/_forcemerge?max_num_segments=3"])
            last_admin[0] = (time.monotonic(), path)
            try:
                c.request("POST", path)
            except (OSError, http.client.HTTPException):
                return
    finally:
        c.close()


# -- verification --------------------------------------------------------------------------------

def full_scan(c: Client) -> tuple[dict, list]:
    """Every stored document by a scroll: id -> (version, source); duplicates reported."""
    docs: dict[str, tuple[int, dict]] = {}
    dups = []
    st, r = c.request("POST", f"/{INDEX}/_search?scroll=1m", {"size": 500, "version": True, "sort": ["_doc"],
                                                              "query": {"match_all": {}}})
    if st != 200:
        raise RuntimeError(f"scroll failed: {st} {r}")
    while r["hits"]["hits"]:
        for h in r["hits"]["hits"]:
            if h["_id"] in docs:
                dups.append(h["_id"])
            docs[h["_id"]] = (h["_version"], h["_source"])
        st, r = c.request("POST", "/_search/scroll", {"scroll": "1m", "scroll_id": r["_scroll_id"]})
        if st != 200:
            raise RuntimeError(f"scroll failed: {st} {r}")
    c.request("DELETE", "/_search/scroll/_all")
    return docs, dups


def verify(port: int, model: Model, rng: random.Random) -> dict:
    """Checks the restarted server against the model; resolves in-flight writes to what is there."""
    c = Client(port)
    out = {"lost": 0, "half_applied": 0, "unexpected": 0, "duplicates": 0, "query_mismatches": 0, "problems": []}

    def problem(kind: str, msg: str) -> None:
        out[kind] += 1
        if len(out["problems"]) < 20:
            out["problems"].append(msg)

    st, health = c.request("GET", "/_cluster/health?level=indices")
    if st != 200 or health.get("status") == "red":
        problem("unexpected", f"cluster health {st}: {json.dumps(health)[:300]}")
    st, exists = c.request("HEAD", f"/{INDEX}")
    if st == 404:
        if any(v is not None for v in model.acked.values()):
            problem("lost", "index missing after restart")
        return out
    c.request("POST", f"/{INDEX}/_refresh")
    docs, dups = full_scan(c)
    for d in dups:
        problem("duplicates", f"{d} returned twice by the scroll")
    st, cnt = c.request("POST", f"/{INDEX}/_count", {"query": {"match_all": {}}})
    if cnt.get("count") != len(docs):
        problem("query_mismatches", f"_count {cnt.get('count')} != scroll {len(docs)}")

    ids = set(model.acked) | set(model.in_flight) | set(docs)
    for _id in ids:
        have = docs.get(_id)
        if _id in model.in_flight:
            before, after = model.in_flight[_id]
            if have is None:
                ok = before is None or after is None  # still absent, or the delete was applied
            else:
                ok = have == before or (after is not None and have[1] == after)
            if not ok:
                problem("half_applied", f"{_id}: in-flight write left {have}, expected {before} or source {after}")
            model.acked[_id] = have  # the server's answer is the truth from now on
            continue
        want = model.acked.get(_id)
        if want is None and have is not None:
            problem("unexpected", f"{_id}: present {have} but acknowledged absent/never written")
        elif want is not None and have is None:
            problem("lost", f"{_id}: acknowledged {want} missing")
        elif want is not None and have != want:
            problem("lost", f"{_id}: acknowledged {want}, stored {have}")
        if have != want:
            model.acked[_id] = have  # count each loss once; later cycles compare against what is there
    model.in_flight.clear()

    # Searches against the full scan.
    sample = rng.sample(sorted(ids), min(25, len(ids))) if ids else []
    for _id in sample:
        st, r = c.request("POST", f"/{INDEX}/_search", {"query": {"term": {"_id": _id}}, "version": True})
        hits = r["hits"]["hits"] if st == 200 else None
        expected = docs.get(_id)
        got = [(h["_version"], h["_source"]) for h in hits] if hits is not None else None
        if got != ([expected] if expected else []):
            problem("query_mismatches", f"term _id {_id}: {got} vs scan {expected}")
    for tag in TAGS:
        want = sum(1 for v in docs.values() if v[1].get("tag") == tag)
        st, r = c.request("POST", f"/{INDEX}/_count", {"query": {"term": {"tag.keyword": tag}}})
        if r.get("count") != want:
            problem("query_mismatches", f"term tag {tag}: {r.get('count')} vs scan {want}")
    lo, hi = sorted([rng.randint(0, 1_000_000), rng.randint(0, 1_000_000)])
    want = sum(1 for v in docs.values() if isinstance(v[1].get("n"), int) and lo <= v[1]["n"] < hi)
    st, r = c.request("POST", f"/{INDEX}/_count", {"query": {"range": {"n": {"gte": lo, "lt": hi}}}})
    if r.get("count") != want:
        problem("query_mismatches", f"range n [{lo},{hi}): {r.get('count')} vs scan {want}")
    st, r = c.request("POST", f"/{INDEX}/_search", {"size": 0, "aggs": {"t": {"terms": {"field": "tag.keyword", "size": 10},
                                                                             "aggs": {"s": {"sum": {"field": "n"}}}}}})
    got = {b["key"]: (b["doc_count"], int(b["s"]["value"])) for b in r["aggregations"]["t"]["buckets"]} if st == 200 else None
    want_aggs: dict[str, tuple[int, int]] = {}
    for v in docs.values():
        t = v[1].get("tag")
        if t is not None:
            cnt_, s_ = want_aggs.get(t, (0, 0))
            want_aggs[t] = (cnt_ + 1, s_ + v[1].get("n", 0))
    if got != want_aggs:
        problem("query_mismatches", f"terms+sum agg {got} vs scan {want_aggs}")
    out["stored_docs"] = len(docs)
    c.close()
    return out


# -- the cycles ----------------------------------------------------------------------------------

def run(cycles: int, writers: int, ids_per_writer: int, seed: int, binary: str, workdir: Path,
        min_kill: float, max_kill: float, log=print) -> dict:
    rng = random.Random(seed)
    data, logs = workdir / "data", workdir / "logs"
    data.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    srv = Server(binary, data, logs)
    model = Model()
    summary = {"cycles": 0, "cycles_survived": 0, "acked_writes": 0, "lost": 0, "half_applied": 0, "unexpected": 0,
               "duplicates": 0, "query_mismatches": 0, "harness_errors": 0, "problems": [], "seed": seed,
               "kills_near_admin": 0}
    started = time.monotonic()
    srv.start()
    c = Client(srv.port)
    st, r = c.request("PUT", f"/{INDEX}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0,
                                                         "refresh_interval": "150ms"},
                                            "mappings": {"properties": {"n": {"type": "long"}}}})
    c.close()
    if st != 200:
        raise RuntimeError(f"create index: {st} {r}")
    try:
        for cycle in range(1, cycles + 1):
            stop = threading.Event()
            errors: list = []
            last_admin: list = [None]
            threads = [threading.Thread(target=writer, args=(k, srv.port, model, ids_per_writer, stop,
                                                              random.Random(rng.random()), errors), daemon=True)
                       for k in range(writers)]
            threads.append(threading.Thread(target=admin, args=(srv.port, stop, random.Random(rng.random()), last_admin),
                                            daemon=True))
            for t in threads:
                t.start()
            delay = rng.uniform(min_kill, max_kill)
            near_admin = rng.random() < 0.3
            deadline = time.monotonic() + delay
            if near_admin:
                # Land inside a refresh, flush or merge: kill a few ms after an admin call goes out.
                seen = last_admin[0]
                while time.monotonic() < deadline + 1.0 and last_admin[0] is seen:
                    time.sleep(0.002)
                time.sleep(rng.uniform(0.0, 0.03))
                summary["kills_near_admin"] += 1
            else:
                time.sleep(max(0.0, deadline - time.monotonic()))
            srv.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            srv.start()
            result = verify(srv.port, model, rng)
            summary["cycles"] += 1
            summary["acked_writes"] = model.acked_writes
            bad = 0
            for k in ("lost", "half_applied", "unexpected", "duplicates", "query_mismatches"):
                summary[k] += result[k]
                bad += result[k]
            summary["harness_errors"] += len(errors)
            bad += len(errors)
            summary["problems"] += (result["problems"] + errors)[: max(0, 30 - len(summary["problems"]))]
            if bad == 0:
                summary["cycles_survived"] += 1
            log(f"cycle {cycle}/{cycles}: killed after {delay:.2f}s{' (near ' + last_admin[0][1] + ')' if near_admin and last_admin[0] else ''}, "
                f"{model.acked_writes} acked writes so far, {result.get('stored_docs', 0)} docs stored, "
                f"lost {result['lost']}, half-applied {result['half_applied']}, unexpected {result['unexpected']}, "
                f"query mismatches {result['query_mismatches']}" + (f"; {result['problems'][:3]}" if bad else ""))
    finally:
        srv.stop()
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


def corruption_scenario(binary: str, workdir: Path, log=print) -> dict:
    """A segment file damaged on disk: the index must come up red (health, `_cat/indices`, 503s on
    its reads and writes naming the file) while another index keeps working; `searchlight repair`
    drops the segment, reports its documents as lost, replays the translog tail, and the index is
    green again with exactly the surviving documents."""
    data, logs = workdir / "data", workdir / "logs"
    data.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    srv = Server(binary, data, logs)
    checks: dict[str, bool] = {}
    notes: list = []

    def check(name: str, ok: bool, detail: Any = "") -> None:
        checks[name] = bool(ok)
        if not ok:
            notes.append(f"{name}: {str(detail)[:400]}")
        log(f"  {'ok ' if ok else 'FAIL'} {name}")

    def bulk(c: Client, index: str, ids, refresh: bool) -> tuple[int, Any]:
        lines = []
        for i in ids:
            lines += [{"index": {"_index": index, "_id": str(i)}}, {"n": i, "tag": TAGS[i % 5]}]
        return c.request("POST", "/_bulk" + ("?refresh=true" if refresh else ""), lines, ndjson=True)

    bad, good = "corrupt-me", "healthy"
    srv.start()
    try:
        c = Client(srv.port)
        for name in (bad, good):
            c.request("PUT", f"/{name}", {"settings": {"number_of_replicas": 0, "refresh_interval": "-1"}})
        bulk(c, bad, range(0, 300), refresh=True)      # segment 0: 300 docs, to be damaged
        bulk(c, bad, range(300, 400), refresh=True)    # segment 1: 100 docs, intact
        st, r = bulk(c, bad, range(400, 420), refresh=False)  # translog tail only
        check("tail acknowledged", st == 200 and not r.get("errors"), r)
        bulk(c, good, range(0, 50), refresh=True)
        uuid = c.request("GET", f"/{bad}/_settings")[1][bad]["settings"]["index"]["uuid"]
        c.close()
        srv.kill()
        seg = data / "indices" / uuid / "seg_0.seg"
        raw = bytearray(seg.read_bytes())
        raw[len(raw) // 2] ^= 0x5A
        seg.write_bytes(bytes(raw))

        srv.start()
        c = Client(srv.port)
        st, h = c.request("GET", "/_cluster/health?level=indices")
        check("cluster health red", h.get("status") == "red", h)
        check("damaged index listed red", h.get("indices", {}).get(bad, {}).get("status") == "red", h)
        check("other index green", h.get("indices", {}).get(good, {}).get("status") == "green", h)
        st, cat = c.request("GET", "/_cat/indices?format=json")
        health = {row["index"]: row["health"] for row in cat} if st == 200 else {}
        check("_cat/indices health red", health.get(bad) == "red" and health.get(good) == "green", cat)
        st, r = c.request("POST", f"/{bad}/_search", {"query": {"match_all": {}}})
        check("search on red index answers 503 naming the file",
              st == 503 and r["error"]["type"] == "no_shard_available_action_exception" and "seg_0.seg" in r["error"]["reason"], (st, r))
        st, r = bulk(c, bad, [1000], refresh=False)
        item = r["items"][0]["index"] if isinstance(r, dict) and "items" in r else {}
        check("write to red index answers 503 naming the file",
              item.get("status") == 503 and item.get("error", {}).get("type") == "unavailable_shards_exception"
              and "seg_0.seg" in item.get("error", {}).get("reason", ""), r)
        st, r = c.request("POST", f"/{good}/_count", {"query": {"match_all": {}}})
        check("other index still searchable", r.get("count") == 50, r)
        st, r = bulk(c, good, [50], refresh=True)
        check("other index still writable", st == 200 and not r.get("errors"), r)
        c.close()
        srv.stop()
        log_text = srv.log_path.read_text(errors="replace")
        check("start-up log reports the damaged file loudly", "RED" in log_text and "seg_0.seg" in log_text, log_text[-500:])

        rep = subprocess.run([binary, "repair", "--data", str(data)], capture_output=True, text=True, timeout=120)
        log(rep.stdout)
        check("repair exits 0", rep.returncode == 0, rep.stdout + rep.stderr)
        check("repair reports the 300 documents of the dropped segment", "300 docs" in rep.stdout and "300 documents lost" in rep.stdout,
              rep.stdout)

        srv.start()
        c = Client(srv.port)
        st, h = c.request("GET", "/_cluster/health")
        check("cluster green after repair", h.get("status") == "green", h)
        c.request("POST", f"/{bad}/_refresh")
        st, r = c.request("POST", f"/{bad}/_count", {"query": {"match_all": {}}})
        check("intact segment and translog tail kept (120 docs)", r.get("count") == 120, r)
        st, r = c.request("GET", f"/{bad}/_doc/410")
        check("translog tail document readable", st == 200 and r.get("_source", {}).get("n") == 410, r)
        st, r = bulk(c, bad, [2000], refresh=True)
        check("index writable after repair", st == 200 and not r.get("errors"), r)
        c.close()
    finally:
        srv.stop()
    ok = all(checks.values())
    return {"ok": ok, "checks": checks, "problems": notes, "lost": 300 if checks.get("repair reports the 300 documents of the dropped segment") else None}


def default_binary() -> str:
    raw = os.environ.get("SEARCHLIGHT_BIN") or ".build/debug/searchlight"
    p = Path(raw)
    if not p.is_absolute():
        p = Path(__file__).resolve().parents[1] / p
    return str(p)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--short", action="store_true", help="CI mode: 5 cycles")
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--ids-per-writer", type=int, default=400)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--min-kill", type=float, default=0.2)
    ap.add_argument("--max-kill", type=float, default=2.0)
    ap.add_argument("--workdir", type=Path, default=None, help="kept afterwards (default: a temp dir, removed on success)")
    ap.add_argument("--json", type=Path, default=None, help="write the summary here")
    ap.add_argument("--corruption", action="store_true", help="run the corrupt-segment -> red -> repair scenario instead")
    args = ap.parse_args(argv)
    cycles = 5 if args.short else args.cycles
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    binary = default_binary()
    if not Path(binary).exists():
        print(f"searchlight binary not found at {binary} (set SEARCHLIGHT_BIN)", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="searchlight-crash-"))
    if args.corruption:
        result = corruption_scenario(binary, workdir, log=lambda s: print(s, flush=True))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        print(json.dumps(result))
        if result["ok"] and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        return 0 if result["ok"] else 1
    print(f"crash harness: {cycles} cycles, {args.writers} writers, seed {seed}, data in {workdir}", flush=True)
    summary = run(cycles, args.writers, args.ids_per_writer, seed, binary, workdir, args.min_kill, args.max_kill,
                  log=lambda s: print(s, flush=True))
    ok = summary["cycles_survived"] == summary["cycles"]
    summary["ok"] = ok
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "problems"}))
    for p in summary["problems"]:
        print("  problem:", p)
    if ok and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    elif not ok:
        print(f"data and server logs kept in {workdir}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
