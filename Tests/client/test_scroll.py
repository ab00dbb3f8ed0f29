"""Scroll through opensearch-py: every hit exactly once across pages (ties in the sort included),
a pinned view that ignores later writes, clear_scroll, and the errors OpenSearch gives."""

import pytest
from opensearchpy import helpers
from opensearchpy.exceptions import NotFoundError, RequestError

N = 257


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={"mappings": {"properties": {"n": {"type": "long"}, "g": {"type": "keyword"}}}})
    body = []
    for i in range(N):
        body.append({"index": {"_index": index_name, "_id": str(i)}})
        body.append({"n": i, "g": "g%d" % (i % 4)})
    assert client.bulk(body=body, refresh=True)["errors"] is False
    return index_name


def test_scroll_visits_every_hit_once_with_ties(client, idx):
    # Sorting by a field with only four values: pages must break ties without skipping or repeating.
    r = client.search(index=idx, scroll="1m", size=10, body={"sort": [{"g": "asc"}], "query": {"match_all": {}}})
    seen = [h["_id"] for h in r["hits"]["hits"]]
    assert r["hits"]["total"]["value"] == N
    sid = r["_scroll_id"]
    # Writes after the scroll started are not part of it.
    client.index(index=idx, id="late", body={"n": 999, "g": "g0"}, refresh=True)
    while True:
        r = client.scroll(scroll_id=sid, scroll="1m")
        if not r["hits"]["hits"]:
            break
        assert r["hits"]["total"]["value"] == N
        seen += [h["_id"] for h in r["hits"]["hits"]]
    assert len(seen) == N
    assert sorted(seen, key=int) == [str(i) for i in range(N)]
    groups = [int(i) % 4 for i in seen]
    assert groups == sorted(groups)
    assert client.clear_scroll(scroll_id=sid)["num_freed"] == 1
    with pytest.raises(NotFoundError):
        client.scroll(scroll_id=sid, scroll="1m")


def test_scan_helper_reads_all_documents(client, idx):
    ids = {h["_id"] for h in helpers.scan(client, index=idx, query={"query": {"range": {"n": {"gte": 100}}}}, size=17)}
    assert ids == {str(i) for i in range(100, N)}


def test_scroll_errors(client, idx):
    with pytest.raises(RequestError) as e:
        client.search(index=idx, scroll="1m", body={"size": 0})
    assert "[size] cannot be [0] in a scroll context" in str(e.value.info)
    with pytest.raises(RequestError):
        client.search(index=idx, scroll="2d", size=5)
    with pytest.raises(NotFoundError):
        client.scroll(scroll_id="no-such-scroll", scroll="1m")


def test_scroll_in_index_order_across_indices_and_segments(client, index_name):
    names = [index_name + "-a", index_name + "-b"]
    expected = set()
    for name in names:
        client.indices.create(index=name, body={"settings": {"refresh_interval": "-1"}})
        for seg in range(3):  # three refreshes: three segments per index
            body = []
            for i in range(seg * 20, seg * 20 + 20 + (5 if name.endswith("b") else 0)):
                body.append({"index": {"_index": name, "_id": f"{seg}-{i}"}})
                body.append({"n": i})
                expected.add((name, f"{seg}-{i}"))
            assert client.bulk(body=body, refresh=True)["errors"] is False
    seen = []
    r = client.search(index=",".join(names), scroll="1m", size=7, body={"sort": ["_doc"]})
    while r["hits"]["hits"]:
        seen += [(h["_index"], h["_id"]) for h in r["hits"]["hits"]]
        r = client.scroll(scroll_id=r["_scroll_id"], scroll="1m")
    assert len(seen) == len(expected) and set(seen) == expected
    # search_after on _doc (no scroll) skips ties like OpenSearch, but never repeats a hit.
    page = client.search(index=names[0], size=10, body={"sort": ["_doc"]})["hits"]["hits"]
    nxt = client.search(index=names[0], size=10, body={"sort": ["_doc"], "search_after": page[-1]["sort"]})["hits"]["hits"]
    assert not {h["_id"] for h in page} & {h["_id"] for h in nxt}
    assert nxt[0]["sort"][0] > page[-1]["sort"][0]
