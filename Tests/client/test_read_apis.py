"""The read APIs dashboards and exporters probe, through opensearch-py: _nodes, _nodes/stats,
_cluster/settings, _cat/health, _cat/nodes, _field_caps, _resolve/index and _mapping/field."""

import pytest


@pytest.fixture
def two(client, index_name):
    a, b = index_name + "-a", index_name + "-b"
    client.indices.create(index=a, body={"mappings": {"properties": {"user": {"type": "keyword"}, "n": {"type": "long"},
                                                                     "title": {"type": "text"}}}})
    client.indices.create(index=b, body={"mappings": {"properties": {"user": {"type": "keyword"}, "n": {"type": "keyword"}}},
                                         "aliases": {index_name + "-alias": {}}})
    client.index(index=a, id="1", body={"user": "ann", "n": 1, "title": "hello"}, refresh=True)
    client.index(index=b, id="1", body={"user": "bob", "n": "x"}, refresh=True)
    return index_name, a, b


def test_nodes_info_and_stats(client):
    info = client.nodes.info()
    assert info["_nodes"]["total"] == 1
    (nid, n), = info["nodes"].items()
    assert n["version"] == client.info()["version"]["number"]
    assert "data" in n["roles"]
    local = client.nodes.info(node_id="_local")
    assert list(local["nodes"]) == [nid]
    stats = client.nodes.stats()
    assert stats["nodes"][nid]["indices"]["docs"]["count"] >= 0
    assert stats["nodes"][nid]["process"]["mem"]["resident_in_bytes"] > 0


def test_cluster_settings_round_trip(client):
    r = client.cluster.put_settings(body={"transient": {"search": {"max_buckets": 1000}}})
    assert r["acknowledged"] is True and r["transient"]["search.max_buckets"] == "1000"
    assert client.cluster.get_settings()["transient"]["search.max_buckets"] == "1000"
    client.cluster.put_settings(body={"transient": {"search.max_buckets": None}})
    assert "search.max_buckets" not in client.cluster.get_settings()["transient"]
    assert "defaults" in client.cluster.get_settings(include_defaults=True)


def test_cat_health_and_nodes(client):
    rows = client.cat.health(format="json")
    assert rows[0]["status"] in ("green", "yellow") and rows[0]["node.total"] == "1"
    nodes = client.cat.nodes(format="json", h="name,node.role")
    assert len(nodes) == 1 and nodes[0]["node.role"] == "dim"


def test_field_caps_across_indices(client, two):
    base, a, b = two
    r = client.field_caps(index=f"{base}-*", fields="user,n,title")
    assert sorted(r["indices"]) == sorted([a, b])
    assert r["fields"]["user"] == {"keyword": {"type": "keyword", "searchable": True, "aggregatable": True}}
    assert r["fields"]["title"]["text"]["aggregatable"] is False
    # `n` is long in one index and keyword in the other: each type lists its indices.
    assert set(r["fields"]["n"]) == {"long", "keyword"}
    assert r["fields"]["n"]["long"]["indices"] == [a]


def test_resolve_index_and_field_mapping(client, server, two):
    base, a, b = two
    r = server.request("GET", f"/_resolve/index/{base}-*").json()
    assert [i["name"] for i in r["indices"]] == [a, b]
    assert r["aliases"] == [{"name": base + "-alias", "indices": [b]}]
    m = client.indices.get_field_mapping(index=a, fields="user")
    assert m[a]["mappings"]["user"]["mapping"]["user"]["type"] == "keyword"
