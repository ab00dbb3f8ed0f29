"""Index lifecycle (ISM) under a test clock: rollover, then deletion after retention; the bundled
request-events template and retention policy on daily indices."""

import tempfile
from pathlib import Path

import pytest
from opensearchpy.exceptions import NotFoundError

from support import SearchlightServer

DAY = 86_400_000
T0 = 1_795_000_000_000   # 2026-11-19T...Z


@pytest.fixture
def clocked(server_root):
    d = Path(tempfile.mkdtemp(prefix="ism-", dir=server_root))
    srv = SearchlightServer(d / "data", d / "logs", extra_args=["--test-clock"])
    srv.start()
    yield srv
    srv.kill()


def tick(srv, now):
    r = srv.request("POST", f"/_plugins/_ism/_tick?now={now}")
    assert r.status_code == 200, r.text
    return r.json()


def test_tick_endpoint_needs_test_clock(server):
    assert server.request("POST", "/_plugins/_ism/_tick?now=1").status_code in (400, 404, 405)


def test_rollover_then_delete(clocked):
    c = clocked.client()
    tick(clocked, T0)
    c.indices.put_index_template(name="app", body={"index_patterns": ["app-*"], "template": {"settings": {
        "number_of_replicas": 0, "plugins.index_state_management.rollover_alias": "app"}}})
    policy = {"policy": {"description": "roll at 2 docs, delete a day later", "default_state": "hot",
                         "states": [
                             {"name": "hot", "actions": [{"rollover": {"min_doc_count": 2}}],
                              "transitions": [{"state_name": "delete", "conditions": {"min_index_age": "1d"}}]},
                             {"name": "delete", "actions": [{"delete": {}}], "transitions": []}],
                         "ism_template": [{"index_patterns": ["app-*"], "priority": 1}]}}
    r = clocked.request("PUT", "/_plugins/_ism/policies/app-policy", json=policy)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["_id"] == "app-policy" and body["_primary_term"] == 1
    seq = body["_seq_no"]
    # Updating needs the sequence number.
    assert clocked.request("PUT", "/_plugins/_ism/policies/app-policy", json=policy).status_code == 409
    assert clocked.request("PUT", f"/_plugins/_ism/policies/app-policy?if_seq_no={seq + 5}&if_primary_term=1", json=policy).status_code == 409
    r = clocked.request("PUT", f"/_plugins/_ism/policies/app-policy?if_seq_no={seq}&if_primary_term=1", json=policy)
    assert r.status_code == 200 and r.json()["_seq_no"] > seq
    assert clocked.request("GET", "/_plugins/_ism/policies/app-policy").json()["_seq_no"] == r.json()["_seq_no"]

    c.indices.create(index="app-000001", body={"aliases": {"app": {"is_write_index": True}}})
    ex = clocked.request("GET", "/_plugins/_ism/explain/app-000001").json()
    assert ex["app-000001"]["policy_id"] == "app-policy"
    assert ex["total_managed_indices"] == 1

    c.index(index="app", body={"n": 1}, refresh=True)
    tick(clocked, T0 + 1000)
    assert not c.indices.exists(index="app-000002")           # min_doc_count not reached
    assert clocked.request("GET", "/_plugins/_ism/explain/app-000001").json()["app-000001"]["state"]["name"] == "hot"

    c.index(index="app", body={"n": 2}, refresh=True)
    tick(clocked, T0 + 2000)
    assert c.indices.exists(index="app-000002")
    aliases = c.indices.get_alias(name="app")
    assert aliases["app-000002"]["aliases"]["app"]["is_write_index"] is True
    uuid = c.indices.get_settings(index="app-000001")["app-000001"]["settings"]["index"]["uuid"]
    assert (clocked.data_dir / "indices" / uuid).exists()

    tick(clocked, T0 + DAY // 2)
    assert c.indices.exists(index="app-000001")                 # younger than a day
    tick(clocked, T0 + DAY + 5000)
    assert not c.indices.exists(index="app-000001")             # deleted by the policy
    assert not (clocked.data_dir / "indices" / uuid).exists()   # and its files
    assert c.indices.exists(index="app-000002")                 # still waiting for its rollover
    ex = clocked.request("GET", "/_plugins/_ism/explain/app-000002").json()["app-000002"]
    assert ex["state"]["name"] == "hot" and ex["action"]["name"] == "rollover"

    # remove + add
    r = clocked.request("POST", "/_plugins/_ism/remove/app-000002").json()
    assert r == {"updated_indices": 1, "failures": False, "failed_indices": []}
    assert clocked.request("GET", "/_plugins/_ism/explain/app-000002").json()["total_managed_indices"] == 0
    r = clocked.request("POST", "/_plugins/_ism/add/app-000002", json={"policy_id": "app-policy"}).json()
    assert r["updated_indices"] == 1
    assert clocked.request("DELETE", "/_plugins/_ism/policies/app-policy").json()["result"] == "deleted"
    assert clocked.request("GET", "/_plugins/_ism/policies/app-policy").status_code == 404


def test_daily_request_events_retention(clocked):
    """The 'done means' path: daily indices via _bulk get the bundled template, are searchable
    through request-events-* and the request-events alias, and the bundled policy deletes a day
    whose date (in its name) is older than 365 days, even though the index itself is new."""
    c = clocked.client()
    now = 1_795_392_000_000  # 2026-11-22T00:00:00Z
    tick(clocked, now)
    days = ["2025.11.20", "2026.11.20", "2026.11.21"]
    body = []
    for d in days:
        ts = d.replace(".", "-") + "T10:00:00Z"
        for i in range(3):
            body += [{"index": {"_index": f"request-events-{d}"}},
                     {"timestamp": ts, "session_id": f"s{i}", "user": "ann", "path": "/x", "method": "GET",
                      "module": "m", "assetType": "a", "siteToken": "t", "status_code": 200, "response_time": 12}]
    assert not c.bulk(body=body, refresh=True)["errors"]
    m = c.indices.get_mapping(index="request-events-2026.11.20")["request-events-2026.11.20"]["mappings"]["properties"]
    assert m["timestamp"]["type"] == "date" and m["status_code"]["type"] == "integer" and m["siteToken"]["type"] == "keyword"
    assert c.count(index="request-events-*")["count"] == 9
    assert c.count(index="request-events")["count"] == 9       # the template's alias
    tick(clocked, now + 1000)
    assert not c.indices.exists(index="request-events-2025.11.20")
    assert c.count(index="request-events-*")["count"] == 6
    assert c.indices.exists(index="request-events-2026.11.20")
    ex = clocked.request("GET", "/_plugins/_ism/explain/request-events-2026.11.20").json()["request-events-2026.11.20"]
    assert ex["policy_id"] == "request-events-retention"
    assert ex["origination_date"] == 1_795_132_800_000          # 2026-11-20T00:00:00Z


def test_bootstrap_reinstalls(new_server):
    import subprocess
    srv = new_server()
    c = srv.client()
    c.indices.delete_index_template(name="session-summaries")
    out = subprocess.run([str(srv.binary), "bootstrap", "--url", srv.url, "--retention-days", "90"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "policy/request-events-retention" in out.stdout
    names = [t["name"] for t in c.indices.get_index_template()["index_templates"]]
    assert "session-summaries" in names
    p = srv.request("GET", "/_plugins/_ism/policies/request-events-retention").json()
    assert p["policy"]["states"][0]["transitions"][0]["conditions"]["min_index_age"] == "90d"
    # Offline mode against the stopped server's data directory; the deletion then survives a restart
    # (the first-start install does not run again).
    c.indices.delete_index_template(name="request-events")
    srv.stop()
    srv.start()
    names = [t["name"] for t in srv.client().indices.get_index_template()["index_templates"]]
    assert "request-events" not in names
    srv.stop()
    out = subprocess.run([str(srv.binary), "bootstrap", "--data", str(srv.data_dir)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    srv.start()
    names = [t["name"] for t in srv.client().indices.get_index_template()["index_templates"]]
    assert "request-events" in names
