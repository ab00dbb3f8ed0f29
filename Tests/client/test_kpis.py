"""The mission's dashboard KPIs through opensearch-py: ~3,000 generated request events over 5 days in
daily `request-events-YYYY.MM.DD` indices plus one `session-summaries` doc per session, then
`size: 0` aggregation searches checked against the same numbers computed in Python.

KPIs: unique users per day, sessions per user per day, session duration average and distribution,
sessions per module / siteToken / assetType, 5xx rate per day, p50/p95/p99 latency, and a composite
walk of all (user, day) buckets with `after` paging.
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import random

import pytest

DAY_MS = 86_400_000
BASE = dt.datetime(2025, 3, 3, tzinfo=dt.timezone.utc)  # five UTC days: 2025-03-03 .. 2025-03-07
BASE_MS = int(BASE.timestamp() * 1000)
DAYS = 5
EVENTS_PATTERN = "request-events-*"
SUMMARIES = "session-summaries"

MODULES = ["home", "auth", "dashboard", "reports", "sites", "assets", "search", "admin"]
ASSET_TYPES = ["camera", "sensor", "door", "gateway", "meter"]
SITE_TOKENS = [f"site-{i:02d}" for i in range(7)]
METHODS = ["GET"] * 8 + ["POST", "PUT"]
STATUSES = [200] * 80 + [201, 204, 302, 304, 400, 401, 404, 404] + [500, 500, 502, 503]

EVENT_MAPPINGS = {"properties": {
    "timestamp": {"type": "date"},
    "session_id": {"type": "keyword"}, "user": {"type": "keyword"}, "path": {"type": "keyword"},
    "method": {"type": "keyword"}, "module": {"type": "keyword"}, "assetType": {"type": "keyword"},
    "siteToken": {"type": "keyword"},
    "status_code": {"type": "integer"}, "response_time": {"type": "integer"},
}}
SUMMARY_MAPPINGS = {"properties": {
    "session_id": {"type": "keyword"}, "user": {"type": "keyword"},
    "modules": {"type": "keyword"}, "assetTypes": {"type": "keyword"}, "siteTokens": {"type": "keyword"},
    "start_time": {"type": "date"}, "end_time": {"type": "date"},
    "duration_seconds": {"type": "float"}, "event_count": {"type": "integer"},
}}


def iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def day_of(ms: int) -> int:
    return ms // DAY_MS * DAY_MS


def index_for(ms: int) -> str:
    return "request-events-" + dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y.%m.%d")


def generate(seed: int = 7):
    rnd = random.Random(seed)
    users = [f"user{u:02d}" for u in range(40)]
    events, n_target = [], 3000
    sessions = []
    s = 0
    while len(events) < n_target:
        user = rnd.choice(users[: 10 + s % 30])  # skewed towards the first users
        sid = f"s{s:05d}-{rnd.getrandbits(32):08x}"
        start = BASE_MS + rnd.randrange(DAYS * DAY_MS - 3_600_000)  # sessions may cross midnight
        n = rnd.randint(3, 40)
        t = start
        site = rnd.choice(SITE_TOKENS)
        for _ in range(n):
            t += rnd.randint(500, 45_000)
            module = rnd.choice(MODULES)
            events.append({
                "timestamp": t, "session_id": sid, "user": user,
                "path": f"/api/{module}/{rnd.choice(['list', 'detail', 'run'])}",
                "method": rnd.choice(METHODS), "status_code": rnd.choice(STATUSES),
                "response_time": max(1, round(rnd.lognormvariate(3.8, 0.9))),
                "module": module, "assetType": rnd.choice(ASSET_TYPES),
                "siteToken": site if rnd.random() < 0.9 else rnd.choice(SITE_TOKENS),
            })
        sessions.append(sid)
        s += 1
    by_session = collections.defaultdict(list)
    for e in events:
        by_session[e["session_id"]].append(e)
    summaries = []
    for sid in sessions:
        evs = by_session[sid]
        t0, t1 = min(e["timestamp"] for e in evs), max(e["timestamp"] for e in evs)
        summaries.append({
            "session_id": sid, "user": evs[0]["user"],
            "modules": sorted({e["module"] for e in evs}),
            "assetTypes": sorted({e["assetType"] for e in evs}),
            "siteTokens": sorted({e["siteToken"] for e in evs}),
            "start_time": t0, "end_time": t1,
            "duration_seconds": (t1 - t0) / 1000.0, "event_count": len(evs),
        })
    return events, summaries


@pytest.fixture(scope="module")
def kpi_data(client):
    events, summaries = generate()
    names = sorted({index_for(e["timestamp"]) for e in events})
    assert len(names) == DAYS
    for name in names + [SUMMARIES]:
        client.indices.delete(index=name, ignore=[404])
    for name in names:
        client.indices.create(index=name, body={"settings": {"number_of_shards": 1}, "mappings": EVENT_MAPPINGS})
    client.indices.create(index=SUMMARIES, body={"settings": {"number_of_shards": 1}, "mappings": SUMMARY_MAPPINGS})
    lines = []
    for e in events:
        lines.append({"index": {"_index": index_for(e["timestamp"])}})
        lines.append({**e, "timestamp": iso(e["timestamp"])})
    for sm in summaries:
        lines.append({"index": {"_index": SUMMARIES, "_id": sm["session_id"]}})
        lines.append({**sm, "start_time": iso(sm["start_time"]), "end_time": iso(sm["end_time"])})
    for i in range(0, len(lines), 2000):
        r = client.bulk(body=lines[i:i + 2000])
        assert not r["errors"], [it for it in r["items"] if next(iter(it.values())).get("error")][:3]
    client.indices.refresh(index=",".join(names + [SUMMARIES]))
    assert client.count(index=EVENTS_PATTERN)["count"] == len(events)
    assert client.count(index=SUMMARIES)["count"] == len(summaries)
    return events, summaries


def search(client, index, aggs, query=None):
    body = {"size": 0, "aggs": aggs}
    if query:
        body["query"] = query
    r = client.search(index=index, body=body)
    assert r["hits"]["hits"] == []
    return r["aggregations"]


def exact_percentile(sorted_vals, p):
    """Linear interpolation between closest ranks (what t-digest approximates)."""
    if len(sorted_vals) == 1:
        return float(sorted_vals[0])
    x = p / 100 * (len(sorted_vals) - 1)
    lo = math.floor(x)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (x - lo)


def assert_percentile_close(got, sorted_vals, p, label):
    """Within 3% of the exact value, or between the exact values at p±1 (t-digest rank error)."""
    want = exact_percentile(sorted_vals, p)
    lo, hi = exact_percentile(sorted_vals, max(0, p - 1)), exact_percentile(sorted_vals, min(100, p + 1))
    assert got is not None, f"{label}: p{p} is null"
    assert abs(got - want) <= 0.03 * abs(want) or lo <= got <= hi, \
        f"{label}: p{p} = {got}, exact {want} (p{p}±1 range [{lo}, {hi}])"


# ------------------------------------------------------------------------------------------ KPIs

def test_unique_users_per_day(client, kpi_data):
    events, _ = kpi_data
    want = collections.defaultdict(set)
    for e in events:
        want[day_of(e["timestamp"])].add(e["user"])
    aggs = search(client, EVENTS_PATTERN, {"per_day": {
        "date_histogram": {"field": "timestamp", "calendar_interval": "day"},
        "aggs": {"users": {"cardinality": {"field": "user"}}}}})
    buckets = aggs["per_day"]["buckets"]
    got = {b["key"]: b["users"]["value"] for b in buckets}
    assert got == {d: len(u) for d, u in want.items()}
    assert [b["key"] for b in buckets] == sorted(want)
    assert {b["key"]: b["doc_count"] for b in buckets} == dict(collections.Counter(day_of(e["timestamp"]) for e in events))
    assert all(b["key_as_string"].startswith(iso(b["key"])[:10]) for b in buckets)


def test_sessions_per_user_per_day(client, kpi_data):
    events, _ = kpi_data
    want = collections.defaultdict(set)
    for e in events:
        want[(day_of(e["timestamp"]), e["user"])].add(e["session_id"])
    aggs = search(client, EVENTS_PATTERN, {"per_day": {
        "date_histogram": {"field": "timestamp", "calendar_interval": "day"},
        "aggs": {"per_user": {"terms": {"field": "user", "size": 1000},
                              "aggs": {"sessions": {"cardinality": {"field": "session_id"}}}}}}})
    got = {}
    for day in aggs["per_day"]["buckets"]:
        assert day["per_user"]["sum_other_doc_count"] == 0
        counts = [b["doc_count"] for b in day["per_user"]["buckets"]]
        assert counts == sorted(counts, reverse=True), "terms buckets not ordered by _count desc"
        for b in day["per_user"]["buckets"]:
            got[(day["key"], b["key"])] = b["sessions"]["value"]
    assert got == {k: len(v) for k, v in want.items()}


def test_session_duration_average(client, kpi_data):
    _, summaries = kpi_data
    durations = [s["duration_seconds"] for s in summaries]
    aggs = search(client, SUMMARIES, {
        "avg_duration": {"avg": {"field": "duration_seconds"}},
        "stats": {"stats": {"field": "duration_seconds"}},
        "per_user": {"terms": {"field": "user", "size": 100, "order": {"_key": "asc"}},
                     "aggs": {"avg": {"avg": {"field": "duration_seconds"}}}},
    })
    assert aggs["avg_duration"]["value"] == pytest.approx(sum(durations) / len(durations), rel=1e-6)
    st = aggs["stats"]
    assert st["count"] == len(durations)
    assert st["min"] == pytest.approx(min(durations), rel=1e-6)
    assert st["max"] == pytest.approx(max(durations), rel=1e-6)
    assert st["sum"] == pytest.approx(sum(durations), rel=1e-6)
    per_user = collections.defaultdict(list)
    for s in summaries:
        per_user[s["user"]].append(s["duration_seconds"])
    got = {b["key"]: b["avg"]["value"] for b in aggs["per_user"]["buckets"]}
    assert list(got) == sorted(per_user)
    for u, d in per_user.items():
        assert got[u] == pytest.approx(sum(d) / len(d), rel=1e-6), u


def test_session_duration_distribution(client, kpi_data):
    _, summaries = kpi_data
    durations = sorted(s["duration_seconds"] for s in summaries)
    aggs = search(client, SUMMARIES, {
        "hist": {"histogram": {"field": "duration_seconds", "interval": 60}},
        "pct": {"percentiles": {"field": "duration_seconds", "percents": [50, 90, 99]}},
    })
    want = collections.Counter(math.floor(d / 60) * 60 for d in durations)
    buckets = aggs["hist"]["buckets"]
    # OpenSearch's histogram default min_doc_count 0 fills the gaps between the first and last bucket
    keys = [b["key"] for b in buckets]
    assert keys == [float(k) for k in range(min(want), max(want) + 60, 60)]
    assert {b["key"]: b["doc_count"] for b in buckets} == {float(k): want.get(k, 0) for k in range(min(want), max(want) + 60, 60)}
    values = aggs["pct"]["values"]
    for p in (50, 90, 99):
        got = values.get(f"{p}.0", values.get(str(p)))
        assert_percentile_close(got, durations, p, "duration_seconds")


@pytest.mark.parametrize("field", ["modules", "siteTokens", "assetTypes"])
def test_sessions_per_array_value(client, kpi_data, field):
    _, summaries = kpi_data
    want = collections.Counter(v for s in summaries for v in s[field])
    aggs = search(client, SUMMARIES, {"by": {"terms": {"field": field, "size": 100}}})
    buckets = aggs["by"]["buckets"]
    assert {b["key"]: b["doc_count"] for b in buckets} == dict(want)
    assert [b["doc_count"] for b in buckets] == sorted(want.values(), reverse=True)
    assert aggs["by"]["sum_other_doc_count"] == 0
    # the same KPI from the raw events: distinct sessions per value
    raw_field = {"modules": "module", "siteTokens": "siteToken", "assetTypes": "assetType"}[field]
    per = collections.defaultdict(set)
    events, _ = kpi_data
    for e in events:
        per[e[raw_field]].add(e["session_id"])
    aggs = search(client, EVENTS_PATTERN, {"by": {"terms": {"field": raw_field, "size": 100},
                                                  "aggs": {"sessions": {"cardinality": {"field": "session_id"}}}}})
    assert {b["key"]: b["sessions"]["value"] for b in aggs["by"]["buckets"]} == {k: len(v) for k, v in per.items()}
    assert {b["key"]: b["sessions"]["value"] for b in aggs["by"]["buckets"]} == dict(want)


def test_5xx_rate_per_day(client, kpi_data):
    events, _ = kpi_data
    total = collections.Counter(day_of(e["timestamp"]) for e in events)
    errors = collections.Counter(day_of(e["timestamp"]) for e in events if e["status_code"] >= 500)
    aggs = search(client, EVENTS_PATTERN, {"per_day": {
        "date_histogram": {"field": "timestamp", "calendar_interval": "day"},
        "aggs": {
            "errors": {"filter": {"range": {"status_code": {"gte": 500}}}},
            "error_rate": {"bucket_script": {
                "buckets_path": {"errors": "errors>_count", "total": "_count"},
                "script": "params.errors / params.total"}},
        }}})
    buckets = aggs["per_day"]["buckets"]
    assert {b["key"]: b["doc_count"] for b in buckets} == dict(total)
    assert {b["key"]: b["errors"]["doc_count"] for b in buckets} == {d: errors.get(d, 0) for d in total}
    for b in buckets:
        assert b["error_rate"]["value"] == pytest.approx(errors.get(b["key"], 0) / total[b["key"]], rel=1e-9)


def test_latency_percentiles(client, kpi_data):
    events, _ = kpi_data
    rts = sorted(e["response_time"] for e in events)
    aggs = search(client, EVENTS_PATTERN, {
        "lat": {"percentiles": {"field": "response_time", "percents": [50, 95, 99]}},
        "lat_keyed": {"percentiles": {"field": "response_time", "percents": [50, 95, 99], "keyed": False}},
        "per_day": {"date_histogram": {"field": "timestamp", "calendar_interval": "day"},
                    "aggs": {"lat": {"percentiles": {"field": "response_time", "percents": [95]}}}},
    })
    values = aggs["lat"]["values"]
    assert set(values) == {"50.0", "95.0", "99.0"}
    for p in (50, 95, 99):
        assert_percentile_close(values[f"{p}.0"], rts, p, "response_time")
    listed = aggs["lat_keyed"]["values"]
    assert [v["key"] for v in listed] == [50.0, 95.0, 99.0]
    assert [v["value"] for v in listed] == [values["50.0"], values["95.0"], values["99.0"]]
    per_day = collections.defaultdict(list)
    for e in events:
        per_day[day_of(e["timestamp"])].append(e["response_time"])
    for b in aggs["per_day"]["buckets"]:
        assert_percentile_close(b["lat"]["values"]["95.0"], sorted(per_day[b["key"]]), 95, f"day {iso(b['key'])}")


def test_composite_walk_user_day(client, kpi_data):
    events, _ = kpi_data
    want = collections.Counter((e["user"], day_of(e["timestamp"])) for e in events)
    got, pages, after = [], 0, None
    while True:
        comp = {"size": 17, "sources": [
            {"user": {"terms": {"field": "user"}}},
            {"day": {"date_histogram": {"field": "timestamp", "calendar_interval": "day"}}}]}
        if after is not None:
            comp["after"] = after
        aggs = search(client, EVENTS_PATTERN, {"walk": {"composite": comp,
                                                        "aggs": {"sessions": {"cardinality": {"field": "session_id"}}}}})
        buckets = aggs["walk"]["buckets"]
        pages += 1
        assert pages < 100, "composite paging does not terminate"
        if not buckets:
            break
        assert len(buckets) <= 17
        got.extend(buckets)
        after = aggs["walk"].get("after_key")
        assert after == buckets[-1]["key"]
        if len(buckets) < 17:
            break
    keys = [(b["key"]["user"], b["key"]["day"]) for b in got]
    assert keys == sorted(want), "composite buckets not in (user, day) order or missing/duplicated"
    assert {(b["key"]["user"], b["key"]["day"]): b["doc_count"] for b in got} == dict(want)
    sessions = collections.defaultdict(set)
    for e in events:
        sessions[(e["user"], day_of(e["timestamp"]))].add(e["session_id"])
    assert {(b["key"]["user"], b["key"]["day"]): b["sessions"]["value"] for b in got} == \
        {k: len(v) for k, v in sessions.items()}
