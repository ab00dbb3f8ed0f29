"""`searchlight migrate`: a second Searchlight process stands in for the destination cluster.
Templates, a lifecycle policy, indices (mappings, settings, aliases incl. a filtered alias and a
write index), routed documents and ~20k documents with updates and deletions are copied; every
document, mapping and alias is compared. Interrupted runs (--max-batches, kill -9) resume from
the checkpoint instead of starting over."""

import json
import os
import signal
import subprocess
import time

import pytest
from opensearchpy import helpers

from support import SearchlightServer, server_binary

N_A = 15_000
N_B = 5_000
N_T = 50
INDICES = ["mig-a", "mig-b", "migtpl-1"]
POLICY = {"policy": {"description": "migrate test policy", "default_state": "hot",
                     "states": [{"name": "hot", "actions": [], "transitions": [{"state_name": "warm", "conditions": {"min_index_age": "7d"}}]},
                                {"name": "warm", "actions": [{"read_only": {}}], "transitions": []}]}}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    root = tmp_path_factory.mktemp("migrate-source")
    srv = SearchlightServer(root / "data", root / "logs").start()
    c = srv.client()
    assert srv.request("PUT", "/_component_template/mig-ct", json={"template": {
        "settings": {"number_of_replicas": 0}, "mappings": {"properties": {"ts": {"type": "date"}}}}}).status_code == 200
    assert srv.request("PUT", "/_index_template/mig-tpl", json={"index_patterns": ["migtpl-*"], "priority": 50, "composed_of": ["mig-ct"],
                                                                "template": {"mappings": {"properties": {"tag": {"type": "keyword"}}}},
                                                                "_meta": {"owner": "tests"}}).status_code == 200
    assert srv.request("PUT", "/_template/mig-legacy", json={"index_patterns": ["legacy-*"], "order": 3,
                                                             "settings": {"number_of_shards": 1},
                                                             "mappings": {"properties": {"x": {"type": "long"}}}}).status_code == 200
    assert srv.request("PUT", "/_plugins/_ism/policies/mig-policy", json=POLICY).status_code == 201
    c.indices.create(index="mig-a", body={
        "settings": {"number_of_replicas": 0, "refresh_interval": "2s",
                     "analysis": {"analyzer": {"folded": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]}}}},
        "mappings": {"properties": {"user": {"type": "keyword"}, "n": {"type": "long"}, "ts": {"type": "date"},
                                    "msg": {"type": "text", "analyzer": "folded"}, "level": {"type": "keyword"},
                                    "geo": {"properties": {"city": {"type": "keyword"}, "lat": {"type": "double"}}}}},
        "aliases": {"mig-all": {}, "mig-errors": {"filter": {"term": {"level": "error"}}},
                    "mig-write": {"is_write_index": True}}})
    c.indices.create(index="mig-b", body={
        "settings": {"number_of_replicas": 0},
        "mappings": {"_routing": {"required": True}, "properties": {"user": {"type": "keyword"}, "v": {"type": "double"}}},
        "aliases": {"mig-all": {}, "mig-b-routed": {"routing": "r1"}}})
    ops = []

    def flush(force=False):
        nonlocal ops
        if ops and (force or len(ops) >= 4000):
            r = c.bulk(body=ops)
            assert r["errors"] is False
            ops = []

    for i in range(N_A):
        ops.append({"index": {"_index": "mig-a", "_id": "a%d" % i}})
        ops.append({"user": "u%d" % (i % 97), "n": i, "ts": 1_700_000_000_000 + i * 1000, "msg": "Hello World %d" % i,
                    "level": "error" if i % 10 == 0 else "info", "geo": {"city": "Paris" if i % 2 else "Lyon", "lat": 48.85 + i / 1e6}})
        flush()
    for i in range(N_B):
        ops.append({"index": {"_index": "mig-b", "_id": "b%d" % i, "routing": "r%d" % (i % 5)}})
        ops.append({"user": "u%d" % i, "v": i / 3})
        flush()
    flush(True)
    c.indices.refresh(index="mig-a,mig-b")
    # Updates (new _seq_no, new _source) and deletions after the first load.
    for i in range(0, N_A, 30):
        ops.append({"index": {"_index": "mig-a", "_id": "a%d" % i}})
        ops.append({"user": "updated", "n": -i, "level": "warn"})
    for i in range(5, N_A, 50):
        ops.append({"delete": {"_index": "mig-a", "_id": "a%d" % i}})
    for i in range(0, N_B, 100):
        ops.append({"delete": {"_index": "mig-b", "_id": "b%d" % i, "routing": "r%d" % (i % 5)}})
    flush(True)
    for i in range(N_T):
        ops.append({"index": {"_index": "migtpl-1", "_id": str(i)}})
        ops.append({"tag": "t%d" % (i % 3), "ts": "2026-11-23T00:00:%02dZ" % i})
    flush(True)
    c.indices.refresh(index="mig-a,mig-b,migtpl-1")
    assert srv.request("POST", "/_plugins/_ism/add/mig-b", json={"policy_id": "mig-policy"}).status_code == 200
    yield srv
    srv.kill()


@pytest.fixture
def destination(tmp_path):
    srv = SearchlightServer(tmp_path / "dst" / "data", tmp_path / "dst" / "logs").start()
    yield srv
    srv.kill()


def migrate(source, destination, checkpoint, *extra, check=True, timeout=300):
    args = [str(server_binary()), "migrate", "--from", source.url, "--to", destination.url,
            "--indices", "mig-*,migtpl-*", "--checkpoint", str(checkpoint)] + list(extra)
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check:
        assert r.returncode == 0, f"rc={r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr[-3000:]}"
    return r


def documents(srv, index):
    out = {}
    for h in helpers.scan(srv.client(), index=index, query={"query": {"match_all": {}}}, size=2000):
        out[h["_id"]] = (h["_source"], h.get("_routing"))
    return out


def count(srv, index):
    return srv.request("GET", f"/{index}/_count").json()["count"]


def assert_same(source, destination):
    for index in INDICES:
        assert count(destination, index) == count(source, index), index
        assert documents(destination, index) == documents(source, index), index
        assert destination.request("GET", f"/{index}/_mapping").json()[index] == source.request("GET", f"/{index}/_mapping").json()[index]
        s = source.request("GET", f"/{index}/_settings").json()[index]["settings"]["index"]
        d = destination.request("GET", f"/{index}/_settings").json()[index]["settings"]["index"]
        for key in ("number_of_shards", "number_of_replicas", "refresh_interval", "analysis"):
            assert d.get(key) == s.get(key), (index, key)
        assert d["uuid"] != s["uuid"]
        assert destination.request("GET", f"/{index}/_alias").json() == source.request("GET", f"/{index}/_alias").json(), index
    # Aliases behave: the filtered one filters, the write index takes writes, routing is kept.
    assert count(destination, "mig-errors") == count(source, "mig-errors") > 0
    assert count(destination, "mig-all") == count(source, "mig-all")
    assert destination.request("GET", "/mig-b/_doc/b1", params={"routing": "r1"}).json()["_source"] == {"user": "u1", "v": 1 / 3}
    # Templates and the policy.
    for path in ("/_index_template/mig-tpl", "/_component_template/mig-ct", "/_template/mig-legacy"):
        assert destination.request("GET", path).json() == source.request("GET", path).json(), path
    sp = source.request("GET", "/_plugins/_ism/policies/mig-policy").json()["policy"]
    dp = destination.request("GET", "/_plugins/_ism/policies/mig-policy").json()["policy"]
    for key in ("description", "default_state", "states"):
        assert dp[key] == sp[key]
    ex = destination.request("GET", "/_plugins/_ism/explain/mig-b").json()
    assert ex["mig-b"]["policy_id"] == "mig-policy"


def test_migrate_round_trip(source, destination, tmp_path):
    cp = tmp_path / "cp.json"
    r = migrate(source, destination, cp)
    total = sum(count(source, i) for i in INDICES)
    assert f"{total} documents" in r.stdout
    for index in INDICES:
        assert index in r.stdout
    assert "MISMATCH" not in r.stdout
    assert_same(source, destination)
    state = json.loads(cp.read_text())
    assert all(state["indices"][i]["done"] for i in INDICES)
    # Rerunning a finished migration copies nothing again.
    again = migrate(source, destination, cp)
    assert "resuming" in again.stderr
    rows = [l.split() for l in again.stdout.splitlines() if l.split() and l.split()[0] in INDICES]
    assert len(rows) == 3 and all(row[3] == "0" for row in rows)
    # The write alias takes writes on the destination.
    r = destination.request("POST", "/mig-write/_doc/new", json={"user": "w"}, params={"refresh": "true"})
    assert r.status_code == 201 and r.json()["_index"] == "mig-a"


def test_migrate_resumes_after_max_batches(source, destination, tmp_path):
    cp = tmp_path / "cp.json"
    r = migrate(source, destination, cp, "--max-batches", "6", check=False)
    assert r.returncode == 3, r.stderr
    assert "rerun to resume" in r.stderr
    state = json.loads(cp.read_text())
    a = state["indices"]["mig-a"]
    assert a["copied"] == 6000 and not a["documentsDone"] and a["afterSeqNo"] is not None
    destination.request("POST", "/mig-a/_refresh")
    assert count(destination, "mig-a") == 6000
    r2 = migrate(source, destination, cp)
    assert "resuming mig-a after _seq_no" in r2.stderr
    rows = {l.split()[0]: l.split() for l in r2.stdout.splitlines() if l.split() and l.split()[0] in INDICES}
    # Only the rest was sent (plus the one document at the checkpoint, sent again).
    assert int(rows["mig-a"][3]) == count(source, "mig-a") - 6000 + 1
    assert_same(source, destination)


def test_migrate_resumes_after_kill(source, destination, tmp_path):
    cp = tmp_path / "cp.json"
    args = [str(server_binary()), "migrate", "--from", source.url, "--to", destination.url, "--indices", "mig-*,migtpl-*",
            "--checkpoint", str(cp), "--page-size", "100"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    copied = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            copied = json.loads(cp.read_text())["indices"].get("mig-a", {}).get("copied", 0)
        except (OSError, ValueError):
            copied = 0
        if copied >= 2000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "migration finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    state = json.loads(cp.read_text())
    before = state["indices"]["mig-a"]["copied"]
    assert 2000 <= before < count(source, "mig-a")
    r = migrate(source, destination, cp)
    assert "resuming" in r.stderr
    rows = {l.split()[0]: l.split() for l in r.stdout.splitlines() if l.split() and l.split()[0] in INDICES}
    assert int(rows["mig-a"][3]) <= count(source, "mig-a") - before + 100
    assert_same(source, destination)


def test_migrate_refuses_a_checkpoint_of_another_migration(source, destination, tmp_path):
    cp = tmp_path / "cp.json"
    cp.write_text(json.dumps({"version": 1, "from": "http://elsewhere:9200", "to": destination.url,
                              "templatesDone": False, "policiesDone": False, "indices": {}}))
    r = migrate(source, destination, cp, check=False)
    assert r.returncode == 1 and "--fresh" in r.stderr
    assert destination.request("HEAD", "/mig-a").status_code == 404


def test_seq_no_sort_pages_with_search_after(source):
    """What the migration's resume rests on: `_seq_no` is a sort key, pages follow one another."""
    body = {"size": 500, "sort": [{"_seq_no": "asc"}], "query": {"match_all": {}}}
    first = source.request("POST", "/mig-a/_search", json=body).json()["hits"]["hits"]
    seqs = [h["sort"][0] for h in first]
    assert seqs == sorted(seqs) and len(set(seqs)) == 500
    nxt = source.request("POST", "/mig-a/_search", json=dict(body, search_after=[seqs[-1]])).json()["hits"]["hits"]
    assert nxt and nxt[0]["sort"][0] > seqs[-1]
    # An updated document sorts after the documents written before its update.
    last = source.request("POST", "/mig-a/_search", json={"size": 1, "sort": [{"_seq_no": "desc"}]}).json()["hits"]["hits"][0]
    assert last["_id"] == "a14970" and last["_source"]["user"] == "updated"
