"""_bulk through opensearch-py's helpers and raw NDJSON, per-item failures, gzip bodies."""

import gzip
import json

import pytest
from opensearchpy import helpers

from support import assert_error_shape

MAPPINGS = {"properties": {"n": {"type": "long"}, "tag": {"type": "keyword"}, "msg": {"type": "text"}}}


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={
        "settings": {"number_of_shards": 1, "number_of_replicas": 0}, "mappings": MAPPINGS})
    return index_name


def ndjson(lines):
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_helpers_bulk_10k(client, idx):
    n = 10_000
    actions = ({"_index": idx, "_id": str(i), "_source": {"n": i, "tag": f"t{i % 10}", "msg": f"message {i}"}}
               for i in range(n))
    ok, errors = helpers.bulk(client, actions, chunk_size=1000, request_timeout=120)
    assert ok == n
    assert errors == []
    client.indices.refresh(index=idx)
    assert client.count(index=idx)["count"] == n
    assert client.count(index=idx, body={"query": {"term": {"tag": "t3"}}})["count"] == n // 10
    for i in (0, 4999, 9999):
        g = client.get(index=idx, id=str(i))
        assert g["_source"] == {"n": i, "tag": f"t{i % 10}", "msg": f"message {i}"}
        assert g["_version"] == 1


def test_helpers_bulk_auto_ids(client, idx):
    actions = ({"_index": idx, "_source": {"n": i}} for i in range(500))
    ok, errors = helpers.bulk(client, actions, chunk_size=200)
    assert ok == 500 and errors == []
    client.indices.refresh(index=idx)
    assert client.count(index=idx)["count"] == 500


def test_bulk_response_shape(client, idx):
    body = ndjson([{"index": {"_index": idx, "_id": "a"}}, {"n": 1},
                   {"index": {"_id": "b"}}, {"n": 2}])
    r = client.bulk(body=body, index=idx)
    assert r["errors"] is False
    assert isinstance(r["took"], int)
    assert len(r["items"]) == 2
    a, b = r["items"][0]["index"], r["items"][1]["index"]
    assert a["_index"] == idx and a["_id"] == "a"
    assert a["status"] == 201 and a["result"] == "created" and a["_version"] == 1
    assert b["_id"] == "b" and b["_index"] == idx  # index taken from the URL
    assert b["_seq_no"] > a["_seq_no"]
    assert a["_primary_term"] == 1
    assert a["_shards"]["failed"] == 0


def test_bulk_bad_item_only_that_item_fails(client, idx):
    body = ndjson([
        {"index": {"_index": idx, "_id": "1"}}, {"n": 1, "tag": "ok"},
        {"index": {"_index": idx, "_id": "2"}}, {"n": "not-a-number", "tag": "bad"},
        {"index": {"_index": idx, "_id": "3"}}, {"n": 3, "tag": "ok"},
        {"create": {"_index": idx, "_id": "4"}}, {"n": 4, "tag": "ok"},
    ])
    r = client.bulk(body=body)
    assert r["errors"] is True
    items = r["items"]
    assert len(items) == 4
    assert items[0]["index"]["status"] == 201 and "error" not in items[0]["index"]
    bad = items[1]["index"]
    assert bad["status"] == 400
    assert bad["_id"] == "2"
    assert bad["error"]["type"] == "mapper_parsing_exception"
    assert isinstance(bad["error"]["reason"], str) and bad["error"]["reason"]
    assert items[2]["index"]["status"] == 201 and "error" not in items[2]["index"]
    assert items[3]["create"]["status"] == 201 and "error" not in items[3]["create"]

    for i in ("1", "3", "4"):
        assert client.get(index=idx, id=i)["found"] is True
    assert client.exists(index=idx, id="2") is False
    client.indices.refresh(index=idx)
    assert client.count(index=idx)["count"] == 3


def test_helpers_bulk_reports_bad_item(client, idx):
    actions = [{"_index": idx, "_id": str(i), "_source": {"n": i if i != 7 else "seven"}} for i in range(20)]
    ok, errors = helpers.bulk(client, actions, raise_on_error=False)
    assert ok == 19
    assert len(errors) == 1
    err = errors[0]["index"]
    assert err["_id"] == "7" and err["status"] == 400
    assert err["error"]["type"] == "mapper_parsing_exception"


def test_bulk_mixed_operations(client, idx):
    client.index(index=idx, id="existing", body={"n": 1})
    client.index(index=idx, id="to-delete", body={"n": 2})
    body = ndjson([
        {"create": {"_index": idx, "_id": "new"}}, {"n": 10},
        {"create": {"_index": idx, "_id": "existing"}}, {"n": 11},
        {"update": {"_index": idx, "_id": "existing"}}, {"doc": {"tag": "updated"}},
        {"update": {"_index": idx, "_id": "ghost"}}, {"doc": {"n": 1}},
        {"update": {"_index": idx, "_id": "upserted"}}, {"doc": {"n": 5}, "doc_as_upsert": True},
        {"delete": {"_index": idx, "_id": "to-delete"}},
        {"delete": {"_index": idx, "_id": "never-existed"}},
    ])
    r = client.bulk(body=body)
    assert r["errors"] is True
    items = r["items"]
    assert [list(it.keys())[0] for it in items] == ["create", "create", "update", "update", "update",
                                                    "delete", "delete"]
    assert items[0]["create"]["status"] == 201
    assert items[1]["create"]["status"] == 409
    assert items[1]["create"]["error"]["type"] == "version_conflict_engine_exception"
    assert items[2]["update"]["status"] == 200 and items[2]["update"]["result"] == "updated"
    assert items[2]["update"]["_version"] == 2
    assert items[3]["update"]["status"] == 404
    assert items[3]["update"]["error"]["type"] == "document_missing_exception"
    assert items[4]["update"]["status"] == 201 and items[4]["update"]["result"] == "created"
    assert items[5]["delete"]["status"] == 200 and items[5]["delete"]["result"] == "deleted"
    assert items[6]["delete"]["status"] == 404 and items[6]["delete"]["result"] == "not_found"
    assert "error" not in items[6]["delete"]

    assert client.get(index=idx, id="existing")["_source"] == {"n": 1, "tag": "updated"}
    assert client.get(index=idx, id="upserted")["_source"] == {"n": 5}
    assert client.exists(index=idx, id="to-delete") is False


def test_bulk_not_found_delete_alone_is_not_an_error(client, idx):
    r = client.bulk(body=ndjson([{"delete": {"_index": idx, "_id": "nothing"}}]))
    assert r["errors"] is False
    assert r["items"][0]["delete"]["status"] == 404


def test_bulk_gzip_client(gzip_client, idx):
    n = 3000
    actions = ({"_index": idx, "_id": f"z{i}", "_source": {"n": i, "tag": "gz", "msg": "compressed " * 5}}
               for i in range(n))
    ok, errors = helpers.bulk(gzip_client, actions, chunk_size=1000)
    assert ok == n and errors == []
    gzip_client.index(index=idx, id="single", body={"n": -1, "tag": "gz1"})
    assert gzip_client.get(index=idx, id="single")["_source"] == {"n": -1, "tag": "gz1"}
    gzip_client.indices.refresh(index=idx)
    assert gzip_client.count(index=idx, body={"query": {"term": {"tag": "gz"}}})["count"] == n
    res = gzip_client.search(index=idx, body={"query": {"term": {"tag": "gz1"}}})
    assert res["hits"]["total"]["value"] == 1


def test_bulk_gzip_raw(server, idx):
    body = ndjson([x for i in range(100) for x in ({"index": {"_index": idx, "_id": str(i)}}, {"n": i})])
    r = server.request("POST", "/_bulk", data=gzip.compress(body.encode()),
                       headers={"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["errors"] is False and len(j["items"]) == 100
    r = server.request("GET", f"/{idx}/_doc/42")
    assert r.json()["_source"] == {"n": 42}


def test_bulk_with_json_content_type(server, idx):
    # curl users often send NDJSON as application/json; OpenSearch accepts it.
    body = ndjson([{"index": {"_index": idx, "_id": "j"}}, {"n": 1}])
    r = server.request("POST", "/_bulk", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["errors"] is False


def test_bulk_malformed_action_line_is_400(server, idx):
    r = server.request("POST", "/_bulk", data='{"index": {"_index": "' + idx + '"\n{"n": 1}\n',
                       headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, {"illegal_argument_exception", "json_parse_exception",
                                       "parsing_exception", "x_content_parse_exception"})


def test_bulk_malformed_source_fails_only_that_item(server, client, idx):
    body = ('{"index": {"_index": "%s", "_id": "good1"}}\n{"n": 1}\n'
            '{"index": {"_index": "%s", "_id": "broken"}}\n{"n": 2, \n'
            '{"index": {"_index": "%s", "_id": "good2"}}\n{"n": 3}\n') % (idx, idx, idx)
    r = server.request("POST", "/_bulk", data=body, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["errors"] is True
    st = [it["index"]["status"] for it in j["items"]]
    assert st == [201, 400, 201], j
    assert j["items"][1]["index"]["error"]["type"] == "mapper_parsing_exception"
    assert client.exists(index=idx, id="good1") and client.exists(index=idx, id="good2")
    assert client.exists(index=idx, id="broken") is False
