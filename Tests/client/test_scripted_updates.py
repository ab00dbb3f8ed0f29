"""Scripted updates (Painless subset) through opensearch-py: _update and _bulk with script,
params, upsert, scripted_upsert, ctx.op; the session-summary upsert under 8 concurrent ingesters
replaying the same events in different orders."""

import json
import random
import threading
from datetime import datetime, timezone

import pytest
from opensearchpy.exceptions import RequestError

from support import assert_client_error

SESSION_SCRIPT = """
def s = ctx._source;
String id = params.event_id;
if (s.event_ids == null) { s.event_ids = []; }
if (s.event_ids.contains(id)) { ctx.op = 'none'; return; }
s.event_ids.add(id);
Collections.sort(s.event_ids);
s.session_id = params.session_id;
for (String k : ['module', 'path', 'assetType', 'siteToken']) {
  def v = params[k];
  if (v == null) { continue; }
  String f = k + 's';
  if (s[f] == null) { s[f] = new ArrayList(); }
  if (!s[f].contains(v)) { s[f].add(v); Collections.sort(s[f]); }
}
if (s.start_time == null || params.ts.compareTo(s.start_time) < 0) { s.start_time = params.ts; s.start_ms = params.ts_ms; }
if (s.end_time == null || params.ts.compareTo(s.end_time) > 0) { s.end_time = params.ts; s.end_ms = params.ts_ms; }
s.duration_seconds = (s.end_ms - s.start_ms) / 1000.0;
s.event_count = s.event_ids.size();
s.last_updated = ctx._now;
"""


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    return index_name


def make_events(n_sessions=40, n_events=500, seed=7):
    rng = random.Random(seed)
    base = 1_700_000_000_000
    events = []
    for i in range(n_events):
        ts_ms = base + rng.randrange(0, 3_600_000)
        ev = {
            "event_id": f"ev-{i}-{rng.randrange(1 << 30)}",
            "session_id": f"sess-{rng.randrange(n_sessions)}",
            "ts_ms": ts_ms,
            "ts": datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}Z",
            "path": rng.choice(["/a", "/b", "/c/d", "/e"]),
        }
        if rng.random() < 0.7:
            ev["module"] = rng.choice(["search", "report", "admin", "billing"])
        if rng.random() < 0.5:
            ev["assetType"] = rng.choice(["pdf", "img", "csv"])
        if rng.random() < 0.25:
            ev["siteToken"] = rng.choice(["t1", "t2", "t3"])
        events.append(ev)
    return events


def reference(events):
    by_session = {}
    for e in {e["event_id"]: e for e in events}.values():
        by_session.setdefault(e["session_id"], []).append(e)
    out = {}
    for sid, evs in by_session.items():
        doc = {"event_ids": sorted(e["event_id"] for e in evs), "session_id": sid}
        for k in ("module", "path", "assetType", "siteToken"):
            vals = sorted({e[k] for e in evs if k in e})
            if vals:
                doc[k + "s"] = vals
        first = min(evs, key=lambda e: e["ts_ms"])
        last = max(evs, key=lambda e: e["ts_ms"])
        doc.update(start_time=first["ts"], start_ms=first["ts_ms"], end_time=last["ts"], end_ms=last["ts_ms"],
                   duration_seconds=(last["ts_ms"] - first["ts_ms"]) / 1000.0, event_count=len(evs))
        out[sid] = doc
    return out


def bulk_body(index, events):
    lines = []
    for e in events:
        lines.append({"update": {"_index": index, "_id": e["session_id"], "retry_on_conflict": 3}})
        lines.append({"script": {"source": SESSION_SCRIPT, "lang": "painless", "params": e},
                      "scripted_upsert": True, "upsert": {}})
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_session_summaries_converge_under_concurrent_replays(server, idx):
    events = make_events()
    expected = reference(events)
    errors = []

    def ingest(worker):
        rng = random.Random(1000 + worker)
        stream = events + [e for e in events if rng.random() < 0.3]  # replays
        rng.shuffle(stream)
        c = server.client()
        try:
            for start in range(0, len(stream), 64):
                r = c.bulk(body=bulk_body(idx, stream[start:start + 64]), request_timeout=120)
                if r["errors"]:
                    errors.extend(item for item in r["items"] if "error" in item["update"])
                for item in r["items"]:
                    assert item["update"]["result"] in ("created", "updated", "noop")
        finally:
            c.close()

    threads = [threading.Thread(target=ingest, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    c = server.client()
    c.indices.refresh(index=idx)
    assert c.count(index=idx)["count"] == len(expected)
    for sid, doc in expected.items():
        got = c.get(index=idx, id=sid)["_source"]
        assert isinstance(got.pop("last_updated"), int)
        assert got == doc, sid
    # Every distinct event was applied exactly once: one creation plus one version per new event.
    total_versions = sum(c.get(index=idx, id=sid)["_version"] for sid in expected)
    assert total_versions == len({e["event_id"] for e in events})
    c.close()


def test_update_script_params_and_source(client, idx):
    client.index(index=idx, id="1", body={"count": 1, "tags": ["a"]})
    r = client.update(index=idx, id="1", body={"script": {"source": "ctx._source.count += params.n; ctx._source.tags.add(params.t)",
                                                          "params": {"n": 4, "t": "b"}}}, params={"_source": "true"})
    assert r["result"] == "updated" and r["_version"] == 2
    assert r["get"]["_source"] == {"count": 5, "tags": ["a", "b"]}
    r = client.update(index=idx, id="1", body={"script": "if (ctx._source.count > 1) { ctx.op = 'none' }"})
    assert r["result"] == "noop" and r["_version"] == 2
    r = client.update(index=idx, id="1", body={"script": {"source": "ctx.op = 'delete'"}})
    assert r["result"] == "deleted"
    assert not client.exists(index=idx, id="1")


def test_upserts(client, idx):
    r = client.update(index=idx, id="u", body={"script": "ctx._source.n += 1", "upsert": {"n": 10}})
    assert r["result"] == "created"
    assert client.get(index=idx, id="u")["_source"] == {"n": 10}
    r = client.update(index=idx, id="u", body={"script": "ctx._source.n += 1", "upsert": {"n": 10}})
    assert client.get(index=idx, id="u")["_source"] == {"n": 11}
    r = client.update(index=idx, id="s", body={"script": "ctx._source.n = 1; ctx._source.op = ctx.op", "upsert": {},
                                               "scripted_upsert": True})
    assert r["result"] == "created"
    assert client.get(index=idx, id="s")["_source"] == {"n": 1, "op": "create"}
    r = client.update(index=idx, id="none", body={"script": "ctx.op = 'none'", "upsert": {}, "scripted_upsert": True})
    assert r["result"] == "noop"
    assert not client.exists(index=idx, id="none")


def test_script_errors_have_positions(client, idx):
    client.index(index=idx, id="1", body={"a": 1})
    with pytest.raises(RequestError) as e:
        client.update(index=idx, id="1", body={"script": "ctx._source.b = ctx._source.a +"})
    assert_client_error(e.value, 400, "illegal_argument_exception")
    cause = e.value.info["error"]["caused_by"]
    assert cause["type"] == "script_exception" and cause["reason"] == "compile error"
    assert cause["lang"] == "painless" and cause["position"]["offset"] == 31
    assert cause["script_stack"][1].endswith("^---- HERE")
    with pytest.raises(RequestError) as e:
        client.update(index=idx, id="1", body={"script": "ctx._source.missing.x = 1"})
    cause = e.value.info["error"]["caused_by"]
    assert cause["reason"] == "runtime error"
    assert cause["caused_by"]["type"] == "null_pointer_exception"
    with pytest.raises(RequestError) as e:
        client.update(index=idx, id="1", body={"script": "while (true) {}"})
    assert e.value.info["error"]["caused_by"]["caused_by"]["type"] == "painless_error"
    assert client.get(index=idx, id="1")["_source"] == {"a": 1}


def test_bulk_update_items(client, idx):
    body = [
        {"update": {"_index": idx, "_id": "c"}}, {"script": {"source": "ctx._source.c = (ctx._source.c ?: 0) + 1"}, "upsert": {"c": 0}},
        {"update": {"_index": idx, "_id": "c"}}, {"script": {"source": "ctx._source.c = (ctx._source.c ?: 0) + 1"}, "upsert": {"c": 0}},
        {"update": {"_index": idx, "_id": "c"}}, {"script": "ctx._source.c.nope()"},
        {"update": {"_index": idx, "_id": "c", "_source": True}}, {"script": "ctx.op = 'none'"},
    ]
    r = client.bulk(body=body)
    assert r["errors"] is True
    items = [i["update"] for i in r["items"]]
    assert [i.get("result") for i in items] == ["created", "updated", None, "noop"]
    assert items[2]["status"] == 400 and items[2]["error"]["caused_by"]["type"] == "script_exception"
    assert items[3]["get"]["_source"] == {"c": 1}


def test_update_by_query(client, idx):
    for i in range(1, 6):
        client.index(index=idx, id=str(i), body={"n": i, "k": "a" if i <= 3 else "b"})
    client.indices.refresh(index=idx)
    r = client.update_by_query(index=idx, body={
        "query": {"term": {"k.keyword": "a"}},
        "script": {"source": "if (ctx._source.n == 2) { ctx.op = 'noop' } else { ctx._source.n += params.d }", "params": {"d": 100}},
    }, params={"refresh": "true"})
    assert (r["total"], r["updated"], r["noops"], r["deleted"], r["version_conflicts"]) == (3, 2, 1, 0, 0)
    assert r["failures"] == []
    assert client.get(index=idx, id="1")["_source"]["n"] == 101
    assert client.get(index=idx, id="2")["_source"]["n"] == 2
    r = client.update_by_query(index=idx, body={"query": {"term": {"k.keyword": "b"}}, "script": "ctx.op = 'delete'"},
                               params={"refresh": "true"})
    assert r["deleted"] == 2
    assert client.count(index=idx)["count"] == 3
    with pytest.raises(RequestError) as e:
        client.update_by_query(index=idx, body={"script": "ctx._source.x = "})
    assert e.value.info["error"]["type"] == "script_exception"


def test_stored_scripts(client, idx):
    sid = idx + "-inc"
    assert client.put_script(id=sid, body={"script": {"lang": "painless", "source": "ctx._source.n += params.by"}})["acknowledged"]
    got = client.get_script(id=sid)
    assert got["found"] and got["script"]["source"] == "ctx._source.n += params.by"
    client.index(index=idx, id="1", body={"n": 1})
    client.update(index=idx, id="1", body={"script": {"id": sid, "params": {"by": 2}}})
    client.bulk(body=[{"update": {"_index": idx, "_id": "1"}}, {"script": {"id": sid, "params": {"by": 3}}}])
    assert client.get(index=idx, id="1")["_source"] == {"n": 6}
    with pytest.raises(RequestError) as e:
        client.put_script(id=sid + "-bad", body={"script": {"lang": "painless", "source": "ctx._source.n +"}})
    assert e.value.info["error"]["type"] == "script_exception"
    assert client.delete_script(id=sid)["acknowledged"]
    with pytest.raises(Exception):
        client.get_script(id=sid)
    with pytest.raises(RequestError) as e:
        client.update(index=idx, id="1", body={"script": {"id": sid, "params": {"by": 2}}})
    assert e.value.info["error"]["caused_by"]["type"] == "resource_not_found_exception"


def test_painless_execute(client):
    r = client.transport.perform_request("POST", "/_scripts/painless/_execute", body={
        "script": {"source": "params.count / params.total", "params": {"count": 100.0, "total": 1000.0}}})
    assert r == {"result": "0.1"}
    r = client.transport.perform_request("POST", "/_scripts/painless/_execute", body={
        "script": {"source": "def l = []; for (int i = 0; i < 3; i++) { l.add(i * i) } l"}})
    assert r == {"result": "[0, 1, 4]"}
