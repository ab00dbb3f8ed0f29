"""The query DSL, sorting and paging through opensearch-py, checked against answers computed in
Python from the same generated documents."""

import datetime as dt
import random

import pytest
from opensearchpy import helpers
from opensearchpy.exceptions import RequestError

from support import assert_client_error

USERS = ["ann", "bob", "cyd", "dan"]
WORDS = ["report", "export", "login", "dashboard", "billing", "search"]
BASE = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def events(client, index_name):
    client.indices.create(index=index_name, body={
        "settings": {"number_of_replicas": 0},
        "mappings": {"properties": {
            "timestamp": {"type": "date"}, "user": {"type": "keyword"}, "status_code": {"type": "integer"},
            "response_time": {"type": "double"}, "msg": {"type": "text"}, "tags": {"type": "keyword"}}}})
    rng = random.Random(7)
    docs = []
    for i in range(600):
        docs.append({
            "_id": f"e{i}",
            "timestamp": (BASE + dt.timedelta(minutes=37 * i)).isoformat().replace("+00:00", "Z"),
            "user": rng.choice(USERS),
            "status_code": rng.choice([200, 200, 200, 201, 404, 500, 503]),
            "response_time": round(rng.lognormvariate(4, 0.8), 2),
            "msg": " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))),
            "tags": rng.sample(WORDS, rng.randint(0, 2)),
        })
    # Several bulks and refreshes so the index has several segments.
    for chunk in range(0, len(docs), 150):
        helpers.bulk(client, ({"_index": index_name, **d} for d in docs[chunk:chunk + 150]))
        client.indices.refresh(index=index_name)
    return index_name, docs


def ids(resp):
    return [h["_id"] for h in resp["hits"]["hits"]]


def test_bool_term_range_count(client, events):
    index, docs = events
    expected = [d for d in docs if d["user"] == "bob" and d["status_code"] >= 500]
    body = {"query": {"bool": {"filter": [{"term": {"user": "bob"}}, {"range": {"status_code": {"gte": 500}}}]}}}
    assert client.count(index=index, body=body)["count"] == len(expected)
    r = client.search(index=index, body={**body, "size": 1000, "track_total_hits": True})
    assert sorted(ids(r)) == sorted(d["_id"] for d in expected)
    assert r["hits"]["total"] == {"value": len(expected), "relation": "eq"}


def test_sort_desc_with_search_after_walks_everything_once(client, events):
    index, docs = events
    seen = []
    after = None
    while True:
        body = {"size": 70, "sort": [{"timestamp": "desc"}],
                "query": {"term": {"user": "ann"}}}
        if after:
            body["search_after"] = after
        r = client.search(index=index, body=body)
        hits = r["hits"]["hits"]
        if not hits:
            break
        seen += [h["_id"] for h in hits]
        after = hits[-1]["sort"]
    expected = sorted((d for d in docs if d["user"] == "ann"), key=lambda d: d["timestamp"], reverse=True)
    assert seen == [d["_id"] for d in expected]


def test_date_range_with_date_math_and_format(client, events):
    index, docs = events
    body = {"query": {"range": {"timestamp": {"gte": "2026-11-03||/d", "lt": "2026-11-03||+1d/d"}}}, "size": 100}
    day = [d for d in docs if d["timestamp"].startswith("2026-11-03")]
    assert sorted(ids(client.search(index=index, body=body))) == sorted(d["_id"] for d in day)
    body = {"query": {"range": {"timestamp": {"gte": "03/11/2026", "format": "dd/MM/yyyy", "lte": "03/11/2026||+1d"}}}}
    assert client.count(index=index, body=body)["count"] >= len(day)


def test_match_scores_and_operators(client, events):
    index, docs = events
    r = client.search(index=index, body={"query": {"match": {"msg": "billing export"}}, "size": 1000})
    expected = [d for d in docs if {"billing", "export"} & set(d["msg"].split())]
    assert sorted(ids(r)) == sorted(d["_id"] for d in expected)
    scores = [h["_score"] for h in r["hits"]["hits"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    r = client.search(index=index, body={"query": {"match": {"msg": {"query": "billing export", "operator": "and"}}}, "size": 1000})
    both = [d for d in docs if {"billing", "export"} <= set(d["msg"].split())]
    assert sorted(ids(r)) == sorted(d["_id"] for d in both)


def test_match_phrase_prefix_wildcard_exists(client, events):
    index, docs = events
    phrase = [d for d in docs if " login report" in " " + d["msg"]]
    r = client.search(index=index, body={"query": {"match_phrase": {"msg": "login report"}}, "size": 1000})
    assert sorted(ids(r)) == sorted(d["_id"] for d in phrase)
    assert client.count(index=index, body={"query": {"prefix": {"user": "d"}}})["count"] == sum(d["user"] == "dan" for d in docs)
    assert client.count(index=index, body={"query": {"wildcard": {"user": "*n"}}})["count"] == sum(d["user"] in ("ann", "dan") for d in docs)
    assert client.count(index=index, body={"query": {"exists": {"field": "tags"}}})["count"] == sum(bool(d["tags"]) for d in docs)


def test_query_string_and_q_parameter(client, events):
    index, docs = events
    expected = sum(d["user"] == "cyd" and d["status_code"] == 404 for d in docs)
    r = client.search(index=index, q="user:cyd AND status_code:404", size=0, track_total_hits=True)
    assert r["hits"]["total"]["value"] == expected
    r = client.search(index=index, body={"query": {"query_string": {"query": "status_code:[500 TO *] AND NOT user:ann"}}, "size": 0,
                                         "track_total_hits": True})
    assert r["hits"]["total"]["value"] == sum(d["status_code"] >= 500 and d["user"] != "ann" for d in docs)


def test_source_filtering_docvalue_fields_and_versions(client, events):
    index, _ = events
    r = client.search(index=index, body={"query": {"ids": {"values": ["e5"]}}, "_source": ["user"],
                                         "docvalue_fields": ["status_code"], "version": True, "seq_no_primary_term": True})
    hit = r["hits"]["hits"][0]
    assert set(hit["_source"]) == {"user"}
    assert hit["fields"]["status_code"][0] in (200, 201, 404, 500, 503)
    assert hit["_version"] == 1 and "_seq_no" in hit


def test_result_window_and_bad_queries(client, events):
    index, _ = events
    with pytest.raises(RequestError) as e:
        client.search(index=index, body={"from": 9995, "size": 10})
    assert_client_error(e.value, 400, "illegal_argument_exception")
    with pytest.raises(RequestError) as e:
        client.search(index=index, body={"query": {"frobnicate": {}}})
    assert_client_error(e.value, 400, "parsing_exception")
    with pytest.raises(RequestError) as e:
        client.search(index=index, body={"sort": [{"msg": "asc"}]})
    assert e.value.status_code == 400


def test_results_survive_restart_and_force_merge(new_server):
    srv = new_server()
    c = srv.client()
    c.indices.create(index="persist", body={"mappings": {"properties": {"n": {"type": "integer"}, "k": {"type": "keyword"}}}})
    for batch in range(4):
        helpers.bulk(c, ({"_index": "persist", "_id": f"d{i}", "n": i, "k": f"k{i % 5}"} for i in range(batch * 50, batch * 50 + 80)))
        c.indices.refresh(index="persist")
    c.delete(index="persist", id="d3", refresh=True)
    query = {"query": {"bool": {"filter": [{"range": {"n": {"gte": 10, "lt": 150}}}], "must_not": [{"term": {"k": "k1"}}]}},
             "sort": [{"n": "asc"}], "size": 500}
    before = ids(c.search(index="persist", body=query))
    srv.restart(kill9=True)
    c = srv.client()
    assert ids(c.search(index="persist", body=query)) == before
    c.indices.forcemerge(index="persist", max_num_segments=1)
    assert ids(c.search(index="persist", body=query)) == before
    assert len(before) == sum(1 for i in range(10, 150) if i % 5 != 1 and i != 3)
