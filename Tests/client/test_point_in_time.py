"""Point in time through opensearch-py: a pinned view (later writes invisible), search_after on
the `_shard_doc` tiebreaker visiting every hit once, listing and deleting PITs."""

import pytest
from opensearchpy.exceptions import NotFoundError, RequestError

N = 123


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={"mappings": {"properties": {"g": {"type": "keyword"}, "n": {"type": "long"}}}})
    body = []
    for i in range(N):
        body.append({"index": {"_index": index_name, "_id": str(i)}})
        body.append({"g": "g%d" % (i % 3), "n": i})
    assert client.bulk(body=body, refresh=True)["errors"] is False
    return index_name


def test_pit_pages_with_search_after_and_ignores_later_writes(client, idx):
    pit = client.create_pit(index=idx, params={"keep_alive": "1m"})
    pid = pit["pit_id"]
    client.index(index=idx, id="late", body={"g": "g0", "n": -1}, refresh=True)
    seen, after = [], None
    while True:
        body = {"size": 10, "pit": {"id": pid, "keep_alive": "1m"}, "sort": [{"g": "asc"}, {"_shard_doc": "asc"}]}
        if after:
            body["search_after"] = after
        r = client.search(body=body)
        hits = r["hits"]["hits"]
        assert r["pit_id"] == pid
        assert r["hits"]["total"]["value"] == N
        if not hits:
            break
        seen += [h["_id"] for h in hits]
        after = hits[-1]["sort"]
    assert sorted(seen, key=int) == [str(i) for i in range(N)]
    listed = [p["pit_id"] for p in client.get_all_pits()["pits"]]
    assert pid in listed
    r = client.delete_pit(body={"pit_id": [pid]})
    assert r["pits"] == [{"pit_id": pid, "successful": True}]
    with pytest.raises(NotFoundError):
        client.search(body={"pit": {"id": pid}})


def test_pit_rejects_an_index_in_the_path(client, idx):
    pid = client.create_pit(index=idx, params={"keep_alive": "1m"})["pit_id"]
    with pytest.raises(RequestError):
        client.search(index=idx, body={"pit": {"id": pid}})
    client.delete_pit(body={"pit_id": [pid]})
