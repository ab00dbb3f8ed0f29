"""Security (issue #8): users file written by `searchlight user add`, HTTP basic and API-key
authentication, role permissions on every endpoint family (a matrix of role x endpoint ->
expected status), scroll/PIT ownership, failed-login throttling, TLS with a self-signed
certificate made here, the non-loopback bind refusal, and the per-client concurrency limit."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from opensearchpy.exceptions import AuthenticationException, AuthorizationException

from support import SearchlightServer, assert_error_shape, free_port, server_binary
from test_processor import envelope, make_log

PASSWORDS = {"admin": "admin-pw", "proc": "proc-pw", "dash": "dash-pw"}
ROLES = {"admin": "admin", "proc": "processor", "dash": "dashboard"}


def cli(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(server_binary()), *args], input=stdin, capture_output=True, text=True, timeout=60)


def add_users(data: Path) -> dict:
    """Writes the users file through the CLI; returns the processor API key's answer."""
    for user, pw in PASSWORDS.items():
        if user == "dash":  # the stdin path
            r = cli("user", "add", user, "--role", ROLES[user], "--password-stdin", "--cost", "4", "--data", str(data), stdin=pw + "\n")
        else:
            r = cli("user", "add", user, "--role", ROLES[user], "--password", pw, "--cost", "4", "--data", str(data))
        assert r.returncode == 0, r.stderr
    bad = cli("user", "add", "x", "--role", "no-such-role", "--password", "p", "--data", str(data))
    assert bad.returncode != 0 and "unknown role" in bad.stderr
    r = cli("user", "api-key", "ingest", "--role", "processor", "--data", str(data))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    root = tmp_path_factory.mktemp("secured")
    key = add_users(root / "data")
    srv = SearchlightServer(root / "data", root / "logs", auth=("admin", PASSWORDS["admin"]))
    srv.start()
    srv.api_key = key
    # Data every role's checks run against.
    a = srv.request
    for name in ["request-events-2026.11.01", "session-summaries", "secret"]:
        assert a("PUT", f"/{name}").status_code == 200
        assert a("PUT", f"/{name}/_doc/1?refresh=true", json={"service": "api", "n": 1}).status_code == 201
    r = a("POST", "/_aliases", json={"actions": [{"add": {"index": "secret", "alias": "sneaky"}},
                                                  {"add": {"index": "request-events-2026.11.01", "alias": "events"}}]})
    assert r.status_code == 200, r.text
    for role in ROLES:
        assert a("PUT", f"/request-events-del-{role}").status_code == 200
    yield srv
    srv.kill()


def as_user(srv, user, method, path, **kw):
    return srv.request(method, path, auth=(user, PASSWORDS[user]), **kw)


def bulk_body(role):
    lines = [{"index": {"_index": "session-summaries", "_id": f"b-{role}"}}, {"n": 1},
             {"index": {"_index": "secret", "_id": f"b-{role}"}}, {"n": 2}]
    return "".join(json.dumps(l) + "\n" for l in lines)


MSEARCH = "".join(json.dumps(l) + "\n" for l in [{"index": "request-events-*"}, {"query": {"match_all": {}}},
                                                  {"index": "secret"}, {"query": {"match_all": {}}}])
AGGS = {"size": 0, "aggs": {"s": {"terms": {"field": "service.keyword"}}}}

# (family, request(role) -> response, expected status for admin, proc, dash)
MATRIX = [
    ("index create", lambda s, u: as_user(s, u, "PUT", f"/request-events-new-{u}"), 200, 200, 403),
    ("index delete", lambda s, u: as_user(s, u, "DELETE", f"/request-events-del-{u}"), 200, 403, 403),
    ("mapping put", lambda s, u: as_user(s, u, "PUT", "/session-summaries/_mapping",
                                         json={"properties": {"f": {"type": "keyword"}}}), 200, 403, 403),
    ("mapping get", lambda s, u: as_user(s, u, "GET", "/request-events-*/_mapping"), 200, 200, 200),
    ("index exists", lambda s, u: as_user(s, u, "HEAD", "/session-summaries"), 200, 200, 200),
    ("settings put", lambda s, u: as_user(s, u, "PUT", "/session-summaries/_settings",
                                          json={"index": {"refresh_interval": "1s"}}), 200, 403, 403),
    ("doc write", lambda s, u: as_user(s, u, "PUT", f"/session-summaries/_doc/w-{u}", json={"n": 1}), 201, 201, 403),
    ("doc write forbidden index", lambda s, u: as_user(s, u, "PUT", f"/secret/_doc/w-{u}", json={"n": 1}), 201, 403, 403),
    ("doc get", lambda s, u: as_user(s, u, "GET", "/request-events-2026.11.01/_doc/1"), 200, 403, 200),
    ("doc delete", lambda s, u: as_user(s, u, "DELETE", f"/session-summaries/_doc/nothing-{u}"), 404, 404, 403),
    ("search", lambda s, u: as_user(s, u, "POST", "/request-events-*/_search", json={}), 200, 403, 200),
    ("search forbidden index", lambda s, u: as_user(s, u, "POST", "/secret/_search", json={}), 200, 403, 403),
    ("search all indices", lambda s, u: as_user(s, u, "POST", "/_search", json={}), 200, 403, 403),
    ("search alias to allowed", lambda s, u: as_user(s, u, "POST", "/events/_search", json={}), 200, 403, 200),
    ("search alias to forbidden", lambda s, u: as_user(s, u, "POST", "/sneaky/_search", json={}), 200, 403, 403),
    ("count", lambda s, u: as_user(s, u, "GET", "/session-summaries/_count"), 200, 403, 200),
    ("aggregations", lambda s, u: as_user(s, u, "POST", "/request-events-*/_search", json=AGGS), 200, 403, 200),
    ("mget", lambda s, u: as_user(s, u, "POST", "/_mget", json={"docs": [{"_index": "secret", "_id": "1"}]}), 200, 403, 403),
    ("field caps", lambda s, u: as_user(s, u, "GET", "/request-events-*/_field_caps?fields=*"), 200, 403, 200),
    ("cat indices allowed", lambda s, u: as_user(s, u, "GET", "/_cat/indices/session-summaries"), 200, 200, 200),
    ("cat indices all", lambda s, u: as_user(s, u, "GET", "/_cat/indices"), 200, 403, 403),
    ("cat health", lambda s, u: as_user(s, u, "GET", "/_cat/health"), 200, 200, 200),
    ("cluster health", lambda s, u: as_user(s, u, "GET", "/_cluster/health"), 200, 200, 200),
    ("cluster settings put", lambda s, u: as_user(s, u, "PUT", "/_cluster/settings",
                                                  json={"persistent": {"search.max_buckets": 65535}}), 200, 403, 403),
    ("index template put", lambda s, u: as_user(s, u, "PUT", f"/_index_template/t-{u}",
                                                json={"index_patterns": [f"zz-{u}-*"]}), 200, 403, 403),
    ("alias add to forbidden", lambda s, u: as_user(s, u, "POST", "/_aliases",
                                                    json={"actions": [{"add": {"index": "secret", "alias": f"a-{u}"}}]}), 200, 403, 403),
    ("alias get", lambda s, u: as_user(s, u, "GET", "/request-events-2026.11.01/_alias"), 200, 200, 200),
    ("update by query", lambda s, u: as_user(s, u, "POST", "/session-summaries/_update_by_query?conflicts=proceed&refresh=true", json={}), 200, 200, 403),
    ("reindex", lambda s, u: as_user(s, u, "POST", "/_reindex?refresh=true",
                                     json={"source": {"index": "secret"}, "dest": {"index": f"session-copy-{u}"}}), 200, 403, 403),
    ("processor", lambda s, u: as_user(s, u, "POST", "/_processor/cloudwatch", data=envelope(make_log(n_sessions=1, seed=3)),
                                       headers={"Content-Type": "application/json"}), 200, 200, 403),
    ("export csv", lambda s, u: as_user(s, u, "GET", "/request-events-*/_export/csv"), 200, 403, 200),
    ("authinfo", lambda s, u: as_user(s, u, "GET", "/_plugins/_security/authinfo"), 200, 200, 200),
    ("root", lambda s, u: as_user(s, u, "GET", "/"), 200, 200, 200),
]


@pytest.mark.parametrize("user", ["admin", "proc", "dash"])
@pytest.mark.parametrize("family,call,e_admin,e_proc,e_dash", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(secured, user, family, call, e_admin, e_proc, e_dash):
    expected = {"admin": e_admin, "proc": e_proc, "dash": e_dash}[user]
    r = call(secured, user)
    assert r.status_code == expected, f"{family} as {user}: {r.status_code} {r.text[:300]}"
    if expected == 403 and r.request.method != "HEAD":
        body = r.json()
        assert_error_shape(body, 403, "security_exception")
        assert "no permissions for [" in body["error"]["reason"] and f"name={user}" in body["error"]["reason"]


@pytest.mark.parametrize("user,statuses", [("admin", [201, 201]), ("proc", [201, 403]), ("dash", [403, 403])])
def test_bulk_items_checked_one_by_one(secured, user, statuses):
    r = as_user(secured, user, "POST", "/_bulk", data=bulk_body(user), headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    items = [next(iter(i.values())) for i in r.json()["items"]]
    assert [i["status"] for i in items] == statuses
    assert r.json()["errors"] == (403 in statuses)
    for i in items:
        if i["status"] == 403:
            assert i["error"]["type"] == "security_exception" and i["_index"] in ("secret", "session-summaries")


@pytest.mark.parametrize("user,statuses", [("admin", [200, 200]), ("proc", [403, 403]), ("dash", [200, 403])])
def test_msearch_items_checked_one_by_one(secured, user, statuses):
    r = as_user(secured, user, "POST", "/_msearch", data=MSEARCH, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    got = [x.get("status") for x in r.json()["responses"]]
    assert got == statuses
    for x in r.json()["responses"]:
        if x.get("status") == 403:
            assert x["error"]["type"] == "security_exception"


def test_scroll_and_pit_belong_to_their_creator(secured):
    r = as_user(secured, "dash", "POST", "/request-events-*/_search?scroll=1m", json={"size": 1})
    assert r.status_code == 200, r.text
    sid = r.json()["_scroll_id"]
    other = as_user(secured, "admin", "POST", "/_search/scroll", json={"scroll_id": sid, "scroll": "1m"})
    assert other.status_code == 403 and other.json()["error"]["type"] == "security_exception"
    assert as_user(secured, "admin", "DELETE", "/_search/scroll", json={"scroll_id": sid}).status_code == 403
    assert as_user(secured, "dash", "POST", "/_search/scroll", json={"scroll_id": sid, "scroll": "1m"}).status_code == 200
    assert as_user(secured, "dash", "DELETE", "/_search/scroll", json={"scroll_id": sid}).status_code == 200

    r = as_user(secured, "dash", "POST", "/request-events-*/_search/point_in_time?keep_alive=1m")
    assert r.status_code == 200, r.text
    pit = r.json()["pit_id"]
    body = {"pit": {"id": pit}, "size": 1}
    other = as_user(secured, "admin", "POST", "/_search", json=body)
    assert other.status_code == 403 and other.json()["error"]["type"] == "security_exception"
    mine = as_user(secured, "dash", "POST", "/_search", json=body)
    assert mine.status_code == 200 and mine.json()["hits"]["total"]["value"] == 1
    assert as_user(secured, "admin", "DELETE", "/_search/point_in_time", json={"pit_id": pit}).status_code == 403
    assert as_user(secured, "dash", "DELETE", "/_search/point_in_time", json={"pit_id": pit}).status_code == 200
    # Opening a PIT is a read: the processor may not.
    assert as_user(secured, "proc", "POST", "/request-events-*/_search/point_in_time?keep_alive=1m").status_code == 403


def test_unauthenticated_answers_401_with_challenge(secured):
    for auth in [None, ("admin", "wrong"), ("nobody", "x")]:
        r = secured.request("GET", "/_cluster/health", auth=auth)
        assert r.status_code == 401
        assert r.headers.get("WWW-Authenticate", "").startswith("Basic realm=")
    r = secured.request("GET", "/", headers={"Authorization": "ApiKey " + base64.b64encode(b"nokey:nosecret").decode()})
    assert r.status_code == 401
    client = secured.client(http_auth=("dash", "wrong"))
    with pytest.raises(AuthenticationException):
        client.search(index="request-events-*")
    ok = secured.client(http_auth=("dash", PASSWORDS["dash"]))
    # Other tests write to request-events-* too: compare with what the admin sees after a refresh.
    admin = secured.client(http_auth=("admin", PASSWORDS["admin"]))
    admin.indices.refresh(index="request-events-*")
    want = admin.count(index="request-events-*")["count"]
    assert want >= 1
    assert ok.search(index="request-events-*")["hits"]["total"]["value"] == want
    with pytest.raises(AuthorizationException):
        ok.search(index="secret")


def test_api_key_and_authinfo(secured):
    key = secured.api_key
    assert base64.b64decode(key["encoded"]).decode() == f"{key['id']}:{key['api_key']}"
    h = {"Authorization": "ApiKey " + key["encoded"]}
    info = secured.request("GET", "/_plugins/_security/authinfo", headers=h)
    assert info.status_code == 200, info.text
    assert info.json()["user_name"] == "ingest" and info.json()["roles"] == ["processor"]
    assert info.json()["authentication_method"] == "api_key"
    r = secured.request("POST", "/_bulk", headers={**h, "Content-Type": "application/x-ndjson"},
                        data=json.dumps({"index": {"_index": "request-events-2026.11.02"}}) + "\n{}\n")
    assert r.status_code == 200 and not r.json()["errors"], r.text
    assert secured.request("POST", "/request-events-*/_search", headers=h, json={}).status_code == 403
    me = as_user(secured, "dash", "GET", "/_plugins/_security/authinfo").json()
    assert me["user_name"] == "dash" and me["roles"] == ["dashboard"] and me["remote_address"].startswith("127.0.0.1:")


def test_users_file_changes_apply_without_restart(secured):
    r = cli("user", "add", "late", "--role", "dashboard", "--password", "late-pw", "--cost", "4", "--data", str(secured.data_dir))
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if secured.request("GET", "/_plugins/_security/authinfo", auth=("late", "late-pw")).status_code == 200:
            break
        time.sleep(0.3)
    else:
        pytest.fail("a user added to the users file was not picked up")
    listing = cli("user", "list", "--data", str(secured.data_dir))
    assert "late" in listing.stdout and "processor (built-in)" in listing.stdout


def test_brute_force_login_is_throttled(tmp_path):
    data = tmp_path / "data"
    r = cli("user", "add", "victim", "--role", "dashboard", "--password", "right", "--cost", "4", "--data", str(data))
    assert r.returncode == 0, r.stderr
    srv = SearchlightServer(data, tmp_path / "logs", auth=("victim", "right"),
                            extra_args=["--auth-failure-limit", "5", "--auth-failure-window", "60", "--auth-block-seconds", "2"])
    srv.start()
    try:
        statuses = [srv.request("GET", "/", auth=("victim", f"guess{i}")).status_code for i in range(8)]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 3
        blocked = srv.request("GET", "/", auth=("victim", "right"))
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
        assert_error_shape(blocked.json(), 429, "rejected_execution_exception")
        time.sleep(2.5)
        assert srv.request("GET", "/", auth=("victim", "right")).status_code == 200
    finally:
        srv.kill()


def self_signed_certificate(cert: Path, key: Path) -> None:
    """A certificate for localhost/127.0.0.1: openssl when installed, else Python's cryptography."""
    if shutil.which("openssl"):
        made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                               "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                              capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        return
    crypto = pytest.importorskip("cryptography")  # noqa: F841
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + datetime.timedelta(days=1))
         .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                        critical=False)
         .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
         .sign(k, hashes.SHA256()))
    cert.write_bytes(c.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption()))


def test_tls_with_self_signed_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    self_signed_certificate(cert, key)
    data = tmp_path / "data"
    assert cli("user", "add", "admin", "--role", "admin", "--password", "pw", "--cost", "4", "--data", str(data)).returncode == 0
    srv = SearchlightServer(data, tmp_path / "logs", auth=("admin", "pw"), tls_ca=cert,
                            extra_args=["--tls-cert", str(cert), "--tls-key", str(key)])
    srv.start()
    try:
        client = srv.client()
        client.indices.create(index="tls-index")
        client.index(index="tls-index", body={"a": 1}, id="1", refresh=True)
        assert client.search(index="tls-index")["hits"]["total"]["value"] == 1
        # Keep-alive: many requests over one TLS connection.
        with requests.Session() as s:
            for _ in range(5):
                assert s.get(srv.url + "/", auth=("admin", "pw"), verify=str(cert)).status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(srv.url + "/", auth=("admin", "pw"), verify=True, timeout=5)  # not a trusted CA
        with pytest.raises(requests.RequestException):
            requests.get(f"http://127.0.0.1:{srv.port}/", auth=("admin", "pw"), timeout=5)  # plain HTTP is not spoken
    finally:
        srv.kill()


def test_non_loopback_bind_needs_users_file_or_insecure(tmp_path):
    port = free_port()
    r = subprocess.run([str(server_binary()), "serve", "--host", "0.0.0.0", "--port", str(port), "--data", str(tmp_path / "d")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "refusing to bind non-loopback address 0.0.0.0" in r.stderr + r.stdout
    srv = SearchlightServer(tmp_path / "d", tmp_path / "logs", host="0.0.0.0", extra_args=["--insecure"])
    srv.start()
    try:
        assert requests.get(f"http://127.0.0.1:{srv.port}/", timeout=5).status_code == 200
    finally:
        srv.kill()


def test_per_client_concurrency_limit(tmp_path):
    srv = SearchlightServer(tmp_path / "data", tmp_path / "logs", extra_args=["--max-concurrent-per-client", "2"])
    srv.start()
    held = []
    try:
        # Two requests whose bodies have not arrived yet hold this client's two slots.
        for _ in range(2):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(b"POST /_search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{")
            held.append(s)
        time.sleep(0.5)
        r = requests.get(srv.url + "/_cluster/health", timeout=10)
        assert r.status_code == 429
        assert_error_shape(r.json(), 429, "rejected_execution_exception")
        for s in held:
            s.sendall(b"}")
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
        assert requests.get(srv.url + "/_cluster/health", timeout=10).status_code == 200
    finally:
        for s in held:
            s.close()
        srv.kill()


def test_ingest_and_export_commands_send_credentials(secured, tmp_path):
    payload = tmp_path / "logs.ndjson"
    payload.write_text(envelope(make_log(n_sessions=3, seed=7)) + "\n")
    base = ["ingest", str(payload), "--url", secured.url, "--quiet", "--batch-size", "50"]
    denied = cli(*base)
    assert denied.returncode != 0
    r = cli(*base, "--api-key", secured.api_key["encoded"])
    assert r.returncode == 0, r.stderr
    as_user(secured, "admin", "POST", "/_refresh")
    out = tmp_path / "out.csv"
    r = cli("export", "--url", secured.url, "--index", "session-summaries", "--out", str(out), "--quiet", "--user", "dash:" + PASSWORDS["dash"])
    assert r.returncode == 0, r.stderr
    assert len(out.read_text().splitlines()) > 3
    assert cli("export", "--url", secured.url, "--index", "secret", "--out", str(out), "--quiet",
               "--user", "dash:" + PASSWORDS["dash"]).returncode != 0
