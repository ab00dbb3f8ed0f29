"""Index create / get / exists / delete, mappings, invalid names."""

import pytest
from opensearchpy.exceptions import NotFoundError, RequestError

from support import assert_client_error, assert_error_shape

MAPPINGS = {
    "properties": {
        "title": {"type": "text"},
        "tag": {"type": "keyword"},
        "count": {"type": "long"},
        "ratio": {"type": "double"},
        "at": {"type": "date"},
        "ok": {"type": "boolean"},
    }
}


def create(client, name, replicas=0, **extra_settings):
    settings = {"number_of_shards": 1, "number_of_replicas": replicas}
    settings.update(extra_settings)
    return client.indices.create(index=name, body={"settings": settings, "mappings": MAPPINGS})


def test_create_and_get_index(client, index_name):
    resp = create(client, index_name, refresh_interval="2s")
    assert resp == {"acknowledged": True, "shards_acknowledged": True, "index": index_name}

    got = client.indices.get(index=index_name)
    assert list(got.keys()) == [index_name]
    idx = got[index_name]
    assert idx["aliases"] == {}
    props = idx["mappings"]["properties"]
    for field, spec in MAPPINGS["properties"].items():
        assert props[field]["type"] == spec["type"], field
    s = idx["settings"]["index"]
    # OpenSearch renders every setting value as a string.
    assert s["number_of_shards"] == "1"
    assert s["number_of_replicas"] == "0"
    assert s["refresh_interval"] == "2s"
    assert s["provided_name"] == index_name
    assert isinstance(s["uuid"], str) and s["uuid"]
    assert isinstance(s["creation_date"], str) and s["creation_date"].isdigit()


def test_create_existing_index_is_400(client, index_name):
    create(client, index_name)
    with pytest.raises(RequestError) as ei:
        create(client, index_name)
    assert_client_error(ei.value, 400, "resource_already_exists_exception")


def test_create_index_without_body(client, index_name):
    resp = client.indices.create(index=index_name)
    assert resp["acknowledged"] is True
    assert resp["index"] == index_name
    assert client.indices.exists(index=index_name) is True


def test_head_index(client, index_name):
    assert client.indices.exists(index=index_name) is False
    create(client, index_name)
    assert client.indices.exists(index=index_name) is True


def test_create_index_http_status(server, index_name):
    r = server.request("PUT", f"/{index_name}", json={"mappings": MAPPINGS})
    assert r.status_code == 200, r.text
    r = server.request("HEAD", f"/{index_name}")
    assert r.status_code == 200
    r = server.request("HEAD", f"/{index_name}-missing")
    assert r.status_code == 404


def test_get_mapping(client, index_name):
    create(client, index_name)
    m = client.indices.get_mapping(index=index_name)
    assert list(m.keys()) == [index_name]
    props = m[index_name]["mappings"]["properties"]
    assert props["tag"] == {"type": "keyword"}
    assert props["count"] == {"type": "long"}
    assert props["title"] == {"type": "text"}


def test_put_mapping_adds_field(client, index_name):
    create(client, index_name)
    resp = client.indices.put_mapping(index=index_name,
                                      body={"properties": {"extra": {"type": "keyword"}}})
    assert resp == {"acknowledged": True}
    props = client.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]
    assert props["extra"] == {"type": "keyword"}
    assert props["count"] == {"type": "long"}  # existing fields untouched
    # the new field is usable
    client.index(index=index_name, id="1", body={"extra": "x"}, refresh=True)
    assert client.count(index=index_name, body={"query": {"term": {"extra": "x"}}})["count"] == 1


def test_put_mapping_same_definition_is_ok(client, index_name):
    create(client, index_name)
    resp = client.indices.put_mapping(index=index_name, body={"properties": {"count": {"type": "long"}}})
    assert resp == {"acknowledged": True}


def test_put_mapping_change_type_is_400(client, index_name):
    create(client, index_name)
    with pytest.raises(RequestError) as ei:
        client.indices.put_mapping(index=index_name, body={"properties": {"count": {"type": "keyword"}}})
    assert_client_error(ei.value, 400, "illegal_argument_exception")
    assert "count" in ei.value.info["error"]["reason"]
    # mapping unchanged
    props = client.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]
    assert props["count"] == {"type": "long"}


def test_put_mapping_missing_index_is_404(client, index_name):
    with pytest.raises(NotFoundError) as ei:
        client.indices.put_mapping(index=index_name, body={"properties": {"a": {"type": "keyword"}}})
    assert_client_error(ei.value, 404, "index_not_found_exception")


def test_unknown_field_type_is_400(client, index_name):
    with pytest.raises(RequestError) as ei:
        client.indices.create(index=index_name,
                              body={"mappings": {"properties": {"a": {"type": "no_such_type"}}}})
    assert_client_error(ei.value, 400, "mapper_parsing_exception")
    assert client.indices.exists(index=index_name) is False


@pytest.mark.parametrize("bad", ["UpperCase", "_underscore", "-dash", "+plus", "with*star",
                                 "has#hash", "a:b", "with?question", 'quo"te', "lt<", "pipe|x"])
def test_invalid_index_name(client, bad):
    with pytest.raises(RequestError) as ei:
        client.indices.create(index=bad)
    assert_client_error(ei.value, 400, "invalid_index_name_exception")
    assert ei.value.info["error"]["index"] == bad


def test_invalid_index_name_raw(server):
    r = server.request("PUT", "/BadName")
    assert r.status_code == 400
    assert_error_shape(r.json(), 400, "invalid_index_name_exception")


def test_delete_index(client, index_name):
    create(client, index_name)
    client.index(index=index_name, id="1", body={"tag": "a"})
    assert client.indices.delete(index=index_name) == {"acknowledged": True}
    assert client.indices.exists(index=index_name) is False
    with pytest.raises(NotFoundError) as ei:
        client.indices.get(index=index_name)
    assert_client_error(ei.value, 404, "index_not_found_exception")
    assert ei.value.info["error"]["index"] == index_name
    # and it can be created again, empty
    create(client, index_name)
    with pytest.raises(NotFoundError):
        client.get(index=index_name, id="1")


def test_missing_index_is_404(client, index_name):
    for call in (lambda: client.indices.get(index=index_name),
                 lambda: client.indices.get_mapping(index=index_name),
                 lambda: client.indices.delete(index=index_name),
                 lambda: client.get(index=index_name, id="1"),
                 lambda: client.search(index=index_name, body={"query": {"match_all": {}}}),
                 lambda: client.count(index=index_name)):
        with pytest.raises(NotFoundError) as ei:
            call()
        assert_client_error(ei.value, 404, "index_not_found_exception")
