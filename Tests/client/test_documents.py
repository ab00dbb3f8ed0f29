"""Single-document APIs: index, get, _source, _create, update, delete, _mget, concurrency control."""

import pytest
from opensearchpy.exceptions import ConflictError, NotFoundError, RequestError

from support import assert_client_error, assert_error_shape


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {"name": {"type": "keyword"}, "n": {"type": "long"},
                                    "tags": {"type": "keyword"}, "note": {"type": "text"}}}})
    return index_name


def test_index_and_get(client, idx):
    r = client.index(index=idx, id="1", body={"name": "alice", "n": 1})
    assert r["_index"] == idx
    assert r["_id"] == "1"
    assert r["result"] == "created"
    assert r["_version"] == 1
    assert r["_seq_no"] == 0
    assert r["_primary_term"] == 1
    assert r["_shards"]["failed"] == 0 and r["_shards"]["successful"] >= 1

    # realtime get: no refresh needed
    g = client.get(index=idx, id="1")
    assert g["_index"] == idx
    assert g["_id"] == "1"
    assert g["found"] is True
    assert g["_version"] == 1
    assert g["_seq_no"] == 0
    assert g["_primary_term"] == 1
    assert g["_source"] == {"name": "alice", "n": 1}

    r2 = client.index(index=idx, id="1", body={"name": "alice", "n": 2})
    assert r2["result"] == "updated"
    assert r2["_version"] == 2
    assert r2["_seq_no"] == 1
    g2 = client.get(index=idx, id="1")
    assert g2["_source"] == {"name": "alice", "n": 2}
    assert g2["_version"] == 2 and g2["_seq_no"] == 1


def test_source_is_returned_verbatim(client, idx):
    src = {"name": "bob", "n": 12345678901, "tags": ["a", "b"], "nested": {"x": [1, 2, None, 3], "f": 2.5, "flag": True, "none": None},
           "unicode": "héllo ✓ 日本", "empty": {}, "note": "quote \" and \\ backslash\nnewline"}
    client.index(index=idx, id="src", body=src)
    assert client.get(index=idx, id="src")["_source"] == src


def test_get_missing_doc(client, idx):
    with pytest.raises(NotFoundError) as ei:
        client.get(index=idx, id="nope")
    body = ei.value.info
    assert ei.value.status_code == 404
    assert body["found"] is False
    assert body["_index"] == idx and body["_id"] == "nope"
    assert client.exists(index=idx, id="nope") is False
    client.index(index=idx, id="yes", body={"n": 1})
    assert client.exists(index=idx, id="yes") is True


def test_source_endpoint(client, idx):
    client.index(index=idx, id="s1", body={"name": "carol", "n": 3})
    assert client.get_source(index=idx, id="s1") == {"name": "carol", "n": 3}
    with pytest.raises(NotFoundError) as ei:
        client.get_source(index=idx, id="missing")
    assert ei.value.status_code == 404


def test_http_status_codes(server, idx):
    r = server.request("PUT", f"/{idx}/_doc/h1", json={"n": 1})
    assert r.status_code == 201, r.text
    r = server.request("PUT", f"/{idx}/_doc/h1", json={"n": 2})
    assert r.status_code == 200, r.text
    r = server.request("POST", f"/{idx}/_doc", json={"n": 3})
    assert r.status_code == 201, r.text
    r = server.request("PUT", f"/{idx}/_create/h2", json={"n": 4})
    assert r.status_code == 201, r.text
    r = server.request("PUT", f"/{idx}/_create/h2", json={"n": 4})
    assert r.status_code == 409, r.text
    r = server.request("POST", f"/{idx}/_update/h1", json={"doc": {"n": 5}})
    assert r.status_code == 200, r.text
    r = server.request("POST", f"/{idx}/_update/h3", json={"doc": {"n": 6}, "doc_as_upsert": True})
    assert r.status_code == 201, r.text
    r = server.request("GET", f"/{idx}/_doc/h1")
    assert r.status_code == 200 and r.json()["_source"] == {"n": 5}
    r = server.request("HEAD", f"/{idx}/_doc/h1")
    assert r.status_code == 200
    r = server.request("HEAD", f"/{idx}/_doc/zzz")
    assert r.status_code == 404
    r = server.request("GET", f"/{idx}/_doc/zzz")
    assert r.status_code == 404 and r.json()["found"] is False
    r = server.request("DELETE", f"/{idx}/_doc/h1")
    assert r.status_code == 200 and r.json()["result"] == "deleted"
    r = server.request("DELETE", f"/{idx}/_doc/h1")
    assert r.status_code == 404 and r.json()["result"] == "not_found"


def test_auto_generated_ids(client, idx):
    r1 = client.index(index=idx, body={"name": "auto", "n": 1})
    r2 = client.index(index=idx, body={"name": "auto", "n": 2})
    assert r1["result"] == "created" and r2["result"] == "created"
    assert r1["_version"] == 1
    assert isinstance(r1["_id"], str) and r1["_id"]
    assert r1["_id"] != r2["_id"]
    assert client.get(index=idx, id=r1["_id"])["_source"] == {"name": "auto", "n": 1}
    assert client.get(index=idx, id=r2["_id"])["_source"] == {"name": "auto", "n": 2}
    assert r2["_seq_no"] > r1["_seq_no"]


def test_create_conflict(client, idx):
    r = client.create(index=idx, id="c1", body={"n": 1})
    assert r["result"] == "created" and r["_version"] == 1
    with pytest.raises(ConflictError) as ei:
        client.create(index=idx, id="c1", body={"n": 2})
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    # op_type=create on the index API behaves the same
    with pytest.raises(ConflictError) as ei:
        client.index(index=idx, id="c1", body={"n": 3}, op_type="create")
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    # nothing changed
    g = client.get(index=idx, id="c1")
    assert g["_source"] == {"n": 1} and g["_version"] == 1


def test_if_seq_no_if_primary_term(client, idx):
    r = client.index(index=idx, id="o1", body={"n": 1})
    seq, term = r["_seq_no"], r["_primary_term"]
    ok = client.index(index=idx, id="o1", body={"n": 2}, if_seq_no=seq, if_primary_term=term)
    assert ok["result"] == "updated" and ok["_version"] == 2
    # stale seq_no
    with pytest.raises(ConflictError) as ei:
        client.index(index=idx, id="o1", body={"n": 3}, if_seq_no=seq, if_primary_term=term)
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    # wrong primary term
    with pytest.raises(ConflictError) as ei:
        client.index(index=idx, id="o1", body={"n": 3}, if_seq_no=ok["_seq_no"], if_primary_term=term + 1)
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    # doc does not exist
    with pytest.raises(ConflictError) as ei:
        client.index(index=idx, id="o-missing", body={"n": 1}, if_seq_no=0, if_primary_term=1)
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    # update and delete honour it too
    with pytest.raises(ConflictError) as ei:
        client.update(index=idx, id="o1", body={"doc": {"n": 9}}, if_seq_no=seq, if_primary_term=term)
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    with pytest.raises(ConflictError) as ei:
        client.delete(index=idx, id="o1", if_seq_no=seq, if_primary_term=term)
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    g = client.get(index=idx, id="o1")
    assert g["_source"] == {"n": 2} and g["_version"] == 2
    d = client.delete(index=idx, id="o1", if_seq_no=g["_seq_no"], if_primary_term=g["_primary_term"])
    assert d["result"] == "deleted"


def test_external_versioning(client, idx):
    r = client.index(index=idx, id="e1", body={"n": 1}, version=10, version_type="external")
    assert r["result"] == "created" and r["_version"] == 10
    with pytest.raises(ConflictError) as ei:
        client.index(index=idx, id="e1", body={"n": 2}, version=10, version_type="external")
    assert_client_error(ei.value, 409, "version_conflict_engine_exception")
    with pytest.raises(ConflictError):
        client.index(index=idx, id="e1", body={"n": 2}, version=5, version_type="external")
    r = client.index(index=idx, id="e1", body={"n": 3}, version=11, version_type="external")
    assert r["result"] == "updated" and r["_version"] == 11
    g = client.get(index=idx, id="e1")
    assert g["_version"] == 11 and g["_source"] == {"n": 3}
    # external_gte accepts an equal version
    r = client.index(index=idx, id="e1", body={"n": 4}, version=11, version_type="external_gte")
    assert r["_version"] == 11
    assert client.get(index=idx, id="e1")["_source"] == {"n": 4}


def test_update_partial_doc(client, idx):
    client.index(index=idx, id="u1", body={"name": "dave", "n": 1, "tags": ["x"]})
    r = client.update(index=idx, id="u1", body={"doc": {"n": 2, "note": "hi"}})
    assert r["result"] == "updated"
    assert r["_version"] == 2
    assert r["_id"] == "u1" and r["_index"] == idx
    g = client.get(index=idx, id="u1")
    assert g["_source"] == {"name": "dave", "n": 2, "tags": ["x"], "note": "hi"}
    assert g["_version"] == 2


def test_update_merges_objects(client, idx):
    client.index(index=idx, id="u2", body={"obj": {"a": 1, "b": {"c": 2}}, "n": 1})
    client.update(index=idx, id="u2", body={"doc": {"obj": {"b": {"d": 3}}}})
    assert client.get(index=idx, id="u2")["_source"] == {"obj": {"a": 1, "b": {"c": 2, "d": 3}}, "n": 1}


def test_update_detect_noop(client, idx):
    first = client.index(index=idx, id="u3", body={"name": "erin", "n": 7})
    r = client.update(index=idx, id="u3", body={"doc": {"n": 7}})
    assert r["result"] == "noop"
    assert r["_version"] == 1
    g = client.get(index=idx, id="u3")
    assert g["_version"] == 1 and g["_seq_no"] == first["_seq_no"]
    r = client.update(index=idx, id="u3", body={"doc": {"n": 7}, "detect_noop": False})
    assert r["result"] == "updated"
    assert r["_version"] == 2


def test_update_doc_as_upsert(client, idx):
    r = client.update(index=idx, id="u4", body={"doc": {"name": "frank", "n": 1}, "doc_as_upsert": True})
    assert r["result"] == "created"
    assert r["_version"] == 1
    assert client.get(index=idx, id="u4")["_source"] == {"name": "frank", "n": 1}
    r = client.update(index=idx, id="u4", body={"doc": {"n": 2}, "doc_as_upsert": True})
    assert r["result"] == "updated" and r["_version"] == 2
    assert client.get(index=idx, id="u4")["_source"] == {"name": "frank", "n": 2}


def test_update_upsert(client, idx):
    body = {"doc": {"n": 100}, "upsert": {"name": "gina", "n": 0}}
    r = client.update(index=idx, id="u5", body=body)
    assert r["result"] == "created" and r["_version"] == 1
    assert client.get(index=idx, id="u5")["_source"] == {"name": "gina", "n": 0}
    r = client.update(index=idx, id="u5", body=body)
    assert r["result"] == "updated" and r["_version"] == 2
    assert client.get(index=idx, id="u5")["_source"] == {"name": "gina", "n": 100}


def test_update_missing_doc_is_404(client, idx):
    with pytest.raises(NotFoundError) as ei:
        client.update(index=idx, id="ghost", body={"doc": {"n": 1}})
    assert_client_error(ei.value, 404, "document_missing_exception")
    assert client.exists(index=idx, id="ghost") is False


def test_update_with_source_returns_get(client, idx):
    client.index(index=idx, id="u6", body={"name": "hal", "n": 1})
    r = client.update(index=idx, id="u6", body={"doc": {"n": 2}}, _source=True)
    assert r["get"]["_source"] == {"name": "hal", "n": 2}
    assert r["get"]["found"] is True


def test_delete(client, idx):
    client.index(index=idx, id="d1", body={"n": 1})
    r = client.delete(index=idx, id="d1")
    assert r["result"] == "deleted"
    assert r["_version"] == 2
    assert r["_index"] == idx and r["_id"] == "d1"
    assert client.exists(index=idx, id="d1") is False
    # re-indexing a just-deleted id continues its version (delete tombstone, index.gc_deletes)
    r = client.index(index=idx, id="d1", body={"n": 2})
    assert r["result"] == "created"
    assert r["_version"] == 3


def test_delete_missing_doc(client, idx):
    with pytest.raises(NotFoundError) as ei:
        client.delete(index=idx, id="never")
    assert ei.value.status_code == 404
    assert ei.value.info["result"] == "not_found"
    assert ei.value.info["_id"] == "never"
    client.index(index=idx, id="d2", body={"n": 1})
    client.delete(index=idx, id="d2")
    with pytest.raises(NotFoundError) as ei:
        client.delete(index=idx, id="d2")
    assert ei.value.info["result"] == "not_found"


def test_seq_no_is_monotonic_per_index(client, idx):
    seqs = []
    for i in range(5):
        seqs.append(client.index(index=idx, id=f"m{i % 2}", body={"n": i})["_seq_no"])
    seqs.append(client.delete(index=idx, id="m0")["_seq_no"])
    seqs.append(client.update(index=idx, id="m1", body={"doc": {"n": 99}})["_seq_no"])
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs


def test_mget(client, idx):
    client.index(index=idx, id="g1", body={"n": 1})
    client.index(index=idx, id="g2", body={"n": 2})
    r = client.mget(body={"docs": [{"_index": idx, "_id": "g1"},
                                   {"_index": idx, "_id": "missing"},
                                   {"_index": idx, "_id": "g2"}]})
    docs = r["docs"]
    assert [d["_id"] for d in docs] == ["g1", "missing", "g2"]
    assert docs[0]["found"] is True and docs[0]["_source"] == {"n": 1} and docs[0]["_version"] == 1
    assert docs[1]["found"] is False and docs[1]["_index"] == idx
    assert docs[2]["found"] is True and docs[2]["_source"] == {"n": 2}

    r = client.mget(index=idx, body={"ids": ["g2", "g1", "nope"]})
    assert [(d["_id"], d["found"]) for d in r["docs"]] == [("g2", True), ("g1", True), ("nope", False)]

    r = client.mget(index=idx, body={"docs": [{"_id": "g1"}]})
    assert r["docs"][0]["_index"] == idx and r["docs"][0]["_source"] == {"n": 1}


def test_mget_missing_index_item(client, idx, index_name):
    client.index(index=idx, id="g1", body={"n": 1})
    r = client.mget(body={"docs": [{"_index": idx, "_id": "g1"},
                                   {"_index": index_name + "-nope", "_id": "g1"}]})
    docs = r["docs"]
    assert docs[0]["found"] is True
    assert docs[1]["error"]["type"] == "index_not_found_exception"


def test_index_into_missing_index_autocreates(client, index_name):
    r = client.index(index=index_name, id="1", body={"n": 1})
    assert r["result"] == "created"
    assert client.indices.exists(index=index_name) is True
    assert client.get(index=index_name, id="1")["_source"] == {"n": 1}


def test_error_response_shape_raw(server, idx):
    r = server.request("POST", f"/{idx}/_update/ghost", json={"doc": {"n": 1}})
    assert r.status_code == 404
    body = r.json()
    assert_error_shape(body, 404, "document_missing_exception")
    assert body["error"]["root_cause"][0]["type"] == "document_missing_exception"


def test_concurrent_updates_lose_nothing(server, idx):
    """Two clients update the same document concurrently: every acknowledged update gets its own
    version and seq_no, and the final version counts them all."""
    import threading
    client_a, client_b = server.client(), server.client()
    client_a.index(index=idx, id="hot", body={"n": 0})
    per_thread = 60
    results, errors = [], []

    def work(c, who):
        try:
            for i in range(per_thread):
                r = c.update(index=idx, id="hot", body={"doc": {"who": who, "i": i}, "detect_noop": False},
                             retry_on_conflict=10)
                results.append((r["_version"], r["_seq_no"]))
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(c, w)) for c, w in ((client_a, "a"), (client_b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    versions = sorted(v for v, _ in results)
    assert versions == list(range(2, 2 + 2 * per_thread))
    assert len({s for _, s in results}) == len(results)
    assert client_a.get(index=idx, id="hot")["_version"] == 1 + 2 * per_thread


ODD_IDS = ["a/b", "with space", "ünï日本", "50%", "q?x", "h#x", "plus+sign", "comma,x", "star*", "-dash", "_under"]


def test_ids_needing_url_encoding(client, idx):
    for i in ODD_IDS:
        r = client.index(index=idx, id=i, body={"v": i})
        assert r["_id"] == i
        g = client.get(index=idx, id=i)
        assert g["_id"] == i and g["_source"] == {"v": i}
    docs = client.mget(index=idx, body={"ids": ODD_IDS})["docs"]
    assert [(d["_id"], d["found"]) for d in docs] == [(i, True) for i in ODD_IDS]
    client.indices.refresh(index=idx)
    hits = client.search(index=idx, body={"query": {"match_all": {}}, "size": 100})["hits"]["hits"]
    assert sorted(h["_id"] for h in hits) == sorted(ODD_IDS)
    for i in ODD_IDS:
        assert client.delete(index=idx, id=i)["result"] == "deleted"


def test_id_length_limit(client, idx):
    assert client.index(index=idx, id="x" * 512, body={"n": 1})["result"] == "created"
    with pytest.raises(RequestError) as ei:
        client.index(index=idx, id="x" * 513, body={"n": 1})
    assert_client_error(ei.value, 400, "action_request_validation_exception")
