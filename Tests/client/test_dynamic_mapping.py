"""Dynamic mapping: inferred field types, `.keyword` subfields, `dynamic: strict` / `false`."""

import pytest
from opensearchpy.exceptions import RequestError

from support import assert_client_error

TEXT_WITH_KEYWORD = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}


def test_dynamic_types(client, index_name):
    doc = {"name": "alice", "age": 30, "score": 1.5, "active": True,
           "created": "2024-01-02T03:04:05Z", "obj": {"inner": "x", "num": 7}}
    r = client.index(index=index_name, id="1", body=doc)  # auto-creates the index
    assert r["result"] == "created"
    props = client.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]
    assert props["name"] == TEXT_WITH_KEYWORD
    assert props["age"] == {"type": "long"}
    assert props["score"] == {"type": "float"}
    assert props["active"] == {"type": "boolean"}
    assert props["created"] == {"type": "date"}
    assert props["obj"]["properties"]["inner"] == TEXT_WITH_KEYWORD
    assert props["obj"]["properties"]["num"] == {"type": "long"}
    assert client.get(index=index_name, id="1")["_source"] == doc


def test_dynamic_keyword_subfield_is_searchable(client, index_name):
    client.index(index=index_name, id="1", body={"city": "New York"})
    client.index(index=index_name, id="2", body={"city": "York"})
    client.indices.refresh(index=index_name)
    r = client.search(index=index_name, body={"query": {"term": {"city.keyword": "New York"}}})
    assert r["hits"]["total"]["value"] == 1
    assert r["hits"]["hits"][0]["_id"] == "1"


def test_dynamic_field_added_to_existing_mapping(client, index_name):
    client.indices.create(index=index_name, body={"mappings": {"properties": {"a": {"type": "keyword"}}}})
    client.index(index=index_name, id="1", body={"a": "x", "b": "hello", "c": 5})
    props = client.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]
    assert props["a"] == {"type": "keyword"}
    assert props["b"] == TEXT_WITH_KEYWORD
    assert props["c"] == {"type": "long"}


def test_dynamic_type_conflict_after_inference(client, index_name):
    client.index(index=index_name, id="1", body={"num": 5})
    with pytest.raises(RequestError) as ei:
        client.index(index=index_name, id="2", body={"num": "five"})
    assert_client_error(ei.value, 400, "mapper_parsing_exception")


def test_dynamic_strict(client, index_name):
    client.indices.create(index=index_name, body={
        "mappings": {"dynamic": "strict", "properties": {"a": {"type": "keyword"}}}})
    client.index(index=index_name, id="ok", body={"a": "x"})
    with pytest.raises(RequestError) as ei:
        client.index(index=index_name, id="bad", body={"a": "x", "b": "y"})
    assert_client_error(ei.value, 400, "strict_dynamic_mapping_exception")
    assert "[b]" in ei.value.info["error"]["reason"]
    assert client.exists(index=index_name, id="bad") is False
    m = client.indices.get_mapping(index=index_name)[index_name]["mappings"]
    assert m["dynamic"] == "strict"
    assert "b" not in m["properties"]


def test_dynamic_strict_in_bulk(client, index_name):
    client.indices.create(index=index_name, body={
        "mappings": {"dynamic": "strict", "properties": {"a": {"type": "keyword"}}}})
    r = client.bulk(body=[{"index": {"_index": index_name, "_id": "1"}}, {"a": "x"},
                          {"index": {"_index": index_name, "_id": "2"}}, {"zz": 1}])
    assert r["errors"] is True
    assert r["items"][0]["index"]["status"] == 201
    assert r["items"][1]["index"]["status"] == 400
    assert r["items"][1]["index"]["error"]["type"] == "strict_dynamic_mapping_exception"


def test_dynamic_false_keeps_source_but_does_not_map(client, index_name):
    client.indices.create(index=index_name, body={
        "mappings": {"dynamic": False, "properties": {"a": {"type": "keyword"}}}})
    client.index(index=index_name, id="1", body={"a": "x", "extra": "kept"})
    assert client.get(index=index_name, id="1")["_source"] == {"a": "x", "extra": "kept"}
    props = client.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]
    assert "extra" not in props


def test_nested_arrays_are_flattened(client, index_name):
    # OpenSearch flattens arrays of arrays: the field's type comes from the innermost values.
    doc = {"a": [[1, 2], [3]], "b": [1, [2, [3]]], "c": [["x", "y"], "z"]}
    r = client.index(index=index_name, id="1", body=doc)
    assert r["result"] == "created"
    props = client.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]
    assert props["a"] == {"type": "long"}
    assert props["b"] == {"type": "long"}
    assert props["c"] == TEXT_WITH_KEYWORD
    assert client.get(index=index_name, id="1")["_source"] == doc
    client.indices.refresh(index=index_name)
    assert client.count(index=index_name, body={"query": {"term": {"a": 3}}})["count"] == 1
    assert client.count(index=index_name, body={"query": {"term": {"c.keyword": "y"}}})["count"] == 1


def test_total_fields_limit(client, index_name):
    client.indices.create(index=index_name)
    with pytest.raises(RequestError) as ei:
        client.index(index=index_name, id="1", body={f"f{i}": i for i in range(1100)})
    assert_client_error(ei.value, 400, "illegal_argument_exception")
    assert "Limit of total fields [1000]" in ei.value.info["error"]["reason"]
    assert client.exists(index=index_name, id="1") is False


def test_mapping_depth_limit(client, index_name):
    # index.mapping.depth.limit defaults to 20 inner objects
    client.indices.create(index=index_name)
    deep = 1
    for _ in range(30):
        deep = {"o": deep}
    with pytest.raises(RequestError) as ei:
        client.index(index=index_name, id="1", body={"root": deep})
    assert_client_error(ei.value, 400, {"illegal_argument_exception", "mapper_parsing_exception"})
    assert client.exists(index=index_name, id="1") is False
    # a document within the limit is fine
    ok = 1
    for _ in range(10):
        ok = {"o": ok}
    assert client.index(index=index_name, id="2", body={"root": ok})["result"] == "created"
