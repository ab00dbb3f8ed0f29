"""GET /, HEAD /, cluster health."""


def test_root_info(client):
    info = client.info()
    assert info["version"]["distribution"] == "opensearch"
    assert info["version"]["number"] == "2.17.0"
    assert isinstance(info["name"], str) and info["name"]
    assert isinstance(info["cluster_name"], str) and info["cluster_name"]
    assert isinstance(info["cluster_uuid"], str) and info["cluster_uuid"]
    assert info["tagline"] == "The OpenSearch Project: https://opensearch.org/"


def test_root_raw_http(server):
    r = server.request("GET", "/")
    assert r.status_code == 200
    assert r.headers.get("content-type", "").split(";")[0].strip() == "application/json"
    assert r.json()["version"]["distribution"] == "opensearch"


def test_ping(client):
    assert client.ping() is True


def test_cluster_health(client):
    h = client.cluster.health()
    assert h["status"] in ("green", "yellow")
    assert h["timed_out"] is False
    assert h["number_of_nodes"] == 1
    assert h["number_of_data_nodes"] == 1
    assert isinstance(h["cluster_name"], str) and h["cluster_name"]
    assert h["cluster_name"] == client.info()["cluster_name"]
    for k in ("active_primary_shards", "active_shards", "relocating_shards",
              "initializing_shards", "unassigned_shards"):
        assert isinstance(h[k], int), k


def test_cluster_health_for_index(client, index_name):
    client.indices.create(index=index_name,
                          body={"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    h = client.cluster.health(index=index_name)
    assert h["status"] == "green"
    assert h["active_primary_shards"] == 1
