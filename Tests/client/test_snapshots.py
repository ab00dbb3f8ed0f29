"""Snapshots and restore (`_snapshot`) through opensearch-py against the real server: fs
repositories under path.repo, a round trip that restores every document, mapping and count,
rename_pattern, the restore-over-open-index error, checksummed files, and a snapshot taken while
bulk indexing goes on."""

from __future__ import annotations

import threading
import time

import pytest
from opensearchpy.exceptions import TransportError

from support import assert_error_shape


def make_repo(client, server, name):
    client.snapshot.create_repository(repository=name, body={"type": "fs", "settings": {"location": name}})
    return server.data_dir / "repo" / name


def all_docs(client, index):
    client.indices.refresh(index=index)
    res = client.search(index=index, body={"query": {"match_all": {}}, "size": 10000, "seq_no_primary_term": True})
    return {h["_id"]: h["_source"] for h in res["hits"]["hits"]}


def test_round_trip_restores_every_document(new_server, index_name):
    server = new_server()  # restarted below: its own server
    client = server.client()
    repo = index_name + "-repo"
    repo_dir = make_repo(client, server, repo)
    assert client.snapshot.get_repository(repository=repo)[repo]["type"] == "fs"
    client.indices.create(index=index_name, body={
        "settings": {"number_of_shards": 1},
        "mappings": {"properties": {"user": {"type": "keyword"}, "n": {"type": "long"}, "msg": {"type": "text"}}},
        "aliases": {index_name + "-alias": {}},
    })
    # Several segments, deletions and updates before the snapshot.
    for batch in range(3):
        actions = []
        for i in range(batch * 100, batch * 100 + 100):
            actions.append({"index": {"_index": index_name, "_id": str(i)}})
            actions.append({"user": f"u{i % 7}", "n": i, "msg": f"hello number {i}"})
        assert not client.bulk(body=actions)["errors"]
        client.indices.refresh(index=index_name)
    for i in range(0, 300, 10):
        client.delete(index=index_name, id=str(i))
    for i in range(1, 300, 25):
        client.update(index=index_name, id=str(i), body={"doc": {"msg": "updated", "n": -i}})
    # Unrefreshed writes are acknowledged: the snapshot must hold them too.
    client.index(index=index_name, id="late", body={"user": "late", "n": 1000, "msg": "not yet refreshed"})

    res = client.snapshot.create(repository=repo, snapshot="snap-1", body={"indices": index_name},
                                 params={"wait_for_completion": "true"})
    info = res["snapshot"]
    assert info["state"] == "SUCCESS"
    assert info["indices"] == [index_name]
    assert info["shards"] == {"total": 1, "failed": 0, "successful": 1}
    assert (repo_dir / "snapshots" / "snap-1" / "manifest.json").exists()

    got = client.snapshot.get(repository=repo, snapshot="snap-1")["snapshots"]
    assert [s["snapshot"] for s in got] == ["snap-1"]
    assert [s["snapshot"] for s in client.snapshot.get(repository=repo, snapshot="_all")["snapshots"]] == ["snap-1"]
    status = client.snapshot.status(repository=repo, snapshot="snap-1")["snapshots"][0]
    assert status["state"] == "SUCCESS" and status["stats"]["total"]["file_count"] >= 3

    before_docs = all_docs(client, index_name)
    before_count = client.count(index=index_name)["count"]
    before_mapping = client.indices.get_mapping(index=index_name)[index_name]
    assert before_count == 300 - 30 + 1 and before_docs["late"]["user"] == "late"

    client.indices.delete(index=index_name)
    res = client.snapshot.restore(repository=repo, snapshot="snap-1", body={"indices": index_name},
                                  params={"wait_for_completion": "true"})
    assert res["snapshot"]["indices"] == [index_name]
    assert client.count(index=index_name)["count"] == before_count
    assert all_docs(client, index_name) == before_docs
    assert client.indices.get_mapping(index=index_name)[index_name] == before_mapping
    assert client.indices.get_alias(index=index_name)[index_name]["aliases"] == {index_name + "-alias": {}}
    # Versions carry on from the snapshot's.
    assert client.get(index=index_name, id="1")["_version"] == 2
    assert client.index(index=index_name, id="1", body={"n": 1})["_version"] == 3
    # The restored index takes new writes and survives a restart.
    client.index(index=index_name, id="after", body={"user": "x", "n": 1}, refresh=True)
    assert client.count(index=index_name)["count"] == before_count + 1

    # Restoring again over the open index is refused, like OpenSearch.
    with pytest.raises(TransportError) as e:
        client.snapshot.restore(repository=repo, snapshot="snap-1", body={"indices": index_name})
    assert e.value.status_code == 500
    assert e.value.info["error"]["type"] == "snapshot_restore_exception"
    assert "because an open index with same name already exists" in e.value.info["error"]["reason"]

    # rename_pattern restores alongside the original.
    res = client.snapshot.restore(repository=repo, snapshot="snap-1", params={"wait_for_completion": "true"},
                                  body={"indices": index_name, "rename_pattern": "(.+)", "rename_replacement": "restored-$1",
                                        "include_aliases": False})
    copy = "restored-" + index_name
    assert res["snapshot"]["indices"] == [copy]
    assert all_docs(client, copy) == before_docs
    assert client.indices.get_alias(index=copy)[copy]["aliases"] == {}

    server.restart(kill9=True)
    client.close()
    client = server.client()
    assert client.count(index=copy)["count"] == before_count
    assert client.count(index=index_name)["count"] == before_count + 1
    assert all_docs(client, copy) == before_docs

    # A snapshot with the same name again is refused; deleting it removes it.
    with pytest.raises(TransportError) as e:
        client.snapshot.create(repository=repo, snapshot="snap-1", params={"wait_for_completion": "true"})
    assert e.value.status_code == 400 and e.value.info["error"]["type"] == "invalid_snapshot_name_exception"
    client.snapshot.delete(repository=repo, snapshot="snap-1")
    assert not (repo_dir / "snapshots" / "snap-1").exists()
    with pytest.raises(TransportError) as e:
        client.snapshot.get(repository=repo, snapshot="snap-1")
    assert e.value.status_code == 404 and e.value.info["error"]["type"] == "snapshot_missing_exception"
    client.close()


def test_repository_outside_path_repo_is_refused(server, tmp_path):
    r = server.request("PUT", "/_snapshot/outside", json={"type": "fs", "settings": {"location": str(tmp_path / "elsewhere")}})
    assert_error_shape(r.json(), 500, "repository_exception")
    assert "doesn't match any of the locations specified by path.repo" in r.json()["error"]["reason"]
    r = server.request("PUT", "/_snapshot/no-location", json={"type": "fs", "settings": {}})
    assert_error_shape(r.json(), 500, "repository_exception")
    r = server.request("GET", "/_snapshot/never-registered")
    assert_error_shape(r.json(), 404, "repository_missing_exception")
    r = server.request("PUT", "/_snapshot/never-registered/s1?wait_for_completion=true", json={})
    assert_error_shape(r.json(), 404, "repository_missing_exception")


def test_corrupted_snapshot_file_fails_restore(client, server, index_name):
    repo = index_name + "-repo"
    repo_dir = make_repo(client, server, repo)
    actions = []
    for i in range(200):
        actions += [{"index": {"_index": index_name, "_id": str(i)}}, {"n": i, "text": "some words " * 5}]
    client.bulk(body=actions, refresh=True)
    client.snapshot.create(repository=repo, snapshot="s", body={"indices": index_name}, params={"wait_for_completion": "true"})
    segs = sorted((repo_dir / "snapshots" / "s").glob("*/seg_*.seg"))
    assert segs
    data = bytearray(segs[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    segs[0].write_bytes(bytes(data))
    client.indices.delete(index=index_name)
    with pytest.raises(TransportError) as e:
        client.snapshot.restore(repository=repo, snapshot="s", params={"wait_for_completion": "true"})
    assert e.value.status_code == 500
    reason = e.value.info["error"]["reason"]
    assert e.value.info["error"]["type"] == "snapshot_restore_exception"
    assert "corrupted" in reason and segs[0].name in reason
    # Nothing half-restored is left behind.
    assert not client.indices.exists(index=index_name)


def test_snapshot_during_ingestion_is_consistent(client, server, index_name):
    repo = index_name + "-repo"
    make_repo(client, server, repo)
    client.indices.create(index=index_name, body={"settings": {"refresh_interval": "200ms"}})
    acknowledged = []  # (batch number, time acknowledged)
    stop = threading.Event()
    errors = []

    def writer():
        c = server.client()
        batch = 0
        try:
            while not stop.is_set() and batch < 2000:
                actions = []
                for i in range(50):
                    doc_id = f"{batch}-{i}"
                    actions += [{"index": {"_index": index_name, "_id": doc_id}}, {"batch": batch, "i": i, "body": f"payload {doc_id}"}]
                res = c.bulk(body=actions)
                if res["errors"]:
                    errors.append(res)
                    return
                acknowledged.append((batch, time.monotonic()))
                batch += 1
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            c.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        started = time.monotonic()
        acked_before = {b for b, at in acknowledged if at < started}
        res = client.snapshot.create(repository=repo, snapshot="live", body={"indices": index_name},
                                     params={"wait_for_completion": "true"})
        finished = time.monotonic()
        assert res["snapshot"]["state"] == "SUCCESS"
        time.sleep(0.3)  # let more writes land after the snapshot
    finally:
        stop.set()
        t.join(timeout=60)
    assert not errors, errors
    # The writer is sequential: at most the one batch after the last acknowledged before the end
    # was in flight while the snapshot ran.
    last_before_end = max((b for b, at in acknowledged if at <= finished), default=-1)
    sent_before_end = set(range(last_before_end + 2))

    res = client.snapshot.restore(repository=repo, snapshot="live", params={"wait_for_completion": "true"},
                                  body={"indices": index_name, "rename_pattern": "^", "rename_replacement": "live-"})
    restored = "live-" + index_name
    assert res["snapshot"]["indices"] == [restored]
    docs = all_docs(client, restored)
    batches = {}
    for doc_id, src in docs.items():
        assert src == {"batch": src["batch"], "i": src["i"], "body": f"payload {doc_id}"}
        batches.setdefault(src["batch"], set()).add(src["i"])
    # Every batch acknowledged before the snapshot began is complete in it; nothing in it was
    # written after it finished (a bulk in flight may be in it whole, never in part).
    assert acked_before <= set(batches)
    assert set(batches) <= sent_before_end
    assert all(len(items) == 50 for items in batches.values())
    assert client.count(index=restored)["count"] == len(docs) == 50 * len(batches)
