"""kill -9 durability: every acknowledged write survives SIGKILL, with its _version and _seq_no.

Each test runs its own server (own data dir) and restarts it on the same data dir."""

import threading
import time

import pytest
from opensearchpy.exceptions import NotFoundError, RequestError

IDX = "durable"
MAPPINGS = {"properties": {"n": {"type": "long"}, "tag": {"type": "keyword"}, "pad": {"type": "text"}}}


def mget_all(client, index, ids, chunk=1000):
    out = {}
    ids = list(ids)
    for i in range(0, len(ids), chunk):
        r = client.mget(index=index, body={"ids": ids[i:i + chunk]})
        for d in r["docs"]:
            out[d["_id"]] = d
    return out


def test_kill9_during_bulk_keeps_every_acknowledged_doc(new_server):
    srv = new_server()
    c = srv.client(timeout=30)
    c.indices.create(index=IDX, body={"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                                      "mappings": MAPPINGS})

    acked = {}           # id -> (version, seq_no, n) from the last acknowledged write of that id
    attempted = set()    # every id ever sent
    in_flight = set()    # ids in the request that got no response (may or may not be applied)
    max_acked_seq = [-1]
    loader_error = []
    batch_size = 250

    def loader(prefix, c):
        try:
            batch = 0
            while batch < 100_000:
                lines, ids = [], []
                for i in range(batch_size):
                    if batch > 0 and i < 50:
                        _id = f"{prefix}{batch - 1}-{i}"  # re-index 50 docs of the previous batch: v2
                    else:
                        _id = f"{prefix}{batch}-{i}"
                    n = batch * 1000 + i
                    lines.append({"index": {"_index": IDX, "_id": _id}})
                    lines.append({"n": n, "tag": f"t{i % 5}", "pad": "lorem ipsum " * 8})
                    ids.append((_id, n))
                attempted.update(i for i, _ in ids)
                try:
                    resp = c.bulk(body=lines)
                except Exception:
                    in_flight.update(i for i, _ in ids)
                    return
                for (sent_id, n), item in zip(ids, resp["items"]):
                    it = item["index"]
                    assert it["_id"] == sent_id
                    if 200 <= it["status"] < 300 and "error" not in it:
                        acked[sent_id] = (it["_version"], it["_seq_no"], n)
                        max_acked_seq[0] = max(max_acked_seq[0], it["_seq_no"])
                batch += 1
        except Exception as e:  # pragma: no cover - reported below
            loader_error.append(repr(e))

    # two loaders on their own connections, with disjoint ids
    threads = [threading.Thread(target=loader, args=(p, srv.client(timeout=30)), daemon=True) for p in "ab"]
    for t in threads:
        t.start()
    start = time.monotonic()
    # Load for at least 3 s (so the 1 s periodic refresh puts some docs in segments while others are
    # only in the translog) and until 5,000 docs are acknowledged; give up waiting after 60 s.
    while all(t.is_alive() for t in threads):
        elapsed = time.monotonic() - start
        if elapsed > 60 or (elapsed > 3 and len(acked) >= 5000):
            break
        time.sleep(0.005)
    assert all(t.is_alive() for t in threads), f"a loader finished before the kill (errors: {loader_error})"
    srv.kill()  # SIGKILL
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    assert not loader_error, loader_error
    assert len(acked) >= 1000, f"only {len(acked)} docs acknowledged before the kill"
    print(f"\nkill -9 after {time.monotonic() - start:.1f}s: {len(acked)} ids acknowledged, "
          f"{len(attempted)} attempted, {len(in_flight)} in flight")

    srv.start()
    c2 = srv.client(timeout=60)
    # mapping survives
    props = c2.indices.get_mapping(index=IDX)[IDX]["mappings"]["properties"]
    assert props["n"] == {"type": "long"} and props["tag"] == {"type": "keyword"}

    got = mget_all(c2, IDX, acked.keys())
    missing = [i for i, (v, s, n) in acked.items() if not got[i].get("found")]
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged docs lost after kill -9, e.g. {missing[:5]}"
    wrong = []
    for _id, (version, seq_no, n) in acked.items():
        d = got[_id]
        if _id in in_flight:
            # the unacknowledged request may have been applied: then exactly one version later
            ok = ((d["_version"], d["_seq_no"]) == (version, seq_no)) or \
                 (d["_version"] == version + 1 and d["_seq_no"] > seq_no)
        else:
            ok = d["_version"] == version and d["_seq_no"] == seq_no and d["_source"]["n"] == n
        if not ok:
            wrong.append((_id, (version, seq_no, n), (d["_version"], d["_seq_no"], d["_source"].get("n"))))
    assert not wrong, f"{len(wrong)} docs with wrong version/seq_no/source, e.g. (id, acked, got): {wrong[:5]}"

    c2.indices.refresh(index=IDX)
    count = c2.count(index=IDX)["count"]
    assert len(acked) <= count <= len(attempted), (len(acked), count, len(attempted))

    # sequence numbers continue after recovery; no acknowledged seq_no is reused
    r = c2.index(index=IDX, id="after-restart", body={"n": -1})
    assert r["_seq_no"] > max_acked_seq[0]
    some_id = next(iter(sorted(set(acked) - in_flight)))
    r = c2.index(index=IDX, id=some_id, body={"n": -2})
    assert r["_version"] == acked[some_id][0] + 1


def test_restart_after_updates_and_deletes_keeps_versions(new_server):
    srv = new_server()
    c = srv.client()
    c.indices.create(index=IDX, body={"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                                      "mappings": MAPPINGS})
    for i in range(20):
        c.index(index=IDX, id=f"d{i}", body={"n": i, "tag": "orig"})
    c.indices.refresh(index=IDX)          # these are in a refreshed segment
    c.update(index=IDX, id="d0", body={"doc": {"tag": "upd1"}})
    c.update(index=IDX, id="d0", body={"doc": {"tag": "upd2"}})      # d0: v3
    c.index(index=IDX, id="d1", body={"n": 100, "tag": "reindexed"})  # d1: v2
    c.delete(index=IDX, id="d2")                                      # d2: gone
    c.index(index=IDX, id="d3", body={"n": 3, "tag": "x"}, version=42, version_type="external")
    c.indices.refresh(index=IDX)
    c.update(index=IDX, id="d4", body={"doc": {"tag": "after-refresh"}})  # d4: v2, only in translog
    c.delete(index=IDX, id="d5")                                          # d5: gone, only in translog
    c.index(index=IDX, id="new", body={"n": 999, "tag": "new"})           # only in translog

    def snapshot(client):
        got = mget_all(client, IDX, [f"d{i}" for i in range(20)] + ["new"])
        return {k: (d["_version"], d["_seq_no"], d["_source"]) if d["found"] else None for k, d in got.items()}

    before = snapshot(c)
    assert before["d0"][0] == 3 and before["d0"][2]["tag"] == "upd2"
    assert before["d1"][0] == 2 and before["d3"][0] == 42 and before["d4"][0] == 2
    assert before["d2"] is None and before["d5"] is None
    max_seq = max(v[1] for v in before.values() if v)

    srv.restart(kill9=True)
    c = srv.client()
    after = snapshot(c)
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    c.indices.refresh(index=IDX)
    assert c.count(index=IDX)["count"] == 19
    assert c.count(index=IDX, body={"query": {"term": {"tag": "orig"}}})["count"] == 14
    with pytest.raises(NotFoundError):
        c.get(index=IDX, id="d2")

    # versions continue from the recovered state
    r = c.update(index=IDX, id="d0", body={"doc": {"tag": "upd3"}})
    assert r["_version"] == 4 and r["_seq_no"] > max_seq
    r = c.index(index=IDX, id="d3", body={"n": 3}, version=43, version_type="external")
    assert r["_version"] == 43

    # and a graceful restart keeps them too
    before2 = snapshot(c)
    srv.restart(kill9=False)
    c = srv.client()
    assert snapshot(c) == before2
    # a second kill -9 right after recovery loses nothing either
    srv.restart(kill9=True)
    c = srv.client()
    assert snapshot(c) == before2


def test_kill9_after_single_doc_writes(new_server):
    """Single-document index/update/delete requests are durable when acknowledged, too."""
    srv = new_server()
    c = srv.client()
    acked = {}
    for i in range(200):
        r = c.index(index=IDX, id=f"s{i}", body={"n": i})
        acked[f"s{i}"] = (r["_version"], r["_seq_no"])
    for i in range(0, 200, 10):
        r = c.update(index=IDX, id=f"s{i}", body={"doc": {"n": -i}})
        acked[f"s{i}"] = (r["_version"], r["_seq_no"])
    for i in range(5, 200, 10):
        c.delete(index=IDX, id=f"s{i}")
        acked[f"s{i}"] = None
    srv.kill()
    srv.start()
    c = srv.client()
    got = mget_all(c, IDX, acked.keys())
    for _id, exp in acked.items():
        d = got[_id]
        if exp is None:
            assert d["found"] is False, _id
        else:
            assert d["found"] is True, _id
            assert (d["_version"], d["_seq_no"]) == exp, _id
    # dynamic mapping created by the first write survived
    props = c.indices.get_mapping(index=IDX)[IDX]["mappings"]["properties"]
    assert props["n"] == {"type": "long"}


def test_restart_keeps_index_catalog(new_server):
    """Index creation, deletion, re-creation and mapping changes survive kill -9."""
    srv = new_server()
    c = srv.client()
    c.indices.create(index="gone", body={"mappings": {"properties": {"a": {"type": "keyword"}}}})
    c.index(index="gone", id="1", body={"a": "x"})
    c.indices.delete(index="gone")

    c.indices.create(index="again", body={"mappings": {"properties": {"a": {"type": "keyword"}}}})
    c.index(index="again", id="old", body={"a": "old"})
    c.indices.delete(index="again")
    c.indices.create(index="again", body={"settings": {"number_of_replicas": 0, "refresh_interval": "3s"},
                                          "mappings": {"properties": {"a": {"type": "long"}}}})
    c.index(index="again", id="new", body={"a": 5})

    c.indices.create(index="mapped", body={"mappings": {"dynamic": "strict",
                                                        "properties": {"a": {"type": "keyword"}}}})
    c.indices.put_mapping(index="mapped", body={"properties": {"b": {"type": "date"}}})
    c.index(index="mapped", id="1", body={"a": "x", "b": "2024-05-06T07:08:09Z"})
    c.index(index="dyn", id="1", body={"s": "text", "n": 1})  # auto-created, dynamic mapping

    mappings_before = {i: c.indices.get_mapping(index=i)[i] for i in ("again", "mapped", "dyn")}
    settings_before = c.indices.get(index="again")["again"]["settings"]["index"]

    srv.restart(kill9=True)
    c = srv.client()
    assert c.indices.exists(index="gone") is False
    assert c.indices.exists(index="again") is True
    for i, m in mappings_before.items():
        assert c.indices.get_mapping(index=i)[i] == m, i
    s = c.indices.get(index="again")["again"]["settings"]["index"]
    assert s["uuid"] == settings_before["uuid"]
    assert s["refresh_interval"] == "3s" and s["number_of_replicas"] == "0"
    assert c.exists(index="again", id="old") is False
    assert c.get(index="again", id="new")["_source"] == {"a": 5}
    assert c.get(index="mapped", id="1")["_source"]["b"] == "2024-05-06T07:08:09Z"
    with pytest.raises(RequestError) as ei:
        c.index(index="mapped", id="2", body={"zzz": 1})
    assert ei.value.info["error"]["type"] == "strict_dynamic_mapping_exception"
    c.indices.refresh(index="again")
    assert c.count(index="again")["count"] == 1
