"""CSV export: every matching hit (past the 10,000 result window) streamed as RFC 4180 CSV with a
header, arrays joined, objects flattened to dotted columns, formula-like cells neutralised, and an
aggregation exported as one row per bucket path."""

import csv
import io

import pytest

N = 12_345


@pytest.fixture(scope="module")
def big(client):
    name = "export-csv-big"
    client.indices.delete(index=name, ignore=[404])
    client.indices.create(index=name, body={"mappings": {"properties": {
        "n": {"type": "long"}, "user": {"type": "keyword"}, "tags": {"type": "keyword"},
        "geo": {"properties": {"city": {"type": "keyword"}, "zip": {"type": "keyword"}}}, "note": {"type": "text"}}}})
    body = []
    for i in range(N):
        body.append({"index": {"_index": name, "_id": str(i)}})
        body.append({"n": i, "user": "u%d" % (i % 7), "tags": ["a", "b"] if i % 2 else ["c"],
                     "geo": {"city": "Paris", "zip": "750%02d" % (i % 20)},
                     "note": "=HYPERLINK(\"x\")" if i == 5 else 'say "hi", then\nleave'})
        if len(body) >= 4000:
            assert client.bulk(body=body)["errors"] is False
            body = []
    if body:
        assert client.bulk(body=body)["errors"] is False
    client.indices.refresh(index=name)
    return name


def rows(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8"), newline="")))


def test_export_streams_every_hit(server, big):
    r = server.request("POST", f"/{big}/_export/csv", json={"query": {"range": {"n": {"gte": 100}}},
                                                            "sort": [{"n": "asc"}],
                                                            "_source": ["n", "user", "tags", "geo.city", "note"]})
    out = rows(r)
    assert out[0] == ["n", "user", "tags", "geo.city", "note"]
    assert len(out) - 1 == N - 100  # beyond index.max_result_window
    assert [int(x[0]) for x in out[1:]] == list(range(100, N))
    first = out[1]
    assert first[1] == "u%d" % (100 % 7) and first[2] == "c" and first[3] == "Paris"
    assert first[4] == 'say "hi", then\nleave'  # quoted, quote doubled, newline kept
    assert out[2][2] == "a;b"


def test_export_neutralises_formulas_and_defaults_columns(server, big):
    r = server.request("GET", f"/{big}/_export/csv", params={"q": "n:5", "separator": "|"})
    out = rows(r)
    header = out[0]
    assert header[0] == "_id" and "geo.zip" in header and "note" in header
    row = dict(zip(header, out[1]))
    assert row["_id"] == "5" and row["note"].startswith("'=HYPERLINK")
    assert row["tags"] == "a|b"


def test_export_aggregation_rows(server, big):
    r = server.request("POST", f"/{big}/_export/csv", json={"aggs": {"by_user": {"terms": {"field": "user", "size": 10},
                                                                              "aggs": {"top": {"max": {"field": "n"}}}}}})
    out = rows(r)
    assert out[0] == ["by_user", "by_user.doc_count", "top"]
    got = {x[0]: (int(x[1]), float(x[2])) for x in out[1:]}
    for u in range(7):
        members = [i for i in range(N) if i % 7 == u]
        assert got["u%d" % u] == (len(members), float(max(members)))


def test_export_command_streams_to_a_file(server, big, tmp_path):
    import json
    import os
    import subprocess
    from support import server_binary as binary_path
    q = tmp_path / "q.json"
    q.write_text(json.dumps({"query": {"range": {"n": {"lt": 3000}}}, "sort": [{"n": "asc"}]}))
    out = tmp_path / "out.csv"
    p = subprocess.run([str(binary_path()), "export", "--url", server.url, "--index", big, "--query", str(q),
                        "--fields", "n,user,tags", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "exported 3000 rows" in p.stderr
    got = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert got[0] == ["n", "user", "tags"]
    assert [int(r[0]) for r in got[1:]] == list(range(3000))
    p = subprocess.run([str(binary_path()), "export", "--url", server.url, "--index", "no-such-index-zz"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0


def test_export_in_index_order_scans_segments_skipping_deletes_and_filtering(server, client):
    """Unsorted exports read the segments one after another: every live match exactly once,
    across several segments and indices, deleted and updated documents as the snapshot sees
    them, the alias filter and post_filter applied."""
    names = ["export-scan-a", "export-scan-b"]
    for name in names:
        client.indices.delete(index=name, ignore=[404])
        client.indices.create(index=name, body={"mappings": {"properties": {"n": {"type": "long"}, "k": {"type": "keyword"}}}})
    expected = {}
    for seg in range(4):  # four refreshes: four segments per index
        body = []
        for name in names:
            for i in range(seg * 700, (seg + 1) * 700):
                body.append({"index": {"_index": name, "_id": str(i)}})
                body.append({"n": i, "k": "even" if i % 2 == 0 else "odd"})
                expected[(name, str(i))] = i
        assert client.bulk(body=body)["errors"] is False
        client.indices.refresh(index=",".join(names))
    # Deletes and updates land in older segments.
    for i in range(0, 2800, 9):
        client.delete(index=names[0], id=str(i))
        del expected[(names[0], str(i))]
    for i in range(1, 2800, 13):
        client.index(index=names[1], id=str(i), body={"n": i + 100_000, "k": "odd" if i % 2 else "even"})
        expected[(names[1], str(i))] = i + 100_000
    client.indices.refresh(index=",".join(names))
    client.indices.put_alias(index=names[1], name="export-scan-even", body={"filter": {"term": {"k": "even"}}})

    out = rows(server.request("POST", "/export-scan-*/_export/csv", json={"_source": ["_index", "_id", "n"]}))
    assert out[0] == ["_index", "_id", "n"]
    got = {(r[0], r[1]): int(r[2]) for r in out[1:]}
    assert len(out) - 1 == len(got) == len(expected)
    assert got == expected

    # The query, a post_filter and an alias filter narrow the scan.
    out = rows(server.request("POST", f"/{names[0]}/_export/csv", json={
        "query": {"range": {"n": {"lt": 1000}}}, "post_filter": {"term": {"k": "odd"}}, "_source": ["n"]}))
    want = sorted(v for (ix, _), v in expected.items() if ix == names[0] and v < 1000 and v % 2 == 1)
    assert sorted(int(r[0]) for r in out[1:]) == want
    out = rows(server.request("POST", "/export-scan-even/_export/csv", json={"_source": ["n"]}))
    want = sorted(v for (ix, _), v in expected.items() if ix == names[1] and v % 2 == 0)
    assert sorted(int(r[0]) for r in out[1:]) == want
