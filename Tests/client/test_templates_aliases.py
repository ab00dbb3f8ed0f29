"""Index templates (composable, component, legacy), aliases, rollover, _cat, _stats and write blocks."""

import json

import pytest
from opensearchpy.exceptions import AuthorizationException, NotFoundError, RequestError, TransportError

from support import assert_client_error


def test_template_resolution_order(client, index_name):
    base = index_name
    client.cluster.put_component_template(name=f"{base}-c1", body={"template": {
        "settings": {"number_of_replicas": 2},
        "mappings": {"properties": {"a": {"type": "keyword"}, "b": {"type": "keyword"}}}}})
    client.cluster.put_component_template(name=f"{base}-c2", body={"template": {
        "mappings": {"properties": {"b": {"type": "long"}}}}})
    client.indices.put_index_template(name=f"{base}-low", body={
        "index_patterns": [f"{base}-*"], "priority": 1,
        "template": {"settings": {"refresh_interval": "7s"}}})
    client.indices.put_index_template(name=f"{base}-high", body={
        "index_patterns": [f"{base}-app-*"], "priority": 5, "composed_of": [f"{base}-c1", f"{base}-c2"],
        "template": {"mappings": {"properties": {"c": {"type": "integer"}}}, "aliases": {f"{base}-all": {}}}})
    # Equal priority and overlapping patterns: 400 like OpenSearch.
    with pytest.raises(RequestError) as e:
        client.indices.put_index_template(name=f"{base}-clash", body={"index_patterns": [f"{base}-app-x*"], "priority": 5})
    assert_client_error(e.value, 400, "illegal_argument_exception")
    assert "same priority [5]" in e.value.info["error"]["reason"]

    # Auto-created by a write: the highest-priority template, components in order, then the body.
    client.index(index=f"{base}-app-1", id="1", body={"a": "x", "b": 3, "c": 1}, refresh=True)
    got = client.indices.get(index=f"{base}-app-1")[f"{base}-app-1"]
    props = got["mappings"]["properties"]
    assert props["a"]["type"] == "keyword"
    assert props["b"]["type"] == "long"          # c2 overrides c1
    assert props["c"]["type"] == "integer"
    assert got["settings"]["index"]["number_of_replicas"] == "2"
    assert "refresh_interval" not in got["settings"]["index"]   # the low-priority template is not merged
    assert f"{base}-all" in got["aliases"]
    # Request body beats the template.
    client.indices.create(index=f"{base}-app-2", body={"settings": {"number_of_replicas": 0}})
    assert client.indices.get_settings(index=f"{base}-app-2")[f"{base}-app-2"]["settings"]["index"]["number_of_replicas"] == "0"
    # Other names get the low-priority template.
    client.indices.create(index=f"{base}-web-1")
    assert client.indices.get_settings(index=f"{base}-web-1")[f"{base}-web-1"]["settings"]["index"]["refresh_interval"] == "7s"

    tmpl = client.indices.get_index_template(name=f"{base}-high")["index_templates"][0]
    assert tmpl["name"] == f"{base}-high"
    assert tmpl["index_template"]["composed_of"] == [f"{base}-c1", f"{base}-c2"]
    sim = client.transport.perform_request("POST", f"/_index_template/_simulate_index/{base}-app-9")
    assert sim["template"]["mappings"]["properties"]["b"]["type"] == "long"
    # A component template in use cannot go.
    with pytest.raises(RequestError):
        client.cluster.delete_component_template(name=f"{base}-c1")
    for t in ("high", "low"):
        client.indices.delete_index_template(name=f"{base}-{t}")
    with pytest.raises(NotFoundError):
        client.indices.get_index_template(name=f"{base}-high")


def test_legacy_templates_merge_by_order(client, index_name):
    client.indices.put_template(name=f"{index_name}-b", body={"index_patterns": [f"{index_name}*"], "order": 2,
                                                              "settings": {"number_of_replicas": 3}})
    client.indices.put_template(name=f"{index_name}-a", body={"index_patterns": [f"{index_name}*"], "order": 1,
                                                              "settings": {"number_of_replicas": 1, "refresh_interval": "3s"}})
    client.indices.create(index=f"{index_name}-x")
    s = client.indices.get_settings(index=f"{index_name}-x")[f"{index_name}-x"]["settings"]["index"]
    assert s["number_of_replicas"] == "3"
    assert s["refresh_interval"] == "3s"
    assert client.indices.get_template(name=f"{index_name}-a")[f"{index_name}-a"]["order"] == 1
    cat = client.cat.templates(name=f"{index_name}-*", format="json")
    assert sorted(r["name"] for r in cat) == [f"{index_name}-a", f"{index_name}-b"]
    client.indices.delete_template(name=f"{index_name}-*")


def test_alias_actions_are_atomic_and_filtered(client, index_name):
    a, b = f"{index_name}-a", f"{index_name}-b"
    for n in (a, b):
        client.indices.create(index=n, body={"mappings": {"properties": {"user": {"type": "keyword"}}}})
    client.bulk(body=[{"index": {"_index": a, "_id": "1"}}, {"user": "ann"},
                      {"index": {"_index": b, "_id": "2"}}, {"user": "bob"}], refresh=True)
    client.indices.update_aliases(body={"actions": [{"add": {"index": a, "alias": f"{index_name}-x"}}]})
    # One bad action: nothing applies.
    with pytest.raises(RequestError):
        client.indices.update_aliases(body={"actions": [
            {"remove": {"index": a, "alias": f"{index_name}-x"}},
            {"add": {"index": b, "alias": a}}]})
    assert client.indices.get_alias(name=f"{index_name}-x") == {a: {"aliases": {f"{index_name}-x": {}}}}
    # Swap in one request.
    client.indices.update_aliases(body={"actions": [
        {"remove": {"index": a, "alias": f"{index_name}-x"}},
        {"add": {"index": b, "alias": f"{index_name}-x"}}]})
    assert list(client.indices.get_alias(name=f"{index_name}-x")) == [b]
    # Filtered alias over both indices.
    client.indices.put_alias(index=f"{index_name}-*", name=f"{index_name}-ann", body={"filter": {"term": {"user": "ann"}}})
    hits = client.search(index=f"{index_name}-ann")["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["1"]
    assert client.count(index=f"{index_name}-ann")["count"] == 1
    assert client.count(index=f"{index_name}-*")["count"] == 2
    assert client.indices.exists_alias(name=f"{index_name}-ann")
    with pytest.raises(NotFoundError):
        client.indices.get_alias(index=a, name="nope")
    cat = client.cat.aliases(name=f"{index_name}-ann", format="json")
    assert sorted((r["index"], r["filter"]) for r in cat) == [(a, "*"), (b, "*")]
    client.indices.delete_alias(index=a, name=f"{index_name}-ann")
    assert list(client.indices.get_alias(name=f"{index_name}-ann")) == [b]


def test_writes_through_aliases(client, index_name):
    a, b = f"{index_name}-a", f"{index_name}-b"
    client.indices.create(index=a, body={"aliases": {f"{index_name}-w": {}}})
    client.indices.create(index=b, body={"aliases": {f"{index_name}-w": {}}})
    with pytest.raises(RequestError) as e:
        client.index(index=f"{index_name}-w", body={"x": 1})
    assert_client_error(e.value, 400, "illegal_argument_exception")
    assert e.value.info["error"]["reason"].startswith(f"no write index is defined for alias [{index_name}-w]")
    client.indices.put_alias(index=b, name=f"{index_name}-w", body={"is_write_index": True})
    r = client.index(index=f"{index_name}-w", id="1", body={"x": 1}, refresh=True)
    assert r["_index"] == b
    # require_alias: a concrete name is refused, the alias accepted.
    resp = client.bulk(body=[{"index": {"_index": a, "_id": "2", "require_alias": True}}, {"x": 2},
                             {"index": {"_index": f"{index_name}-w", "_id": "3", "require_alias": True}}, {"x": 3}])
    assert resp["items"][0]["index"]["status"] == 404
    assert resp["items"][1]["index"]["_index"] == b
    assert client.get(index=b, id="3")["found"]


def test_rollover_conditions_and_naming(client, index_name):
    first = f"{index_name}-000001"
    alias = f"{index_name}-logs"
    client.indices.create(index=first, body={"aliases": {alias: {"is_write_index": True}}})
    r = client.indices.rollover(alias=alias, body={"conditions": {"max_docs": 2}})
    assert r["rolled_over"] is False
    assert r["old_index"] == first and r["new_index"] == f"{index_name}-000002"
    assert r["conditions"] == {"[max_docs: 2]": False}
    client.bulk(body=[{"index": {"_index": alias}}, {"n": 1}, {"index": {"_index": alias}}, {"n": 2}], refresh=True)
    r = client.indices.rollover(alias=alias, body={"conditions": {"max_docs": 2, "max_size": "10gb"}}, params={"dry_run": "true"})
    assert r["dry_run"] is True and r["rolled_over"] is False
    assert r["conditions"] == {"[max_docs: 2]": True, "[max_size: 10gb]": False}
    assert not client.indices.exists(index=f"{index_name}-000002")
    r = client.indices.rollover(alias=alias, body={"conditions": {"max_docs": 2}})
    assert r["rolled_over"] is True and r["acknowledged"] is True
    aliases = client.indices.get_alias(name=alias)
    assert aliases[first]["aliases"][alias]["is_write_index"] is False
    assert aliases[f"{index_name}-000002"]["aliases"][alias]["is_write_index"] is True
    client.index(index=alias, id="x", body={"n": 3}, refresh=True)
    assert client.get(index=f"{index_name}-000002", id="x")["found"]
    # Explicit new name.
    r = client.indices.rollover(alias=alias, new_index=f"{index_name}-custom")
    assert r["new_index"] == f"{index_name}-custom" and r["rolled_over"] is True
    with pytest.raises(RequestError) as e:
        client.indices.rollover(alias=f"{index_name}-custom")
    assert_client_error(e.value, 400, "illegal_argument_exception")


def test_read_only_blocks_reject_writes(client, index_name):
    client.indices.create(index=index_name, body={"settings": {"number_of_replicas": 0}})
    client.index(index=index_name, id="1", body={"x": 1}, refresh=True)
    client.indices.put_settings(index=index_name, body={"index": {"blocks": {"read_only": True}}})
    with pytest.raises(AuthorizationException) as e:
        client.index(index=index_name, id="2", body={"x": 2})
    assert_client_error(e.value, 403, "cluster_block_exception")
    assert e.value.info["error"]["reason"] == f"index [{index_name}] blocked by: [FORBIDDEN/5/index read-only (api)];"
    resp = client.bulk(body=[{"index": {"_index": index_name, "_id": "3"}}, {"x": 3}])
    assert resp["errors"] and resp["items"][0]["index"]["status"] == 403
    assert client.search(index=index_name)["hits"]["total"]["value"] == 1   # reads still work
    with pytest.raises(AuthorizationException):      # metadata is read-only too, except the blocks
        client.indices.put_settings(index=index_name, body={"index": {"refresh_interval": "5s"}})
    with pytest.raises(AuthorizationException):
        client.indices.put_mapping(index=index_name, body={"properties": {"y": {"type": "keyword"}}})
    client.indices.put_settings(index=index_name, body={"index.blocks.read_only": False, "index.blocks.write": True})
    with pytest.raises(AuthorizationException) as e:
        client.delete(index=index_name, id="1")
    assert "FORBIDDEN/8/index write (api)" in e.value.info["error"]["reason"]
    client.indices.put_settings(index=index_name, body={"index.blocks.write": False, "refresh_interval": "2s", "number_of_replicas": 0})
    client.index(index=index_name, id="2", body={"x": 2}, refresh=True)
    client.indices.put_settings(index=index_name, body={"index.blocks.read": True})
    with pytest.raises(AuthorizationException) as e:
        client.search(index=index_name)
    assert "FORBIDDEN/7/index read (api)" in e.value.info["error"]["reason"]
    client.indices.put_settings(index=index_name, body={"index.blocks.read": False})
    assert client.count(index=index_name)["count"] == 2


def test_cat_indices_and_stats(client, index_name):
    client.indices.create(index=f"{index_name}-a", body={"settings": {"number_of_replicas": 0}})
    client.indices.create(index=f"{index_name}-b", body={"settings": {"number_of_replicas": 1}})
    client.bulk(body=[{"index": {"_index": f"{index_name}-a"}}, {"x": 1}, {"index": {"_index": f"{index_name}-a"}}, {"x": 2},
                      {"index": {"_index": f"{index_name}-b"}}, {"x": 3}], refresh=True)
    rows = client.cat.indices(index=f"{index_name}-*", format="json", params={"s": "docs.count:desc", "bytes": "b"})
    assert [r["index"] for r in rows] == [f"{index_name}-a", f"{index_name}-b"]
    assert [r["docs.count"] for r in rows] == ["2", "1"]
    assert [r["health"] for r in rows] == ["green", "yellow"]
    assert int(rows[0]["store.size"]) > 0
    text = client.cat.indices(index=f"{index_name}-*", params={"v": "true", "h": "index,docs.count", "s": "index"})
    lines = text.strip().split("\n")
    assert lines[0].split() == ["index", "docs.count"]
    assert lines[1].split() == [f"{index_name}-a", "2"]
    green = client.cat.indices(index=f"{index_name}-*", params={"health": "green", "h": "index"})
    assert green.split() == [f"{index_name}-a"]
    stats = client.indices.stats(index=f"{index_name}-*")
    assert stats["_all"]["primaries"]["docs"]["count"] == 3
    assert stats["indices"][f"{index_name}-a"]["primaries"]["docs"]["count"] == 2
    assert stats["indices"][f"{index_name}-a"]["total"]["store"]["size_in_bytes"] > 0
    assert stats["_shards"]["successful"] == 2


def test_bundled_templates_installed(client):
    names = [t["name"] for t in client.indices.get_index_template()["index_templates"]]
    assert "request-events" in names and "session-summaries" in names
    p = client.transport.perform_request("GET", "/_plugins/_ism/policies/request-events-retention")
    assert p["policy"]["states"][0]["transitions"][0]["conditions"]["min_index_age"] == "365d"


def test_alias_index_routing_applies_to_writes(client, index_name):
    client.indices.create(index=index_name, body={"aliases": {f"{index_name}-r": {"index_routing": "r1", "search_routing": "r1"}}})
    client.index(index=f"{index_name}-r", id="1", body={"x": 1}, refresh=True)
    got = client.get(index=index_name, id="1", routing="r1")
    assert got["_routing"] == "r1"
    with pytest.raises(RequestError) as e:
        client.index(index=f"{index_name}-r", id="2", body={"x": 2}, routing="other")
    assert "has index routing associated with it [r1]" in e.value.info["error"]["reason"]
    resp = client.bulk(body=[{"index": {"_index": f"{index_name}-r", "_id": "3"}}, {"x": 3},
                             {"index": {"_index": f"{index_name}-r", "_id": "4", "routing": "zz"}}, {"x": 4}])
    assert resp["items"][0]["index"]["status"] == 201
    assert resp["items"][1]["index"]["status"] == 400
