"""_count and _search with match_all and term, from/size."""

import pytest

COLORS = ["red", "green", "blue"]
N = 30


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {"color": {"type": "keyword"}, "n": {"type": "long"},
                                    "title": {"type": "text"}}}})
    body = []
    for i in range(N):
        body.append({"index": {"_index": index_name, "_id": str(i)}})
        body.append({"color": COLORS[i % 3], "n": i, "title": f"item number {i}"})
    r = client.bulk(body=body)
    assert r["errors"] is False
    client.indices.refresh(index=index_name)
    return index_name


def test_count(client, idx):
    r = client.count(index=idx)
    assert r["count"] == N
    assert r["_shards"]["failed"] == 0
    assert client.count(index=idx, body={"query": {"match_all": {}}})["count"] == N
    assert client.count(index=idx, body={"query": {"term": {"color": "red"}}})["count"] == N // 3
    assert client.count(index=idx, body={"query": {"term": {"color": "purple"}}})["count"] == 0
    assert client.count(index=idx, body={"query": {"term": {"n": 7}}})["count"] == 1


def test_count_get_without_body(server, idx):
    r = server.request("GET", f"/{idx}/_count")
    assert r.status_code == 200
    assert r.json()["count"] == N


def test_docs_invisible_to_search_until_refresh(client, index_name):
    # near-real-time search: with periodic refresh disabled, new writes reach search only at _refresh
    name = index_name + "-norefresh"
    client.indices.create(index=name, body={"settings": {"refresh_interval": "-1"}})
    client.index(index=name, id="1", body={"color": "red"})
    client.indices.refresh(index=name)
    client.index(index=name, id="late", body={"color": "red"})
    # realtime get sees it immediately ...
    assert client.get(index=name, id="late")["found"] is True
    # ... search and count do not, until a refresh
    assert client.count(index=name)["count"] == 1
    assert client.search(index=name)["hits"]["total"]["value"] == 1
    client.indices.refresh(index=name)
    assert client.count(index=name)["count"] == 2


def test_refresh_param_on_write(client, idx):
    client.index(index=idx, id="r1", body={"color": "cyan", "n": 1}, refresh=True)
    assert client.count(index=idx, body={"query": {"term": {"color": "cyan"}}})["count"] == 1
    client.index(index=idx, id="r2", body={"color": "cyan", "n": 2}, refresh="wait_for")
    assert client.count(index=idx, body={"query": {"term": {"color": "cyan"}}})["count"] == 2


def test_search_match_all(client, idx):
    r = client.search(index=idx, body={"query": {"match_all": {}}})
    assert r["timed_out"] is False
    assert isinstance(r["took"], int)
    assert r["_shards"]["failed"] == 0 and r["_shards"]["total"] >= 1
    hits = r["hits"]
    assert hits["total"] == {"value": N, "relation": "eq"}
    assert len(hits["hits"]) == 10  # default size
    assert hits["max_score"] == 1.0
    for h in hits["hits"]:
        assert h["_index"] == idx
        assert isinstance(h["_id"], str)
        assert h["_score"] == 1.0
        i = int(h["_id"])
        assert h["_source"] == {"color": COLORS[i % 3], "n": i, "title": f"item number {i}"}


def test_search_without_body_is_match_all(client, idx):
    r = client.search(index=idx)
    assert r["hits"]["total"]["value"] == N


def test_search_term_keyword(client, idx):
    r = client.search(index=idx, body={"query": {"term": {"color": "green"}}, "size": 100})
    hits = r["hits"]
    assert hits["total"]["value"] == N // 3
    assert len(hits["hits"]) == N // 3
    assert all(h["_source"]["color"] == "green" for h in hits["hits"])
    assert sorted(int(h["_id"]) for h in hits["hits"]) == [i for i in range(N) if i % 3 == 1]
    assert all(h["_score"] > 0 for h in hits["hits"])


def test_search_term_with_value_object(client, idx):
    r = client.search(index=idx, body={"query": {"term": {"color": {"value": "blue"}}}, "size": 100})
    assert r["hits"]["total"]["value"] == N // 3


def test_search_term_no_match(client, idx):
    r = client.search(index=idx, body={"query": {"term": {"color": "Red"}}})  # keyword is case-sensitive
    assert r["hits"]["total"]["value"] == 0
    assert r["hits"]["hits"] == []
    assert r["hits"]["max_score"] is None


def test_from_size(client, idx):
    r = client.search(index=idx, body={"query": {"match_all": {}}, "size": 5})
    assert len(r["hits"]["hits"]) == 5
    assert r["hits"]["total"]["value"] == N

    r = client.search(index=idx, body={"query": {"match_all": {}}, "from": 28, "size": 5})
    assert len(r["hits"]["hits"]) == 2
    assert r["hits"]["total"]["value"] == N

    r = client.search(index=idx, body={"query": {"match_all": {}}, "from": 40})
    assert r["hits"]["hits"] == []

    seen = []
    for start in range(0, N, 7):
        page = client.search(index=idx, body={"query": {"match_all": {}}, "from": start, "size": 7})
        seen += [h["_id"] for h in page["hits"]["hits"]]
    assert sorted(seen, key=int) == [str(i) for i in range(N)]


def test_from_size_query_params(client, idx):
    r = client.search(index=idx, body={"query": {"match_all": {}}}, size=3, from_=1)
    assert len(r["hits"]["hits"]) == 3


def test_size_zero(client, idx):
    r = client.search(index=idx, body={"query": {"term": {"color": "red"}}, "size": 0})
    assert r["hits"]["total"]["value"] == N // 3
    assert r["hits"]["hits"] == []


def test_search_reflects_updates_and_deletes(client, idx):
    client.update(index=idx, id="0", body={"doc": {"color": "black"}})
    client.delete(index=idx, id="3")
    client.indices.refresh(index=idx)
    assert client.count(index=idx)["count"] == N - 1
    assert client.count(index=idx, body={"query": {"term": {"color": "red"}}})["count"] == N // 3 - 2
    r = client.search(index=idx, body={"query": {"term": {"color": "black"}}})
    assert [h["_id"] for h in r["hits"]["hits"]] == ["0"]
    assert r["hits"]["hits"][0]["_source"]["color"] == "black"


def test_search_index_list_and_wildcard(client, idx):
    r = client.search(body={"query": {"term": {"color": "red"}}, "size": 0}, index=f"{idx},{idx}")
    assert r["hits"]["total"]["value"] == N // 3
    r = client.count(index=idx[:-2] + "*", body={"query": {"term": {"color": "red"}}})
    assert r["count"] >= N // 3
