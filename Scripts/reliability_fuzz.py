#!/usr/bin/env python3
"""HTTP-level mutation fuzzer for Searchlight (issue #9, hostile input).

Starts `searchlight serve` on a scratch data directory (or uses --url), then sends mutated
request bodies to every endpoint family that parses client input: documents, `_bulk` (NDJSON),
`_search` (query DSL + aggregations), `_msearch`, `_count`, `_update` with Painless scripts,
`_scripts/painless/_execute`, `_plugins/_sql`, `_export/csv` and index creation with mappings.

Every answer must be 2xx, or 4xx with an OpenSearch error body (`error.type`, `error.reason`,
`status` equal to the HTTP status) — never 5xx, never a dropped connection, never slower than
--hang-seconds. `GET /` is checked every 200 executions; a dead process counts as a crash (the
server is restarted so the run can go on, and the input that killed it is saved).

Mutations (seeded, reproducible with --seed): byte flips, interesting bytes (invalid UTF-8,
quotes, brackets), truncation, range deletion/duplication, splicing two seeds, deep nesting,
and structure-aware changes (a random JSON value replaced by a hostile one: huge/negative/
fractional numbers, NaN tokens, long strings, wrong types, deep arrays, unpaired surrogates);
Painless and SQL sources get token-level mutations of their own.

Prints one JSON summary line at the end (`--json` also writes it to a file):
{"executions", "crashes", "failures", "by_family", "max_ms", "seconds"}. Exit code 1 if any
crash or failure was found. Failing inputs go to --out (default test-out/fuzz).
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
from typing import Any, Callable, Optional

REPO = Path(__file__).resolve().parents[1]
INDEX = "fuzz"

MAPPING = {
    "settings": {"index": {"refresh_interval": "1s"}},
    "mappings": {"properties": {
        "user": {"type": "keyword"}, "msg": {"type": "text"}, "n": {"type": "long"},
        "i": {"type": "integer"}, "x": {"type": "double"}, "ts": {"type": "date"},
        "ip": {"type": "ip"}, "ok": {"type": "boolean"},
        "obj": {"properties": {"k": {"type": "keyword"}, "v": {"type": "long"}}},
    }},
}

DOCS = [
    {"user": "ann", "msg": "hello world", "n": 1, "i": 7, "x": 1.5, "ts": "2026-11-20T10:11:12.123Z",
     "ip": "10.0.0.1", "ok": True, "obj": {"k": "a", "v": 3}},
    {"user": "bob", "msg": "the quick brown fox", "n": -5, "i": 0, "x": -0.25, "ts": "2026-11-21",
     "ip": "::1", "ok": False, "obj": {"k": "b", "v": 9}},
    {"user": ["ann", "cy"], "msg": "", "n": 9007199254740993, "ts": 1763640000000},
]

QUERIES = [
    {"query": {"match_all": {}}},
    {"query": {"term": {"user": "ann"}}, "sort": [{"n": "desc"}], "size": 5},
    {"query": {"bool": {"must": [{"match": {"msg": "quick fox"}}], "filter": [{"range": {"ts": {"gte": "now-7d/d", "lt": "2026-11-22||+1d"}}}],
                        "should": [{"terms": {"user": ["ann", "bob"]}}], "must_not": [{"exists": {"field": "zz"}}], "minimum_should_match": 1}}},
    {"query": {"query_string": {"query": "msg:(quick OR hello) AND n:[0 TO 10] -user:zed"}}},
    {"query": {"simple_query_string": {"query": "\"brown fox\" | hel*", "fields": ["msg^2"]}}},
    {"query": {"wildcard": {"user": "a*n"}}, "_source": ["user", "n"], "from": 1},
    {"query": {"regexp": {"user": "a.+"}}, "track_total_hits": True},
    {"query": {"range": {"ip": {"gte": "10.0.0.0", "lte": "10.255.255.255"}}}},
    {"query": {"multi_match": {"query": "fox", "fields": ["msg", "user"], "type": "best_fields"}}},
    {"query": {"dis_max": {"queries": [{"prefix": {"user": "a"}}, {"ids": {"values": ["1"]}}]}},
     "search_after": [1], "sort": [{"n": "asc"}]},
    {"size": 0, "aggs": {"u": {"terms": {"field": "user", "size": 3, "order": {"avg_n": "desc"}},
                               "aggs": {"avg_n": {"avg": {"field": "n"}}}}}},
    {"size": 0, "aggs": {"h": {"date_histogram": {"field": "ts", "calendar_interval": "day", "time_zone": "Europe/Paris",
                                                  "extended_bounds": {"min": "2026-11-01", "max": "2026-11-30"}},
                               "aggs": {"c": {"cardinality": {"field": "user"}},
                                        "cs": {"cumulative_sum": {"buckets_path": "c"}},
                                        "d": {"derivative": {"buckets_path": "_count"}}}}}},
    {"size": 0, "aggs": {"p": {"percentiles": {"field": "x", "percents": [50, 99]}},
                         "r": {"range": {"field": "n", "ranges": [{"to": 0}, {"from": 0, "to": 10}, {"from": 10}]}},
                         "hist": {"histogram": {"field": "n", "interval": 5, "min_doc_count": 0}},
                         "st": {"extended_stats": {"field": "x"}}}},
    {"size": 0, "aggs": {"c": {"composite": {"size": 2, "sources": [{"u": {"terms": {"field": "user"}}},
                                                                    {"d": {"date_histogram": {"field": "ts", "fixed_interval": "1h"}}}],
                                            "after": {"u": "ann", "d": 0}}}}},
    {"size": 0, "aggs": {"f": {"filters": {"filters": {"a": {"term": {"user": "ann"}}}, "other_bucket": True},
                               "aggs": {"top": {"top_hits": {"size": 1, "sort": [{"ts": "desc"}]}},
                                        "sel": {"bucket_selector": {"buckets_path": {"c": "_count"}, "script": "params.c > 0"}}}},
                         "ipr": {"ip_range": {"field": "ip", "ranges": [{"mask": "10.0.0.0/8"}]}},
                         "bs": {"max_bucket": {"buckets_path": "f>_count"}}}},
    {"size": 0, "aggs": {"t": {"terms": {"field": "user"},
                               "aggs": {"s": {"sum": {"field": "n"}},
                                        "sc": {"bucket_script": {"buckets_path": {"s": "s"}, "script": "params.s * 2"}},
                                        "sort": {"bucket_sort": {"sort": [{"s": "desc"}], "size": 2}}}}}},
]

SCRIPTS = [
    "ctx._source.n += params.d",
    "if (ctx._source.user == null) { ctx.op = 'none' } else { ctx._source.tags = new ArrayList(); ctx._source.tags.add('x') }",
    "def m = [:]; for (int k = 0; k < 10; k++) { m['k' + k] = k * 2L } ctx._source.m = m",
    "List l = [1, 2, 3]; l.removeIf(x -> x % 2 == 0); ctx._source.l = l; return l.size()",
    "String s = 'abc'; s.substring(1, 2).toUpperCase() + Math.max(1, 2) + (5 >>> 1) + (int) 3.7",
    "def x = params.get('d') ?: 0; while (x < 5) { x++ } x",
    "ctx._source.remove('zz'); ctx._source.put('when', ctx._now)",
    "Map m = new HashMap(); m.put('a', 1); m.forEach((k, v) -> { ctx._source[k] = v });",
    "params.d / 0",
    "throw new IllegalArgumentException('no')",
]

SQLS = [
    "SELECT * FROM fuzz",
    "SELECT user, COUNT(*) AS c, AVG(n) FROM fuzz WHERE n > 0 AND user IN ('ann', 'bob') GROUP BY user HAVING c > 0 ORDER BY c DESC LIMIT 5",
    "SELECT n, x FROM fuzz WHERE msg LIKE '%fox%' OR (ts BETWEEN '2026-11-01' AND '2026-12-01' AND NOT ok) ORDER BY n DESC NULLS LAST LIMIT 2, 3",
    "SELECT `obj.k`, COUNT(DISTINCT user) FROM fuzz f WHERE f.n IS NOT NULL GROUP BY 1",
    "SELECT MIN(ts), MAX(x), SUM(i) FROM `fuz*` WHERE ip = '10.0.0.1'",
]

HOSTILE_VALUES: list = [
    0, -1, 1.5, -0.0, 2 ** 63, -(2 ** 63) - 1, 2 ** 64, 10 ** 30, 1e308, 5e-324, "", " ", "null",
    "a" * 5000, "\u0000", "\u202e", "😀" * 3, "*", "?", "\\", "\"", "[", "{", "now-1000000y", "now+1d/d",
    "292278994-08-17", "-292275055-05-16", "0000-00-00", "2026-13-45T25:61:61Z", "1e400", "NaN",
    "10.0.0.0/33", "::ffff:1.2.3.4", "999.999.1.1", True, False, None, [], {}, [[[[]]]], {"a": {"b": {}}},
    [1, "a", None, {}], {"": ""}, -2147483649, 2147483648, "_id", "_source", "_all", "..", "a..b", ".x",
]

# Raw literal text spliced into bodies: tokens JSON forbids and numbers JSON cannot hold.
RAW_TOKENS = [b"NaN", b"-Infinity", b"Infinity", b"1e400", b"-1e400", b"99999999999999999999999999",
              b"0.0000000000000000000000000000000001e-400", b"-0", b"01", b"1.", b".5", b"+1", b"0x10",
              b"\"\\ud800\"", b"\"\\udc00\\ud800\"", b"\"\\u00\"", b"\"\\x41\"", b"\xff", b"\xc0\x80", b"\xed\xa0\x80",
              b"\xf4\x90\x80\x80", b"\x00", b"\"", b"{", b"}", b"[", b"]", b",", b":", b"//", b"/*", b"'a'", b"tru",
              b"\"a\":1,\"a\":2", b"\n", b"\r\n", b"\t", b"\xef\xbb\xbf"]

PAINLESS_TOKENS = ["(", ")", "{", "}", "[", "]", ";", "def", "int", "long", "String", "List", "Map", "new", "ArrayList()",
                   "for", "while", "do", "if", "else", "return", "break", "continue", "x", "ctx", "params", "_source",
                   ".", "?.", "?:", "->", "+", "-", "*", "/", "%", "<<", ">>>", "==", "===", "!", "~", "=", "+=",
                   "++", "--", "1", "0", "-1", "2147483647", "9223372036854775807", "9223372036854775808", "1e309",
                   "0x", "1L", "1.5f", "'", "\"", "'\\u'", "null", "true", "instanceof", "Math.pow(10,400)",
                   "Integer.parseInt('x')", "Debug.explain(1)", "(int)", "throw", "\\", "@", "#", "\u00e9", "\ud83d\ude00"]

SQL_TOKENS = ["SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "OFFSET", "AND", "OR", "NOT",
              "(", ")", ",", "*", "'", "\"", "`", "=", "<>", "!=", "<=", "IN", "LIKE", "BETWEEN", "IS NULL",
              "COUNT(", "AVG(", "DISTINCT", "AS", "fuzz", "n", "user", "ts", "1", "-1", "9223372036854775808",
              "1e400", "''", "'%'", "'\\'", ";", "--", "/*", "JOIN", "UNION", "NULLS FIRST", "ASC", "\u0000",
              "2147483648", "LIMIT 99999999999", "\u00e9"]


# -- mutation ----------------------------------------------------------------------------------

class Mutator:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def bytes_mutation(self, data: bytes, others: list) -> bytes:
        r = self.rng
        b = bytearray(data)
        for _ in range(r.choice([1, 1, 1, 2, 3, 8])):
            op = r.randrange(9)
            if not b:
                b = bytearray(r.choice(RAW_TOKENS))
                continue
            p = r.randrange(len(b) + 1)
            if op == 0 and p < len(b):            # bit flip
                b[p] ^= 1 << r.randrange(8)
            elif op == 1 and p < len(b):          # interesting byte
                b[p] = r.choice([0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x80, 0xBF, 0xC0, 0xFE, 0xFF, 0x0A])
            elif op == 2:                         # truncate
                b = b[:p]
            elif op == 3:                         # delete a range
                q = min(len(b), p + r.randrange(1, 32))
                del b[p:q]
            elif op == 4:                         # duplicate a range
                q = min(len(b), p + r.randrange(1, 64))
                b[p:p] = b[p:q] * r.choice([1, 2, 10])
            elif op == 5:                         # insert a raw token
                b[p:p] = r.choice(RAW_TOKENS)
            elif op == 6 and others:              # splice with another seed
                o = r.choice(others)
                q = r.randrange(len(o) + 1)
                b = b[:p] + o[q:]
            elif op == 7:                         # deep nesting at p
                d = r.choice([50, 999, 1001, 5000, 20000])
                opener, closer = r.choice([(b"[", b"]"), (b'{"a":', b"}")])
                b[p:p] = opener * d + b"1" + closer * (d if r.random() < 0.7 else r.randrange(d))
            else:                                 # random bytes
                b[p:p] = bytes(r.randrange(256) for _ in range(r.randrange(1, 8)))
        return bytes(b)

    def hostile_value(self) -> Any:
        r = self.rng
        k = r.randrange(10)
        if k == 0:
            d = r.choice([10, 500, 990])  # deeper nesting comes from bytes_mutation
            v: Any = 1
            for _ in range(d):
                v = [v] if r.random() < 0.5 else {"a": v}
            return v
        if k == 1:
            return {f"f{i}": i for i in range(r.choice([10, 1001, 3000]))}
        if k == 2:
            return r.choice(["x" * r.choice([10_000, 40_000, 70_000]), list(range(r.choice([100, 20_000])))])
        return r.choice(HOSTILE_VALUES)

    def json_mutation(self, value: Any) -> Any:
        """Replace, drop or add one random node of a JSON tree."""
        r = self.rng
        value = json.loads(json.dumps(value))
        paths: list = []

        def walk(v: Any, path: tuple) -> None:
            paths.append(path)
            if len(paths) > 400:
                return
            if isinstance(v, dict):
                for k, c in v.items():
                    walk(c, path + (k,))
            elif isinstance(v, list):
                for i, c in enumerate(v):
                    walk(c, path + (i,))
        walk(value, ())
        for _ in range(r.choice([1, 1, 2, 4])):
            path = r.choice(paths)
            if not path:
                if r.random() < 0.3:
                    return self.hostile_value()
                continue
            parent = value
            try:
                for k in path[:-1]:
                    parent = parent[k]
                last = path[-1]
                op = r.randrange(5)
                if op == 0 and isinstance(parent, dict):
                    del parent[last]
                elif op == 1 and isinstance(parent, dict):
                    parent[r.choice(["size", "from", "field", "script", "query", "aggs", "format", "interval",
                                     "_source", "sort", "order", "zz", "", "\u00e9", "a.b"])] = self.hostile_value()
                elif op == 2 and isinstance(parent[last], str):
                    parent[last] = self.text_mutation(parent[last], None)
                else:
                    parent[last] = self.hostile_value()
            except (KeyError, IndexError, TypeError):
                pass
        return value

    def text_mutation(self, text: str, tokens: Optional[list]) -> str:
        r = self.rng
        s = text
        for _ in range(r.choice([1, 1, 2, 3, 6])):
            p = r.randrange(len(s) + 1)
            op = r.randrange(6)
            if op == 0 and tokens:
                s = s[:p] + " " + r.choice(tokens) + " " + s[p:]
            elif op == 1:
                s = s[:p] + s[p + r.randrange(1, 10):]
            elif op == 2:
                s = s[:p]
            elif op == 3:
                q = min(len(s), p + r.randrange(1, 40))
                s = s[:p] + s[p:q] * r.choice([2, 5, 300]) + s[q:]
            elif op == 4:
                d = r.choice([20, 65, 500, 3000])
                s = s[:p] + "(" * d + s[p:] + ")" * (d if r.random() < 0.7 else 0)
            else:
                s = s[:p] + chr(r.choice([0, 0x7f, 0xe9, 0x2028, 0xd7ff, 0xfffd, 0x1f600, r.randrange(32, 127)])) + s[p:]
        return s


# -- request families -------------------------------------------------------------------------

def dumps(v: Any) -> bytes:
    return json.dumps(v, allow_nan=True).encode("utf-8", "surrogatepass")


class Family:
    def __init__(self, name: str, gen: Callable[[Mutator, random.Random], tuple]):
        self.name = name
        self.gen = gen


def gen_doc(m: Mutator, r: random.Random) -> tuple:
    seeds = [dumps(d) for d in DOCS]
    doc = r.choice(DOCS)
    body = dumps(m.json_mutation(doc)) if r.random() < 0.6 else m.bytes_mutation(r.choice(seeds), seeds)
    method, path = r.choice([("PUT", f"/{INDEX}/_doc/{r.randrange(50)}"), ("POST", f"/{INDEX}/_doc"),
                             ("PUT", f"/{INDEX}/_create/c{r.randrange(1000)}"), ("POST", f"/{INDEX}/_doc/{r.randrange(50)}?refresh=true")])
    return method, path, "application/json", body


def bulk_seed(r: random.Random) -> bytes:
    lines = []
    for i in range(r.randrange(1, 6)):
        op = r.choice(["index", "create", "update", "delete"])
        meta = {op: {"_index": INDEX, "_id": str(r.randrange(50))}}
        lines.append(dumps(meta))
        if op == "update":
            lines.append(dumps(r.choice([{"doc": r.choice(DOCS)}, {"doc": {"n": 2}, "doc_as_upsert": True},
                                         {"script": {"source": r.choice(SCRIPTS), "params": {"d": 1}}, "upsert": {"n": 0}}])))
        elif op != "delete":
            lines.append(dumps(r.choice(DOCS)))
    return b"\n".join(lines) + b"\n"


def gen_bulk(m: Mutator, r: random.Random) -> tuple:
    seed = bulk_seed(r)
    if r.random() < 0.5:
        lines = seed.split(b"\n")
        i = r.randrange(len(lines))
        try:
            lines[i] = dumps(m.json_mutation(json.loads(lines[i]))) if lines[i] else m.bytes_mutation(lines[i], [])
        except ValueError:
            pass
        body = b"\n".join(lines)
    else:
        body = m.bytes_mutation(seed, [bulk_seed(r)])
    path = r.choice(["/_bulk", f"/{INDEX}/_bulk", "/_bulk?refresh=wait_for", "/_bulk?pipeline=x", "/_bulk?routing=a"])
    return "POST", path, "application/x-ndjson", body


def gen_search(m: Mutator, r: random.Random) -> tuple:
    q = r.choice(QUERIES)
    body = dumps(m.json_mutation(q)) if r.random() < 0.65 else m.bytes_mutation(dumps(q), [dumps(x) for x in QUERIES])
    path = r.choice([f"/{INDEX}/_search", f"/{INDEX}/_search?typed_keys=true&pretty", "/_search?allow_no_indices=true",
                     f"/{INDEX},nope*/_search?ignore_unavailable=true", f"/{INDEX}/_count"])
    if path.endswith("_count"):
        body = dumps(m.json_mutation({"query": q.get("query", {"match_all": {}})}))
    return "POST", path, "application/json", body


def gen_msearch(m: Mutator, r: random.Random) -> tuple:
    lines = []
    for _ in range(r.randrange(1, 4)):
        lines.append(dumps(r.choice([{}, {"index": INDEX}, {"index": "nope"}])))
        lines.append(dumps(m.json_mutation(r.choice(QUERIES)) if r.random() < 0.5 else r.choice(QUERIES)))
    body = b"\n".join(lines) + b"\n"
    if r.random() < 0.5:
        body = m.bytes_mutation(body, [])
    return "POST", "/_msearch", "application/x-ndjson", body


def gen_update(m: Mutator, r: random.Random) -> tuple:
    src = r.choice(SCRIPTS)
    if r.random() < 0.7:
        src = m.text_mutation(src, PAINLESS_TOKENS)
    body: Any = {"script": {"source": src, "lang": "painless", "params": {"d": r.choice([1, 2.5, "x", None, 10 ** 20])}},
                 "upsert": r.choice(DOCS)}
    if r.random() < 0.3:
        body = m.json_mutation(body)
    if r.random() < 0.2:
        body = {"doc": m.json_mutation(r.choice(DOCS)), "doc_as_upsert": r.choice([True, False])}
    return "POST", f"/{INDEX}/_update/{r.randrange(50)}?retry_on_conflict=1", "application/json", dumps(body)


def gen_execute(m: Mutator, r: random.Random) -> tuple:
    src = m.text_mutation(r.choice(SCRIPTS[4:6] + ["params.a + 1", "def l = []; for (x in params.l) { l.add(x) } l"]), PAINLESS_TOKENS)
    body = {"script": {"source": src, "params": {"a": r.choice(HOSTILE_VALUES), "l": [1, 2, 3], "d": 3}}}
    return "POST", "/_scripts/painless/_execute", "application/json", dumps(body)


def gen_sql(m: Mutator, r: random.Random) -> tuple:
    q = m.text_mutation(r.choice(SQLS), SQL_TOKENS)
    body: Any = {"query": q}
    if r.random() < 0.2:
        body["filter"] = m.json_mutation({"term": {"user": "ann"}})
    if r.random() < 0.15:
        body = m.json_mutation(body)
    fmt = r.choice(["", "?format=csv", "?format=raw", "?format=json", "?format=jdbc", "?format=xml"])
    path = r.choice(["/_plugins/_sql", "/_plugins/_sql/_explain", "/_opendistro/_sql"]) + fmt
    return "POST", path, "application/json", dumps(body)


def gen_csv(m: Mutator, r: random.Random) -> tuple:
    q = r.choice(QUERIES[:10] + [{"query": {"match_all": {}}, "fields": ["user", "n", "obj.k"], "sort": ["n"]},
                                 {"size": 0, "aggs": {"u": {"terms": {"field": "user"}, "aggs": {"m": {"max": {"field": "n"}}}}}}])
    body = dumps(m.json_mutation(q)) if r.random() < 0.7 else m.bytes_mutation(dumps(q), [])
    params = r.choice(["", "?separator=|", "?delimiter=%09", "?delimiter=", "?separator=%22", "?size=-1"])
    return "POST", f"/{INDEX}/_export/csv{params}", "application/json", body


def gen_create(m: Mutator, r: random.Random) -> tuple:
    body: Any = m.json_mutation(MAPPING)
    raw = dumps(body) if r.random() < 0.7 else m.bytes_mutation(dumps(MAPPING), [])
    return "PUT", "/fuzz-create", "application/json", raw


FAMILIES = [Family("doc", gen_doc), Family("bulk", gen_bulk), Family("search", gen_search),
            Family("msearch", gen_msearch), Family("update_script", gen_update), Family("painless_execute", gen_execute),
            Family("sql", gen_sql), Family("export_csv", gen_csv), Family("create_index", gen_create)]


# -- server and transport ----------------------------------------------------------------------

class Server:
    def __init__(self, binary: Path, data: Path, log_dir: Path, extra: list):
        self.binary, self.data, self.log_dir, self.extra = binary, data, log_dir, extra
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0
        self.starts = 0

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.starts += 1
        log = open(self.log_dir / f"fuzz-server-{self.starts}.log", "wb")
        self.proc = subprocess.Popen([str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--data", str(self.data)] + self.extra,
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} at startup")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def alive(self) -> bool:
        return self.proc is None or self.proc.poll() is None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def request(host: str, port: int, method: str, path: str, body: bytes, ctype: str, timeout: float) -> tuple:
    """One request on a fresh connection: (status, body bytes, headers dict)."""
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers={"Content-Type": ctype})
        resp = c.getresponse()
        data = resp.read()
        return resp.status, data, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        c.close()


# Errors OpenSearch 2.x itself answers with 500 (its AggregationExecutionException has no 4xx
# status; Elasticsearch 8 later made the invalid-order-path case a 400): Searchlight keeps
# OpenSearch's status, so these are counted apart (`opensearch_500s`), not as failures.
OPENSEARCH_500_TYPES = {"aggregation_execution_exception"}


def check_response(status: int, data: bytes, headers: dict) -> Optional[str]:
    """None when the answer is acceptable, else what is wrong with it."""
    if status >= 500:
        try:
            etype = json.loads(data)["error"]["type"]
        except (ValueError, KeyError, TypeError):
            etype = None
        if status == 500 and etype in OPENSEARCH_500_TYPES:
            return None
        return f"HTTP {status}" + (f" {etype}" if etype else "")
    if status < 400:
        return None
    if status == 401:
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return f"HTTP {status} with a non-JSON body"
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return f"HTTP {status} without an error object"
    err = body["error"]
    if not isinstance(err.get("type"), str) or not isinstance(err.get("reason"), str):
        return f"HTTP {status}: error without type/reason"
    if body.get("status") != status:
        return f"HTTP {status}: body status {body.get('status')!r}"
    return None


# -- driver ------------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    server: Optional[Server] = None
    tmp: Optional[str] = None
    if args.url:
        host, port = args.url.replace("http://", "").rstrip("/").split(":")
        port = int(port)
    else:
        tmp = tempfile.mkdtemp(prefix="searchlight-fuzz-")
        server = Server(Path(args.bin), Path(tmp) / "data", out_dir, ["--max-concurrent-per-client", "0"])
        server.start()
        host, port = "127.0.0.1", server.port

    def setup() -> None:
        request(host, port, "DELETE", f"/{INDEX}", b"", "application/json", 30)
        request(host, port, "PUT", f"/{INDEX}", dumps(MAPPING), "application/json", 30)
        for i, d in enumerate(DOCS):
            request(host, port, "PUT", f"/{INDEX}/_doc/{i}", dumps(d), "application/json", 30)
        request(host, port, "POST", f"/{INDEX}/_refresh", b"", "application/json", 30)

    setup()
    families = [f for f in FAMILIES if not args.families or f.name in args.families.split(",")]
    stats = {f.name: {"executions": 0, "failures": 0, "status": {}} for f in families}
    failures: list = []
    crashes = 0
    executions = 0
    max_ms = 0.0
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + args.seconds
    stop = threading.Event()

    def save(kind: str, fam: str, method: str, path: str, body: bytes, detail: str) -> None:
        n = len(failures)
        name = out_dir / f"{kind}-{fam}-{n}.bin"
        name.write_bytes(body)
        failures.append({"kind": kind, "family": fam, "method": method, "path": path, "detail": detail[:300],
                         "input": str(name)})
        print(f"[{kind}] {fam} {method} {path}: {detail[:200]} (input saved to {name})", file=sys.stderr)

    def settle() -> bool:
        """After a dropped or unanswered request: True once GET / answers again, False if the
        process died (a crashing Swift process can spend half a minute printing its backtrace)."""
        until = time.monotonic() + 90
        while time.monotonic() < until:
            if server is not None and not server.alive():
                return False
            try:
                if request(host, port, "GET", "/", b"", "application/json", 5)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.5)
        if server is not None:
            server.stop()
        return False

    def worker(wid: int) -> None:
        nonlocal executions, max_ms, crashes, host, port
        wr = random.Random(rng.random() + wid)
        m = Mutator(wr)
        while not stop.is_set() and time.monotonic() < deadline and (args.iterations == 0 or executions < args.iterations):
            fam = wr.choice(families)
            try:
                method, path, ctype, body = fam.gen(m, wr)
            except (RecursionError, ValueError, TypeError):
                continue  # the generator's own limits, not the server's
            t0 = time.monotonic()
            problem = None
            kind = "failure"
            try:
                status, data, headers = request(host, port, method, path, body, ctype, args.hang_seconds)
                problem = check_response(status, data, headers)
            except socket.timeout:
                status, problem, kind = -1, f"no answer within {args.hang_seconds}s", "hang"
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                status, problem = -1, f"connection error: {type(e).__name__}: {e}"
            ms = (time.monotonic() - t0) * 1000
            with lock:
                executions += 1
                st = stats[fam.name]
                st["executions"] += 1
                st["status"][str(status)] = st["status"].get(str(status), 0) + 1
                max_ms = max(max_ms, ms)
                if problem:
                    st["failures"] += 1
                    dead = server is not None and status == -1 and not settle()
                    save("crash" if dead else kind, fam.name, method, path, body, problem)
                    if dead:
                        crashes += 1
                        server.start()
                        host, port = "127.0.0.1", server.port
                        setup()
                if executions % 200 == 0:
                    try:
                        s, _, _ = request(host, port, "GET", "/", b"", "application/json", 10)
                        if s != 200:
                            save("failure", "liveness", "GET", "/", b"", f"GET / answered {s}")
                    except OSError as e:
                        crashes += 1
                        save("crash", "liveness", "GET", "/", b"", f"GET / failed: {e}")
                        if server is not None:
                            server.stop()
                            server.start()
                            host, port = "127.0.0.1", server.port
                            setup()
                if executions % 1000 == 0:
                    setup()  # dynamic mapping from fuzzed docs fills the field limit: start afresh
                    print(f"  {executions} executions, {len(failures)} failures, {time.monotonic() - start:.0f}s",
                          file=sys.stderr)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.workers)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        stop.set()
    alive = True
    try:
        alive = request(host, port, "GET", "/", b"", "application/json", 10)[0] == 200
    except OSError:
        alive = False
    if not alive:
        crashes += 1
    if server:
        server.stop()
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"executions": executions, "crashes": crashes,
            "failures": sum(1 for f in failures if f["kind"] != "crash"),
            "hangs": sum(1 for f in failures if f["kind"] == "hang"),
            "max_ms": round(max_ms, 1), "seconds": round(time.monotonic() - start, 1),
            "seed": args.seed, "by_family": stats, "failure_list": failures[:50]}


def main() -> int:
    sys.setrecursionlimit(20000)
    threading.stack_size(64 * 1024 * 1024)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("SEARCHLIGHT_BIN", str(REPO / ".build/debug/searchlight")))
    ap.add_argument("--url", help="fuzz a running server instead of starting one (crashes then cannot be restarted)")
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--iterations", type=int, default=0, help="stop after this many executions (0: time only)")
    ap.add_argument("--short", action="store_true", help="CI length: 20 s")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--hang-seconds", type=float, default=15.0)
    ap.add_argument("--families", help="comma list of families (default: all): " + ",".join(f.name for f in FAMILIES))
    ap.add_argument("--out", default=str(REPO / "test-out/fuzz"))
    ap.add_argument("--json", help="also write the summary JSON to this file")
    args = ap.parse_args()
    if args.short:
        args.seconds = min(args.seconds, 20.0)
    summary = run(args)
    line = json.dumps(summary)
    print(json.dumps({k: v for k, v in summary.items() if k != "failure_list"}))
    if args.json:
        Path(args.json).write_text(line)
    return 1 if summary["crashes"] or summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
