"""_msearch through opensearch-py: header/body pairs, per-response errors and status, a malformed
body failing the whole request, typed_keys and aggregations, as dashboards send them."""

import pytest
from opensearchpy.exceptions import RequestError

COLORS = ["red", "green", "blue"]
N = 30


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={
        "mappings": {"properties": {"color": {"type": "keyword"}, "n": {"type": "long"}}}})
    body = []
    for i in range(N):
        body.append({"index": {"_index": index_name, "_id": str(i)}})
        body.append({"color": COLORS[i % 3], "n": i})
    assert client.bulk(body=body)["errors"] is False
    client.indices.refresh(index=index_name)
    return index_name


def test_msearch_answers_each_search_in_order(client, idx):
    r = client.msearch(body=[
        {"index": idx}, {"query": {"term": {"color": "red"}}, "size": 2},
        {"index": "no-such-index-xyz"}, {"query": {"match_all": {}}},
        {"index": [idx]}, {"size": 0, "aggs": {"by_color": {"terms": {"field": "color"}}}},
        {}, {"query": {"range": {"n": {"gte": 25}}}},
    ])
    res = r["responses"]
    assert len(res) == 4
    assert res[0]["status"] == 200 and res[0]["hits"]["total"]["value"] == N // 3
    assert len(res[0]["hits"]["hits"]) == 2
    assert res[1]["status"] == 404
    assert res[1]["error"]["type"] == "index_not_found_exception"
    buckets = {b["key"]: b["doc_count"] for b in res[2]["aggregations"]["by_color"]["buckets"]}
    assert buckets == {c: N // 3 for c in COLORS}
    # The empty header searches every index: at least this one's five matches.
    assert res[3]["hits"]["total"]["value"] >= 5


def test_msearch_on_an_index_path_and_typed_keys(client, idx):
    r = client.msearch(index=idx, body=[{}, {"size": 0, "aggs": {"m": {"max": {"field": "n"}}}}],
                       params={"typed_keys": "true"})
    assert r["responses"][0]["aggregations"]["max#m"]["value"] == N - 1


def test_msearch_with_a_malformed_body_fails_as_a_whole(server, idx):
    body = '{"index":"%s"}\n{"query":{"match_all":{}}}\n{"index":"%s"}\n{"query":{"no_such_query":{}}}\n' % (idx, idx)
    r = server.request("POST", "/_msearch", data=body, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "parsing_exception"


def test_msearch_with_an_empty_body_is_refused(client):
    with pytest.raises(RequestError):
        client.transport.perform_request("POST", "/_msearch", body="\n", headers={"Content-Type": "application/x-ndjson"})
