"""Operations: `GET /_prometheus/metrics` (Prometheus text exposition) and the search slow log."""

from __future__ import annotations

import re
import time


def parse_exposition(text):
    """{(name, frozenset(labels.items())): value} from Prometheus text format."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$', line)
        assert m, f"not an exposition line: {line!r}"
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
    return out


def metric(metrics, name, **labels):
    want = set(labels.items())
    return sum(v for (n, ls), v in metrics.items() if n == name and want <= set(ls))


def scrape(server):
    r = server.request("GET", "/_prometheus/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_exposition(r.text)


def test_counters_move_after_requests(server, client, index_name):
    before = scrape(server)
    client.indices.create(index=index_name)
    actions = []
    for i in range(25):
        actions += [{"index": {"_index": index_name, "_id": str(i)}}, {"n": i}]
    assert not client.bulk(body=actions, refresh=True)["errors"]
    for _ in range(3):
        client.search(index=index_name, body={"query": {"match_all": {}}})
    server.request("GET", f"/{index_name}/_doc/missing")
    after = scrape(server)

    search = dict(name="searchlight_http_requests_total", endpoint="/{index}/_search", status="200")
    assert metric(after, **search) - metric(before, **search) == 3
    missing = dict(name="searchlight_http_requests_total", endpoint="/{index}/_doc/{id}", status="404")
    assert metric(after, **missing) - metric(before, **missing) == 1
    assert metric(after, "searchlight_http_request_duration_seconds_count", endpoint="/_bulk") >= 1
    assert metric(after, "searchlight_docs_indexed_total", index=index_name) == 25
    assert metric(after, "searchlight_index_docs", index=index_name) == 25
    assert metric(after, "searchlight_index_segments", index=index_name) >= 1
    assert metric(after, "searchlight_index_store_size_bytes", index=index_name) > 0
    assert metric(after, "searchlight_translog_fsync_seconds_count") > metric(before, "searchlight_translog_fsync_seconds_count")
    assert ("searchlight_translog_operations", frozenset()) in after

    # A deleted index's gauges go away.
    client.indices.delete(index=index_name)
    gone = scrape(server)
    assert not any(n == "searchlight_index_docs" and ("index", index_name) in ls for (n, ls) in gone)


def test_merges_are_counted(server, client, index_name):
    client.indices.create(index=index_name, body={"settings": {"refresh_interval": "-1"}})
    for b in range(3):
        client.bulk(body=[{"index": {"_index": index_name}}, {"b": b}], refresh=True)
    client.indices.forcemerge(index=index_name, max_num_segments=1)
    m = scrape(server)
    assert metric(m, "searchlight_merges_total", index=index_name) >= 1
    assert metric(m, "searchlight_index_segments", index=index_name) == 1


def test_search_slow_log(server, client, index_name):
    client.indices.create(index=index_name)
    client.index(index=index_name, id="1", body={"msg": "hello"}, refresh=True)
    marker = f"slowlog-marker-{index_name}"
    client.search(index=index_name, body={"query": {"match": {"msg": marker}}})
    time.sleep(0.2)
    assert marker not in server.log_path.read_text(errors="replace")  # off by default

    client.indices.put_settings(index=index_name, body={"index.search.slowlog.threshold.query.warn": "0ms"})
    client.search(index=index_name, body={"query": {"match": {"msg": marker}}})
    deadline = time.monotonic() + 5
    line = None
    while time.monotonic() < deadline and line is None:
        line = next((l for l in server.log_path.read_text(errors="replace").splitlines() if marker in l), None)
        time.sleep(0.05)
    assert line is not None, server.log_tail()
    assert "index.search.slowlog.query" in line
    assert f"[{index_name}][0]" in line and "took_millis[" in line and "source[" in line

    # Back off: a threshold nobody reaches logs nothing more.
    client.indices.put_settings(index=index_name, body={"index.search.slowlog.threshold.query.warn": "1h"})
    other = marker + "-again"
    client.search(index=index_name, body={"query": {"match": {"msg": other}}})
    time.sleep(0.2)
    assert other not in server.log_path.read_text(errors="replace")


def test_indexing_slow_log(server, client, index_name):
    client.indices.create(index=index_name, body={"settings": {"index.indexing.slowlog.threshold.index.warn": "0ms"}})
    marker = f"indexing-marker-{index_name}"
    client.index(index=index_name, id="m1", body={"msg": marker})
    deadline = time.monotonic() + 5
    line = None
    while time.monotonic() < deadline and line is None:
        line = next((l for l in server.log_path.read_text(errors="replace").splitlines() if marker in l), None)
        time.sleep(0.05)
    assert line is not None, server.log_tail()
    assert "index.indexing.slowlog.index" in line and f"[{index_name}/0]" in line and "id[m1]" in line
