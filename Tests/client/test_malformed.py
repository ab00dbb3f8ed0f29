"""Malformed request bodies get OpenSearch-shaped 400s, and never hurt the node or its data."""

import pytest

from support import assert_error_shape

PARSE_TYPES = {"json_parse_exception", "parsing_exception", "x_content_parse_exception", "parse_exception"}
# Indexing a document whose source is not valid JSON: OpenSearch reports mapper_parsing_exception
# ("failed to parse") caused by json_parse_exception.
DOC_PARSE_TYPES = PARSE_TYPES | {"mapper_parsing_exception"}

BAD_BODIES = ['{"a": ', '{"a" 1}', "{bad json}", '{"a": [1, 2}', "not json at all", '{"a": "unterminated}']

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def idx(client, index_name):
    client.indices.create(index=index_name, body={"mappings": {"properties": {"n": {"type": "long"}}}})
    client.index(index=index_name, id="keep", body={"n": 42}, refresh=True)
    return index_name


def assert_still_serving(server, client, idx):
    assert server.alive(), "server process died"
    assert client.info()["version"]["distribution"] == "opensearch"
    g = client.get(index=idx, id="keep")
    assert g["_source"] == {"n": 42} and g["_version"] == 1
    client.index(index=idx, id="after", body={"n": 1})
    assert client.get(index=idx, id="after")["found"] is True


@pytest.mark.parametrize("bad", BAD_BODIES)
def test_malformed_document(server, client, idx, bad):
    r = server.request("PUT", f"/{idx}/_doc/x", data=bad, headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, DOC_PARSE_TYPES)
    assert client.exists(index=idx, id="x") is False
    assert_still_serving(server, client, idx)


@pytest.mark.parametrize("bad", BAD_BODIES[:3])
def test_malformed_search(server, client, idx, bad):
    r = server.request("POST", f"/{idx}/_search", data=bad, headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, PARSE_TYPES)
    assert_still_serving(server, client, idx)


def test_malformed_update(server, client, idx):
    r = server.request("POST", f"/{idx}/_update/keep", data='{"doc": {"n": ', headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, PARSE_TYPES)
    assert_still_serving(server, client, idx)


def test_malformed_create_index(server, client, idx, index_name):
    name = index_name + "-new"
    r = server.request("PUT", f"/{name}", data='{"mappings": {', headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, PARSE_TYPES)
    assert client.indices.exists(index=name) is False
    assert_still_serving(server, client, idx)


def test_malformed_put_mapping(server, client, idx):
    r = server.request("PUT", f"/{idx}/_mapping", data='{"properties": {"x": ', headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, PARSE_TYPES)
    assert_still_serving(server, client, idx)


def test_malformed_mget(server, client, idx):
    r = server.request("POST", f"/{idx}/_mget", data='{"ids": [', headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, PARSE_TYPES)
    assert_still_serving(server, client, idx)


def test_malformed_count(server, client, idx):
    r = server.request("POST", f"/{idx}/_count", data='{"query": {"match_all": {}', headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, PARSE_TYPES)
    assert_still_serving(server, client, idx)


def test_invalid_utf8_document(server, client, idx):
    r = server.request("PUT", f"/{idx}/_doc/u", data=b'{"s": "\xff\xfe"}', headers=JSON)
    assert r.status_code == 400, r.text
    assert_error_shape(r.json(), 400, DOC_PARSE_TYPES)
    assert_still_serving(server, client, idx)


def test_corrupt_gzip_body(server, client, idx):
    import requests
    try:
        r = server.request("POST", "/_bulk", data=b"\x1f\x8b\x08\x00garbage-not-really-gzip",
                           headers={"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"})
        assert r.status_code != 200 and r.status_code < 500, r.text  # a client error, not success
    except requests.ConnectionError:
        pass  # closing the connection is acceptable too
    assert_still_serving(server, client, idx)


def test_unknown_query_type_is_400(client, idx):
    from opensearchpy.exceptions import RequestError
    with pytest.raises(RequestError) as ei:
        client.search(index=idx, body={"query": {"no_such_query": {}}})
    assert ei.value.status_code == 400
    assert_error_shape(ei.value.info, 400, {"parsing_exception", "x_content_parse_exception",
                                            "named_object_not_found_exception"})


@pytest.mark.parametrize("depth", [5_000, 200_000])
def test_deeply_nested_json_is_rejected_not_crashing(server, client, idx, depth):
    doc = '{"a":' + "[" * depth + "1" + "]" * depth + "}"
    r = server.request("PUT", f"/{idx}/_doc/deep", data=doc, headers=JSON)
    assert r.status_code == 400, r.text[:300]
    assert_error_shape(r.json(), 400, DOC_PARSE_TYPES | {"illegal_argument_exception"})
    q = '{"query":' + '{"bool":{"must":' * depth + '{"match_all":{}}' + "}}" * depth + "}"
    r = server.request("POST", f"/{idx}/_search", data=q, headers=JSON)
    assert r.status_code == 400, r.text[:300]
    bulk = '{"index":{"_index":"%s","_id":"deep"}}\n%s\n' % (idx, doc)
    r = server.request("POST", "/_bulk", data=bulk, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 200:
        assert r.json()["items"][0]["index"]["status"] == 400
    assert client.exists(index=idx, id="deep") is False
    assert_still_serving(server, client, idx)
