"""Hostile input (issue #9): each case gets the exact OpenSearch status and error type, and the
node keeps serving. Deep nesting, oversized bodies, invalid UTF-8, huge numbers, duplicate keys,
NaN tokens, dates out of range, 100,000-field documents; plus a short run of the HTTP fuzzer and
of the load test (Scripts/reliability_fuzz.py, Scripts/reliability_load.py)."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import REPO_ROOT, assert_error_shape, server_binary

JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}
DEPTH = 10_000


@pytest.fixture
def idx(server, client, index_name):
    client.indices.create(index=index_name, body={"mappings": {"properties": {
        "n": {"type": "long"}, "i": {"type": "integer"}, "x": {"type": "double"}, "d": {"type": "date"},
        "k": {"type": "keyword"}}}})
    client.index(index=index_name, id="keep", body={"n": 42, "k": "a"}, refresh=True)
    return index_name


def still_serving(server, client, idx):
    assert server.alive(), "server process died:\n" + server.log_tail()
    assert client.get(index=idx, id="keep")["_source"] == {"n": 42, "k": "a"}
    assert client.count(index=idx)["count"] == 1, "a hostile request left a document behind"


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def caused_by(body: dict) -> str:
    return body["error"].get("caused_by", {}).get("type", "")


# -- deep nesting ----------------------------------------------------------------------------------

def deep_object(depth: int, leaf: str = "1") -> str:
    return '{"a":' * depth + leaf + "}" * depth


def deep_bool(depth: int) -> str:
    return '{"bool":{"must":' * depth + '{"match_all":{}}' + "}}" * depth


def test_deep_document_is_a_mapper_parsing_exception(server, client, idx):
    for doc in ['{"a":' + "[" * DEPTH + "1" + "]" * DEPTH + "}", deep_object(DEPTH)]:
        r = server.request("PUT", f"/{idx}/_doc/deep", data=doc, headers=JSON)
        assert r.status_code == 400, r.text[:300]
        assert_error_shape(r.json(), 400, "mapper_parsing_exception")
        assert caused_by(r.json()) == "json_parse_exception"
        assert "nesting depth" in r.json()["error"]["caused_by"]["reason"]
    # Objects deeper than index.mapping.depth.limit (20) but within the JSON limit.
    r = server.request("PUT", f"/{idx}/_doc/deep", data=deep_object(25), headers=JSON)
    assert r.status_code == 400, r.text[:300]
    assert_error_shape(r.json(), 400, "illegal_argument_exception")
    assert "Limit of mapping depth [20] has been exceeded" in r.json()["error"]["reason"]
    still_serving(server, client, idx)


@pytest.mark.parametrize("path,body", [
    ("/{idx}/_search", '{"query":' + deep_bool(DEPTH) + "}"),
    ("/{idx}/_count", '{"query":' + deep_bool(DEPTH) + "}"),
    ("/{idx}/_search", '{"size":0,"aggs":' + '{"a":{"filter":{"match_all":{}},"aggs":' * DEPTH + "{}" + "}}" * DEPTH + "}"),
    ("/{idx}/_export/csv", '{"query":' + deep_bool(DEPTH) + "}"),
    ("/{idx}/_update/keep", '{"doc":' + deep_object(DEPTH) + "}"),
    ("/{idx}-deepmap", '{"mappings":{"properties":' + '{"a":{"properties":' * DEPTH + "{}" + "}}" * DEPTH + "}}"),
])
def test_deep_request_bodies_are_parsing_exceptions(server, client, idx, path, body):
    method = "PUT" if path.endswith("-deepmap") else "POST"
    r = server.request(method, path.format(idx=idx), data=body, headers=JSON)
    assert r.status_code == 400, r.text[:300]
    assert_error_shape(r.json(), 400, "parsing_exception")
    assert "nesting depth exceeds the maximum allowed (1000)" in r.json()["error"]["reason"]
    assert not client.indices.exists(index=f"{idx}-deepmap")
    still_serving(server, client, idx)


def test_deep_ndjson_bodies(server, client, idx):
    r = server.request("POST", "/_msearch", data="{}\n" + '{"query":' + deep_bool(DEPTH) + "}\n", headers=NDJSON)
    assert r.status_code == 400, r.text[:300]
    assert_error_shape(r.json(), 400, "parsing_exception")
    # A deep document in _bulk fails alone, like any unparsable source.
    bulk = json.dumps({"index": {"_index": idx, "_id": "deep"}}) + "\n" + deep_object(DEPTH) + "\n" + \
        json.dumps({"index": {"_index": idx, "_id": "fine"}}) + "\n" + '{"n": 1}\n'
    r = server.request("POST", "/_bulk", data=bulk, headers=NDJSON)
    assert r.status_code == 200, r.text[:300]
    items = r.json()["items"]
    assert items[0]["index"]["status"] == 400 and items[0]["index"]["error"]["type"] == "mapper_parsing_exception"
    assert items[1]["index"]["status"] == 201
    client.delete(index=idx, id="fine", refresh=True)
    still_serving(server, client, idx)


def test_deep_scripts_and_sql(server, client, idx):
    r = server.request("POST", "/_scripts/painless/_execute",
                       data=json.dumps({"script": {"source": "(" * DEPTH + "1" + ")" * DEPTH}}), headers=JSON)
    assert r.status_code == 400, r.text[:300]
    assert_error_shape(r.json(), 400, "script_exception")
    r = server.request("POST", "/_scripts/painless/_execute",
                       data=json.dumps({"script": {"source": "if(true){" * 6000 + "}" * 6000}}), headers=JSON)  # < 64 KiB
    assert r.status_code == 400, r.text[:300]
    assert_error_shape(r.json(), 400, "script_exception")
    for where in ["(" * DEPTH + "n = 1" + ")" * DEPTH, "NOT " * DEPTH + "n = 1"]:
        r = server.request("POST", "/_plugins/_sql", data=json.dumps({"query": f"SELECT n FROM {idx} WHERE {where}"}), headers=JSON)
        assert r.status_code == 400, r.text[:300]
        body = r.json()  # the SQL plugin's own shape: {"error": {"reason", "details", "type"}, "status"}
        assert body["status"] == 400 and body["error"]["type"] == "SyntaxCheckException"
        assert "nested deeper than" in body["error"]["details"]
    still_serving(server, client, idx)


# -- oversized bodies ------------------------------------------------------------------------------

def stream_body(port: int, path: str, total: int, chunked: bool) -> tuple:
    """Sends up to `total` bytes of bulk lines; stops as soon as the server answers.
    Returns (bytes sent, raw response head+body)."""
    s = socket.create_connection(("127.0.0.1", port))
    head = f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-ndjson\r\n"
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n"
    s.sendall((head + "\r\n").encode())
    line = b'{"index":{"_index":"big"}}\n{"a":"' + b"x" * 1000 + b'"}\n'
    chunk = line * ((1 << 20) // len(line))
    sent = 0
    try:
        while sent < total:
            readable, _, _ = select.select([s], [], [], 0)
            if readable:
                break
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.settimeout(30)
    resp = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            resp += d
            head_end = resp.find(b"\r\n\r\n")
            if head_end >= 0:
                length = [int(h.split(b":")[1]) for h in resp[:head_end].split(b"\r\n") if h.lower().startswith(b"content-length:")]
                if length and len(resp) >= head_end + 4 + length[0]:
                    break
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return sent, resp


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_one_gigabyte_body_is_refused_early(server, client, idx, chunked):
    before = rss_bytes(server.pid)
    t0 = time.monotonic()
    sent, resp = stream_body(server.port, "/_bulk", 1 << 30, chunked)
    assert resp.startswith(b"HTTP/1.1 413"), resp[:300]
    body = json.loads(resp[resp.find(b"\r\n\r\n") + 4:])
    assert_error_shape(body, 413, "content_too_long_exception")
    # Refused at the 100 MiB default limit (or before a byte of the body when Content-Length
    # says 1 GB), not after reading the whole gigabyte.
    # (socket buffers take a few MiB before the client sees the answer; 64 MiB is still below the limit)
    assert sent <= (64 << 20 if not chunked else 140 << 20), f"{sent >> 20} MiB sent before the 413"
    assert time.monotonic() - t0 < 60
    assert rss_bytes(server.pid) - before < 400 << 20, "the server buffered far more than the limit"
    assert not client.indices.exists(index="big")
    still_serving(server, client, idx)


def test_many_large_bodies_at_once_trip_the_in_flight_breaker(tmp_path):
    """http.max_content_length bounds one body; the in-flight budget bounds all of them together."""
    from support import SearchlightServer
    srv = SearchlightServer(tmp_path / "data", tmp_path / "logs",
                            extra_args=["--max-content-length", str(20 << 20), "--max-in-flight-bytes", str(30 << 20)])
    srv.start()
    try:
        chunk = b"x" * (1 << 20)
        open_socks = []
        for _ in range(2):  # two uploads holding 14 MiB each, not finished
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(b"POST /_bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in range(14):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            open_socks.append(s)
        time.sleep(1.0)
        sent, resp = stream_body(srv.port, "/_bulk", 15 << 20, chunked=True)
        assert resp.startswith(b"HTTP/1.1 429"), resp[:300]
        body = json.loads(resp[resp.find(b"\r\n\r\n") + 4:])
        assert_error_shape(body, 429, "circuit_breaking_exception")
        assert "[in_flight_requests] Data too large" in body["error"]["reason"]
        for s in open_socks:
            s.close()
        time.sleep(1.0)
        # The budget is given back when those requests end: a body of the same size now passes.
        r = srv.request("POST", "/_bulk", data=b'{"index":{"_index":"fits"}}\n{"a":1' + b" " * (15 << 20) + b'}\n', headers=NDJSON)
        assert r.status_code == 200, r.text[:300]
        assert r.json()["errors"] is False
        assert srv.responsive()
    finally:
        srv.kill()


# -- invalid UTF-8, numbers, duplicates, NaN, dates --------------------------------------------------

@pytest.mark.parametrize("raw", [b'{"k": "\xff\xfe"}', b'{"\xc3\x28": 1}', b'{"k": "\xc0\x80"}', b'{"k": "\xed\xa0\x80"}',
                                 b'{"k": "\xf4\x90\x80\x80"}', b'{"k": "\\ud800"}', b'{"k": "a\\ud800\\u0041"}'],
                         ids=["ff-fe", "bad-key", "overlong-nul", "utf8-surrogate", "above-10ffff", "lone-escape", "lone-escape-mid"])
def test_invalid_utf8_document(server, client, idx, raw):
    r = server.request("PUT", f"/{idx}/_doc/u", data=raw, headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, "mapper_parsing_exception")
    assert caused_by(r.json()) == "json_parse_exception"
    still_serving(server, client, idx)


def test_invalid_utf8_in_search_bulk_and_sql(server, client, idx):
    r = server.request("POST", f"/{idx}/_search", data=b'{"query":{"term":{"k":"\xff"}}}', headers=JSON)
    assert r.status_code == 400
    assert_error_shape(r.json(), 400, "parsing_exception")
    r = server.request("POST", "/_bulk", data=b'{"index":{"_index":"' + idx.encode() + b'","_id":"\xff"}}\n{"k":"a"}\n', headers=NDJSON)
    assert r.status_code == 400
    assert_error_shape(r.json(), 400, "json_parse_exception")
    r = server.request("POST", "/_bulk", data=b'{"index":{"_index":"' + idx.encode() + b'","_id":"u"}}\n{"k":"\xfe"}\n', headers=NDJSON)
    assert r.status_code == 200
    item = r.json()["items"][0]["index"]
    assert item["status"] == 400 and item["error"]["type"] == "mapper_parsing_exception"
    r = server.request("POST", "/_plugins/_sql", data=b'{"query":"SELECT \xff FROM x"}', headers=JSON)
    assert r.status_code == 400 and r.json()["status"] == 400
    still_serving(server, client, idx)


@pytest.mark.parametrize("field,raw", [
    ("n", "99999999999999999999999"), ("n", "9223372036854775808"), ("n", "-9223372036854775809"), ("n", "1e400"),
    ("i", "3000000000"), ("i", "-2147483649"), ("x", "1e400"), ("x", "-1e400"), ("n", '"NaN"'), ("x", '"Infinity"'),
    ("n", '"12abc"'),
])
def test_numbers_out_of_range_are_mapper_parsing_exceptions(server, client, idx, field, raw):
    r = server.request("PUT", f"/{idx}/_doc/num", data='{"%s": %s}' % (field, raw), headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, "mapper_parsing_exception")
    assert f"failed to parse field [{field}]" in r.json()["error"]["reason"]
    still_serving(server, client, idx)


def test_huge_number_in_a_dynamic_field(server, client, idx):
    r = server.request("PUT", f"/{idx}/_doc/num", data='{"fresh": 1e400}', headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, "mapper_parsing_exception")
    assert "fresh" not in client.indices.get_mapping(index=idx)[idx]["mappings"]["properties"]
    still_serving(server, client, idx)


@pytest.mark.parametrize("token", ["NaN", "-NaN", "Infinity", "-Infinity", "+1", "01", ".5", "1.", "0x10", "1e", "--1"])
def test_non_json_number_tokens(server, client, idx, token):
    r = server.request("PUT", f"/{idx}/_doc/tok", data='{"x": %s}' % token, headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, "mapper_parsing_exception")
    assert caused_by(r.json()) == "json_parse_exception"
    r = server.request("POST", f"/{idx}/_search", data='{"query":{"range":{"x":{"gte": %s}}}}' % token, headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, "parsing_exception")
    still_serving(server, client, idx)


def test_duplicate_keys(server, client, idx):
    # OpenSearch enables Jackson's strict duplicate detection: json_parse_exception "Duplicate field".
    r = server.request("PUT", f"/{idx}/_doc/dup", data='{"n": 1, "n": 2}', headers=JSON)
    assert r.status_code == 400
    assert_error_shape(r.json(), 400, "mapper_parsing_exception")
    assert caused_by(r.json()) == "json_parse_exception"
    assert "Duplicate field 'n'" in r.json()["error"]["caused_by"]["reason"]
    r = server.request("POST", f"/{idx}/_search", data='{"query":{"match_all":{}},"query":{"match_all":{}}}', headers=JSON)
    assert r.status_code == 400
    assert_error_shape(r.json(), 400, "parsing_exception")
    assert "Duplicate field 'query'" in r.json()["error"]["reason"]
    # Beyond 16 keys the parser switches to a hash set: the duplicate must still be found.
    many = ", ".join(f'"f{i}": {i}' for i in range(40)) + ', "f3": 0'
    r = server.request("PUT", f"/{idx}/_doc/dup", data="{" + many + "}", headers=JSON)
    assert r.status_code == 400
    assert "Duplicate field 'f3'" in r.json()["error"]["caused_by"]["reason"]
    still_serving(server, client, idx)


@pytest.mark.parametrize("value", ['"292278994-08-17"', '"-292275055-05-16T16:47:04.192Z"', '"+292278994-01-01"',
                                   '"2026-02-30"', '"2026-13-01"', '"2026-11-20T25:00:00Z"', '"-0001-01-01"',
                                   "9223372036854775807", "-9223372036854775808", "1e30", '"now"', '""'])
def test_dates_out_of_range(server, client, idx, value):
    r = server.request("PUT", f"/{idx}/_doc/date", data='{"d": %s}' % value, headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, "mapper_parsing_exception")
    assert "failed to parse field [d] of type [date]" in r.json()["error"]["reason"]
    still_serving(server, client, idx)


# -- inputs the fuzzer found crashing or hanging the node ---------------------------------------------

AGG_FIELDS = {"n": {"type": "long"}, "d": {"type": "date"}, "k": {"type": "keyword"}}
FOUND = [
    # (path, body, status, error type)
    ("_search", {"sort": [""]}, 400, "query_shard_exception"),
    ("_search", {"sort": ":"}, 400, "query_shard_exception"),
    ("_search", {"size": 0, "aggs": {"c": {"composite": {"sources": [{"u": {"terms": {"field": "k"}}}, {"d": {"date_histogram": {"field": "d", "fixed_interval": "1h"}}}],
                                                         "after": {"u": "a", "d": 1e30}}}}}, 200, None),
    ("_search", {"size": 0, "aggs": {"c": {"composite": {"sources": [{"h": {"histogram": {"field": "n", "interval": 5}}}], "after": {"h": -1e300}}}}}, 200, None),
    ("_search", {"size": 0, "aggs": {"h": {"histogram": {"field": "n", "interval": 1, "min_doc_count": 0,
                                                         "extended_bounds": {"min": -1e300, "max": 1e300}}}}}, 400, "too_many_buckets_exception"),
    ("_search", {"size": 0, "aggs": {"h": {"date_histogram": {"field": "d", "fixed_interval": "1ms", "min_doc_count": 0,
                                                              "extended_bounds": {"min": -9e18, "max": 9e18}, "hard_bounds": {"min": 0, "max": 10}}}}}, 200, None),
    ("_search", {"size": 0, "aggs": {"t": {"terms": {"field": "k"}, "aggs": {"s": {"top_hits": {"from": 2 ** 62, "size": 2 ** 62}}}}}}, 400, "illegal_argument_exception"),
    ("_search", {"from": 2 ** 62, "size": 2 ** 62}, 400, "parsing_exception"),
    ("_export/csv", {"sort": ["_all"]}, 400, "query_shard_exception"),
    ("_search", {"query": {"query_string": {"query": "(" * 5000 + "a" + ")" * 5000}}}, 400, "query_shard_exception"),
    ("_search", {"query": {"simple_query_string": {"query": "(" * 5000 + "a" + ")" * 5000}}}, 200, None),
]


@pytest.mark.parametrize("path,body,status,etype", FOUND, ids=[f"{i}" for i in range(len(FOUND))])
def test_fuzzer_findings(server, client, idx, path, body, status, etype):
    client.index(index=idx, id="agg", body={"n": 3, "d": "2026-11-20T10:00:00Z", "k": "a"}, refresh=True)
    try:
        r = server.request("POST", f"/{idx}/{path}", data=json.dumps(body), headers=JSON, timeout=60)
        assert r.status_code == status, r.text[:400]
        if etype:
            assert_error_shape(r.json(), status, etype)
    finally:
        client.delete(index=idx, id="agg", refresh=True)
    still_serving(server, client, idx)


def test_regexp_over_a_long_term_is_linear(server, client, idx):
    """The regexp matcher was quadratic in the term length: `a.+` over a 70,000-char keyword hung."""
    client.index(index=idx, id="long", body={"k": "a" * 70_000}, refresh=True)
    try:
        for path in ["_search", "_export/csv"]:
            t0 = time.monotonic()
            r = server.request("POST", f"/{idx}/{path}", data=json.dumps({"query": {"regexp": {"k": "a.+"}}}), headers=JSON, timeout=60)
            assert r.status_code == 200, r.text[:300]
            assert time.monotonic() - t0 < 10, f"{path} took {time.monotonic() - t0:.1f}s"
    finally:
        client.delete(index=idx, id="long", refresh=True)
    still_serving(server, client, idx)


def test_long_just_below_the_range_is_refused(server, client, idx):
    for raw in ["-9223372036854775809", "-9223372036854775808.5", "-9.3e18"]:
        r = server.request("PUT", f"/{idx}/_doc/min", data='{"n": %s}' % raw, headers=JSON)
        assert r.status_code == 400, (raw, r.text)
        assert_error_shape(r.json(), 400, "mapper_parsing_exception")
    r = server.request("PUT", f"/{idx}/_doc/min", data='{"n": -9223372036854775808}', headers=JSON)
    assert r.status_code == 201, r.text
    client.delete(index=idx, id="min", refresh=True)
    still_serving(server, client, idx)


@pytest.mark.parametrize("source", [
    "String s = 'x'; for (int i = 0; i < 40; i++) { s = s + s } s.length()",
    "String s = 'x'; for (int i = 0; i < 40; i++) { s += s } s.length()",
    "def l = []; l.add(l); l.add(l); l.toString().length()",
    "def m = [:]; m.a = m; m.b = m; '' + m",
])
def test_painless_cannot_build_unbounded_strings(server, client, idx, source):
    r = server.request("POST", "/_scripts/painless/_execute", data=json.dumps({"script": {"source": source}}), headers=JSON, timeout=60)
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 400:
        assert_error_shape(r.json(), 400, "script_exception")
    else:
        assert int(r.json()["result"]) <= 4 * 1024 * 1024 + 65536  # closing brackets of up to 512 levels
    assert rss_bytes(server.pid) < 2 << 30
    still_serving(server, client, idx)


# -- field explosion -------------------------------------------------------------------------------

@pytest.mark.parametrize("fields", [1001, 100_000])
def test_field_limit(server, client, index_name, fields):
    doc = "{" + ",".join(f'"f{i}":{i}' for i in range(fields)) + "}"
    r = server.request("PUT", f"/{index_name}/_doc/1", data=doc, headers=JSON)
    assert r.status_code == 400, r.text[:300]
    assert_error_shape(r.json(), 400, "illegal_argument_exception")
    assert r.json()["error"]["reason"] == "Limit of total fields [1000] has been exceeded"
    # Nothing of the document stayed: neither it nor any of its fields.
    if client.indices.exists(index=index_name):
        props = client.indices.get_mapping(index=index_name)[index_name]["mappings"].get("properties", {})
        assert len(props) == 0
        client.indices.refresh(index=index_name)
        assert client.count(index=index_name)["count"] == 0
    # Under the limit is fine.
    ok = "{" + ",".join(f'"g{i}":{i}' for i in range(990)) + "}"
    r = server.request("PUT", f"/{index_name}/_doc/2", data=ok, headers=JSON)
    assert r.status_code == 201, r.text[:300]


# -- the fuzzer and the load test, short ------------------------------------------------------------

def run_script(script: str, args: list, timeout: int) -> dict:
    out = subprocess.run([sys.executable, str(REPO_ROOT / "Scripts" / script), "--bin", str(server_binary())] + args,
                         capture_output=True, text=True, timeout=timeout)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{script} printed no summary (exit {out.returncode}):\n{out.stderr[-3000:]}"
    return json.loads(lines[-1]) | {"_stderr": out.stderr[-3000:], "_rc": out.returncode}


def test_fuzzer_short_run(tmp_path):
    s = run_script("reliability_fuzz.py", ["--seconds", "15", "--out", str(tmp_path)], timeout=300)
    assert s["executions"] >= 100, s
    assert s["crashes"] == 0 and s["failures"] == 0, s["_stderr"]
    assert s["_rc"] == 0


def test_load_short_run(tmp_path):
    s = run_script("reliability_load.py", ["--seconds", "8", "--skip-ingest", "--out", str(tmp_path)], timeout=300)
    load = s["load"]
    assert load["requests"] > 0 and load["ok_per_s"] > 0, load
    assert load["errors_5xx"] == 0, load["sample_5xx"]
    assert not load["connection_errors"], load
    assert load["rss_peak_mb"] < 1500, load
    assert s["pass"], s
