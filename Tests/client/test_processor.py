"""The log processor: CloudWatch Logs subscription payloads and JSON lines into daily
request-events-YYYY.MM.DD indices and session-summaries upserts. 8 concurrent ingesters (4 posting
to POST /_processor/cloudwatch, 4 running `searchlight ingest` on payload files) replay the same
logs in different orders; the summaries must equal the reference computed here from the logs, and
every event must sit in its UTC day's index exactly once."""

import base64
import gzip
import json
import random
import subprocess
import threading
from datetime import datetime, timezone

from support import server_binary

HEALTH = {"/health", "/healthz", "/healthcheck", "/ping", "/ready", "/readyz", "/live", "/livez", "/status/health",
          "/favicon.ico", "/robots.txt"}
STATIC = {"js", "mjs", "css", "map", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "woff", "woff2", "ttf", "eot", "otf"}


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def day(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y.%m.%d")


def make_log(n_sessions=150, seed=5):
    """(cloudwatch_id, timestamp_ms, message) triples; a few health checks, static assets and bad lines."""
    rng = random.Random(seed)
    base = 1_795_190_000_000  # 2026-11-20T15:53Z: sessions cross the UTC midnight
    out = []
    n = 0
    for s in range(n_sessions):
        sid, user = f"sess-{s}", f"user-{rng.randrange(30)}"
        ts = base + rng.randrange(0, 36 * 3_600_000)
        for _ in range(rng.randrange(1, 12)):
            ts += rng.randrange(100, 60_000)
            n += 1
            r = rng.random()
            if r < 0.05:
                path = rng.choice(["/health", "/ping"])
            elif r < 0.1:
                path = rng.choice(["/static/app.js", "/static/site.css", "/img/logo.png", "/fonts/a.woff2"])
            else:
                path = rng.choice(["/", "/reports", "/reports/export", "/search", "/api/beacon", "/documents/view"])
            if rng.random() < 0.5:
                msg = {"timestamp": iso(ts), "sessionId": sid, "user": user, "path": path, "method": "GET",
                       "status": rng.choice([200, 200, 200, 304, 404, 500]), "responseTime": rng.randrange(1, 900)}
                if path == "/api/beacon":
                    msg["module"] = rng.choice(["reports", "search", "admin"])
                if rng.random() < 0.3:
                    msg["assetType"] = rng.choice(["pdf", "csv"])
                if rng.random() < 0.3:
                    msg["siteToken"] = rng.choice(["t1", "t2", "t3"])
            else:  # snake_case, epoch millis
                msg = {"timestamp": ts, "session_id": sid, "user": user, "path": path, "method": "GET",
                       "status_code": 200, "response_time": rng.randrange(1, 900)}
                if path == "/api/beacon":
                    msg["module"] = rng.choice(["reports", "search", "admin"])
                if rng.random() < 0.3:
                    msg["asset_type"] = rng.choice(["pdf", "csv"])
                if rng.random() < 0.3:
                    msg["site_token"] = rng.choice(["t1", "t2", "t3"])
            text = json.dumps(msg)
            if rng.random() < 0.02:
                text = text[:-5]  # truncated: unparsable
            out.append((f"{ts}{n:020d}", ts, text))
    return out


def keep(msg):
    path = msg["path"]
    last = path.rsplit("/", 1)[-1]
    return path not in HEALTH and not ("." in last and last.rsplit(".", 1)[-1].lower() in STATIC)


def reference(log):
    events, sessions = {}, {}
    for eid, ts, text in log:
        try:
            msg = json.loads(text)
        except ValueError:
            continue
        if not keep(msg):
            continue
        events[eid] = (ts, msg)
    for eid, (ts, msg) in events.items():
        sid = msg.get("sessionId") or msg.get("session_id")
        s = sessions.setdefault(sid, {"session_id": sid, "event_ids": set(), "user": msg["user"], "start_ms": ts, "end_ms": ts,
                                      "modules": set(), "paths": set(), "assetTypes": set(), "siteTokens": set()})
        s["event_ids"].add(eid)
        s["user"] = min(s["user"], msg["user"])
        s["start_ms"], s["end_ms"] = min(s["start_ms"], ts), max(s["end_ms"], ts)
        s["paths"].add(msg["path"])
        for key, alias, field in (("module", "module", "modules"), ("assetType", "asset_type", "assetTypes"),
                                  ("siteToken", "site_token", "siteTokens")):
            v = msg.get(key) or msg.get(alias)
            if v:
                s[field].add(v)
    out = {}
    for sid, s in sessions.items():
        doc = {"session_id": sid, "event_ids": sorted(s["event_ids"]), "user": s["user"],
               "start_ms": s["start_ms"], "end_ms": s["end_ms"], "start_time": iso(s["start_ms"]), "end_time": iso(s["end_ms"]),
               "duration_seconds": (s["end_ms"] - s["start_ms"]) / 1000.0, "event_count": len(s["event_ids"])}
        for f in ("modules", "paths", "assetTypes", "siteTokens"):
            if s[f]:
                doc[f] = sorted(s[f])
        out[sid] = doc
    return events, out


def envelope(events, control=False):
    payload = {"messageType": "CONTROL_MESSAGE" if control else "DATA_MESSAGE", "owner": "123456789012",
               "logGroup": "/app/requests", "logStream": "i-0abc", "subscriptionFilters": ["searchlight"],
               "logEvents": [{"id": i, "timestamp": ts, "message": m} for i, ts, m in events]}
    data = base64.b64encode(gzip.compress(json.dumps(payload).encode())).decode()
    return json.dumps({"awslogs": {"data": data}})


def test_payload_decoding_and_errors(server, index_name):
    q = f"?events_index_prefix={index_name}-ev-&summaries_index={index_name}-sum&refresh=true"
    log = make_log(n_sessions=5, seed=1)
    r = server.request("POST", "/_processor/cloudwatch" + q, data=envelope(log), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    body = r.json()
    events, summaries = reference(log)
    assert body["events"] == len(events) and body["sessions"] == len(summaries) and body["errors"] == 0
    assert body["lines"] == len(log) and body["skipped"] + body["unparsable"] + body["events"] == len(log)
    r = server.request("POST", "/_processor/cloudwatch" + q, data=envelope([], control=True))
    assert r.json()["control_messages"] == 1 and r.json()["events"] == 0
    r = server.request("POST", "/_processor/cloudwatch" + q, data=json.dumps({"awslogs": {"data": "%%%not base64"}}))
    assert r.status_code == 400 and r.json()["error"]["type"] == "illegal_argument_exception"
    assert "base64" in r.json()["error"]["reason"]
    r = server.request("POST", "/_processor/cloudwatch" + q, data=json.dumps({"awslogs": {"data": base64.b64encode(b"plain").decode()}}))
    assert r.status_code == 400 and "gzip" in r.json()["error"]["reason"]
    # Raw JSON lines (application/x-ndjson) are accepted too.
    lines = "\n".join(m for _, _, m in log[:3]) + "\n"
    r = server.request("POST", "/_processor/cloudwatch" + q, data=lines, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.json()["lines"] == 3


def test_concurrent_ingesters_converge(server, index_name, tmp_path):
    prefix, summaries_index = f"{index_name}-ev-", f"{index_name}-sum"
    log = make_log()
    events, expected = reference(log)
    q = f"?events_index_prefix={prefix}&summaries_index={summaries_index}"
    failures = []

    def stream_for(worker):
        rng = random.Random(1000 + worker)
        stream = log + [e for e in log if rng.random() < 0.3]  # replays
        rng.shuffle(stream)
        size = rng.choice([7, 40, 100, 250])
        return [stream[i:i + size] for i in range(0, len(stream), size)]

    def post_worker(worker):
        try:
            for chunk in stream_for(worker):
                r = server.request("POST", "/_processor/cloudwatch" + q, data=envelope(chunk), timeout=120)
                if r.status_code != 200 or r.json()["errors"]:
                    failures.append(r.text[:500])
        except Exception as e:  # noqa: BLE001
            failures.append(repr(e))

    def ingest_worker(worker):
        path = tmp_path / f"worker-{worker}.ndjson"
        path.write_text(envelope([], control=True) + "\n" + "".join(envelope(c) + "\n" for c in stream_for(worker)))
        p = subprocess.run([str(server_binary()), "ingest", str(path), "--url", server.url, "--batch-size", "300", "--quiet",
                            "--events-index-prefix", prefix, "--summaries-index", summaries_index],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            failures.append(p.stderr[-2000:])

    threads = [threading.Thread(target=post_worker if w % 2 == 0 else ingest_worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []

    c = server.client()
    try:
        c.indices.refresh(index=f"{prefix}*,{summaries_index}")
        assert c.count(index=summaries_index)["count"] == len(expected)
        for sid, doc in expected.items():
            got = c.get(index=summaries_index, id=sid)["_source"]
            assert isinstance(got.pop("last_updated"), int)
            assert got == doc, sid
        per_day = {}
        for eid, (ts, _) in events.items():
            per_day.setdefault(day(ts), []).append(eid)
        assert len(per_day) >= 2
        assert c.count(index=f"{prefix}*")["count"] == len(events)
        for d, ids in per_day.items():
            assert c.count(index=prefix + d)["count"] == len(ids), d
            got = c.mget(index=prefix + d, body={"ids": ids})["docs"]
            assert all(g["found"] for g in got)
            assert {g["_source"]["event_id"] for g in got} == set(ids)
    finally:
        c.close()


def test_gen_and_ingest_json_lines(server, index_name, tmp_path):
    prefix, summaries_index = f"{index_name}-ev-", f"{index_name}-sum"
    out = tmp_path / "logs.ndjson"
    subprocess.run([str(server_binary()), "gen", "--events", "3000", "--days", "2", "--users", "50", "--seed", "9", "-o", str(out)],
                   check=True, timeout=120)
    lines = out.read_text().splitlines()
    assert len(lines) == 3000
    p = subprocess.run([str(server_binary()), "ingest", str(out), "--url", server.url, "--batch-size", "500",
                        "--events-index-prefix", prefix, "--summaries-index", summaries_index],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    # Replaying the file changes nothing: same ids, no-op summary updates.
    c = server.client()
    try:
        c.indices.refresh(index=f"{prefix}*,{summaries_index}")
        n_events, n_sessions = c.count(index=f"{prefix}*")["count"], c.count(index=summaries_index)["count"]
        assert 2000 < n_events < 3000 and n_sessions > 100
        p = subprocess.run([str(server_binary()), "ingest", "-", "--url", server.url, "--quiet",
                            "--events-index-prefix", prefix, "--summaries-index", summaries_index],
                           input=out.read_text(), capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        c.indices.refresh(index=f"{prefix}*,{summaries_index}")
        assert c.count(index=f"{prefix}*")["count"] == n_events
        assert c.count(index=summaries_index)["count"] == n_sessions
        total = sum(h["_source"]["event_count"] for h in
                    c.search(index=summaries_index, body={"size": 10000, "query": {"match_all": {}}})["hits"]["hits"])
        with_session = c.count(index=f"{prefix}*", body={"query": {"exists": {"field": "session_id"}}})["count"]
        assert total == with_session
    finally:
        c.close()
