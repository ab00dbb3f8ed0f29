"""The built-in dashboard at `/_dashboard` in headless Chromium.

A fresh server gets 40 days of `searchlight gen` logs through `searchlight ingest`. The expected
KPIs are computed here in Python from the stored documents themselves (read back with a scroll,
no aggregations), then Chromium loads the page, runs its JavaScript (`--virtual-time-budget`) and
dumps the DOM; every chart and table exposes its numbers as `data-key`/`data-value` attributes,
which must equal the Python numbers (percentiles within t-digest tolerance). A screenshot is saved
under `Tests/client/output/` (or `$SEARCHLIGHT_TEST_OUTPUT`). The "Download CSV" links are fetched
and must carry the same numbers.

Chromium is the Debian package `chromium` (Scripts/test.sh installs it). If it is missing or cannot
run, the test fails: it never skips.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import math
import os
import shutil
import subprocess
import tempfile
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from opensearchpy import helpers

from support import REPO_ROOT, SearchlightServer, server_binary

DAY_MS = 86_400_000
OUTPUT_DIR = Path(os.environ.get("SEARCHLIGHT_TEST_OUTPUT") or REPO_ROOT / "Tests" / "client" / "output")
GEN_DAYS = 40  # more than the default 30-day window, so the default range must cut
DURATION_BINS = [("0-10s", None, 10), ("10-30s", 10, 30), ("30-60s", 30, 60), ("1-2m", 60, 120), ("2-5m", 120, 300),
                 ("5-10m", 300, 600), ("10-20m", 600, 1200), ("20-30m", 1200, 1800), ("30-60m", 1800, 3600),
                 ("1h+", 3600, None)]


# ------------------------------------------------------------------------------ helpers

def to_ms(v) -> int:
    if isinstance(v, (int, float)):
        return int(v)
    return int(dt.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp() * 1000)


def day_str(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%d")


def day_ms(s: str) -> int:
    return int(dt.datetime.strptime(s, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc).timestamp() * 1000)


def period_key(ms: int, interval: str) -> str:
    d = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).date()
    if interval == "week":
        d -= dt.timedelta(days=d.weekday())  # OpenSearch weeks start on Monday
    elif interval == "month":
        d = d.replace(day=1)
    return d.isoformat()


def exact_percentile(sorted_vals, p):
    if len(sorted_vals) == 1:
        return float(sorted_vals[0])
    x = p / 100 * (len(sorted_vals) - 1)
    lo = math.floor(x)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (x - lo)


def assert_percentile_close(got, sorted_vals, p, label):
    """Within 3 % of the exact value, or between the exact values at p±1 (t-digest rank error)."""
    want = exact_percentile(sorted_vals, p)
    lo, hi = exact_percentile(sorted_vals, max(0, p - 1)), exact_percentile(sorted_vals, min(100, p + 1))
    assert got is not None, f"{label}: p{p} missing"
    assert abs(got - want) <= 0.03 * abs(want) or lo <= got <= hi, f"{label}: p{p} = {got}, exact {want} ([{lo}, {hi}])"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium not found: install the Debian package `chromium` (Scripts/test.sh does)")


def run_chromium(url: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="sl-chromium-") as profile:
        cmd = [chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
               "--hide-scrollbars", f"--user-data-dir={profile}", "--virtual-time-budget=15000", *args, url]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, f"chromium failed (rc={p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}"
    return p


class DashboardDOM(HTMLParser):
    """The numbers a rendered dashboard exposes: body state, summary tiles, tables, chart marks,
    CSV links."""

    def __init__(self, html: str):
        super().__init__()
        self.body: dict = {}
        self.metrics: dict = {}
        self.tables: dict = {}
        self.charts: dict = {}
        self.csv: dict = {}
        self.status = ""
        self._table = self._row = self._chart = self._panel = None
        self._in_status = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "section" and "data-panel" in a:
            self._panel = a["data-panel"]
        if "data-metric" in a:
            self.metrics[a["data-metric"]] = a.get("data-value")
        if a.get("id") == "status":
            self._in_status = True
        if tag == "a" and "csv" in (a.get("class") or "").split():
            self.csv[self._panel] = a["href"]
        if tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table] = {}
        elif tag == "tr" and self._table and "data-key" in a:
            self._row = a["data-key"]
            self.tables[self._table][self._row] = {}
        elif tag == "td" and self._table and self._row is not None and "data-col" in a:
            self.tables[self._table][self._row][a["data-col"]] = a.get("data-value")
        if tag == "svg" and "data-chart" in a:
            self._chart = a["data-chart"]
            self.charts[self._chart] = []
        elif self._chart and tag in ("rect", "circle") and "data-value" in a:
            self.charts[self._chart].append((a.get("data-series"), a.get("data-key"), a["data-value"]))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = self._row = None
        elif tag == "svg":
            self._chart = None
        elif tag == "section":
            self._panel = None
        self._in_status = False

    def handle_data(self, data):
        if self._in_status:
            self.status += data

    def column(self, table, col, conv=float):
        rows = self.tables[table]
        return {k: (conv(v[col]) if v.get(col) not in (None, "") else None) for k, v in rows.items()}

    def chart(self, name, series=None, conv=float):
        return {k: (conv(v) if v != "" else None) for s, k, v in self.charts[name] if s == series}


def load_dashboard(url: str, shot: Path | None = None) -> DashboardDOM:
    if shot is not None:
        shot.parent.mkdir(parents=True, exist_ok=True)
        if shot.exists():
            shot.unlink()
        run_chromium(url, f"--screenshot={shot}", "--window-size=1400,3200")
        assert shot.exists() and shot.stat().st_size > 20_000, f"no screenshot at {shot}"
    p = run_chromium(url, "--dump-dom")
    dom = DashboardDOM(p.stdout)
    assert dom.body.get("data-state") == "ready", f"dashboard not ready: state={dom.body.get('data-state')!r}, " \
                                                  f"status={dom.status!r}\n{p.stdout[:3000]}"
    return dom


# ------------------------------------------------------------------------------ data

@pytest.fixture(scope="module")
def dash(server_root):
    """A server of its own with generated logs ingested; the stored documents read back."""
    root = Path(tempfile.mkdtemp(prefix="dashboard-", dir=server_root))
    srv = SearchlightServer(root / "data", root / "logs").start()
    try:
        log = root / "gen.ndjson"
        subprocess.run([str(server_binary()), "gen", "--events", "12000", "--days", str(GEN_DAYS), "--users", "150",
                        "--seed", "7", "-o", str(log)], check=True, timeout=300)
        p = subprocess.run([str(server_binary()), "ingest", str(log), "--url", srv.url, "--quiet"],
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr[-3000:]
        client = srv.client(timeout=120)
        client.indices.refresh(index="request-events-*,session-summaries")
        events = [h["_source"] for h in helpers.scan(client, index="request-events-*", size=2000, query={
            "_source": ["timestamp", "user", "session_id", "status_code", "response_time"]})]
        sessions = [h["_source"] for h in helpers.scan(client, index="session-summaries", size=2000, query={
            "_source": ["start_time", "duration_seconds", "modules", "siteTokens", "assetTypes"]})]
        client.close()
        assert len(events) > 5000 and len(sessions) > 500, (len(events), len(sessions))
        for e in events:
            e["ts"] = to_ms(e["timestamp"])
        for s in sessions:
            s["ts"] = to_ms(s["start_time"])
        yield srv, events, sessions
    finally:
        srv.kill()


def expected(events, sessions, start: str, end: str, interval: str) -> dict:
    """Every KPI the dashboard shows for [start, end] (UTC days, inclusive), from raw documents."""
    lo, hi = day_ms(start), day_ms(end) + DAY_MS
    evs = [e for e in events if lo <= e["ts"] < hi]
    sess = [s for s in sessions if lo <= s["ts"] < hi]
    users, sids, requests_, errors = (collections.defaultdict(set), collections.defaultdict(set),
                                      collections.Counter(), collections.Counter())
    latency = collections.defaultdict(list)
    p_users, p_sids, p_requests = collections.defaultdict(set), collections.defaultdict(set), collections.Counter()
    for e in evs:
        d = day_str(e["ts"])
        requests_[d] += 1
        if e.get("user") is not None:
            users[d].add(e["user"])
        if e.get("session_id") is not None:
            sids[d].add(e["session_id"])
        if (e.get("status_code") or 0) >= 500:
            errors[d] += 1
        if e.get("response_time") is not None:
            latency[d].append(e["response_time"])
        k = period_key(e["ts"], interval)
        p_requests[k] += 1
        if e.get("user") is not None:
            p_users[k].add(e["user"])
        if e.get("session_id") is not None:
            p_sids[k].add(e["session_id"])
    days = [day_str(ms) for ms in range(day_ms(min(requests_)), day_ms(max(requests_)) + DAY_MS, DAY_MS)]
    durations = [s["duration_seconds"] for s in sess]
    bins = {}
    for key, f, t in DURATION_BINS:
        bins[key] = sum(1 for d in durations if (f is None or d >= f) and (t is None or d < t))
    terms = {}
    for panel, field in (("by-module", "modules"), ("by-site", "siteTokens"), ("by-asset", "assetTypes")):
        terms[panel] = collections.Counter(v for s in sess for v in (s.get(field) or []))
    all_users = {e["user"] for e in evs if e.get("user") is not None}
    return {
        "days": days,
        "requests": {d: requests_.get(d, 0) for d in days},
        "users": {d: len(users[d]) for d in days},
        "sessions": {d: len(sids[d]) for d in days},
        "errors": {d: errors.get(d, 0) for d in days},
        "latency": {d: sorted(latency[d]) for d in days},
        "all_latency": sorted(v for d in days for v in latency[d]),
        "total_requests": len(evs),
        "total_users": len(all_users),
        "sessions_per_user_day": sum(len(v) for v in sids.values()) / sum(len(v) for v in users.values()),
        "error_rate": sum(errors.values()) / len(evs),
        "session_count": len(sess),
        "avg_duration": sum(durations) / len(durations),
        "bins": bins,
        "terms": terms,
        "periods": {k: (p_requests[k], len(p_users[k]), len(p_sids[k])) for k in sorted(p_requests)},
    }


def check_dashboard(dom: DashboardDOM, want: dict):
    days = want["days"]
    # Unique users per day: table, bars and the totals tile.
    assert dom.column("users-per-day", "users", int) == want["users"]
    assert dom.column("users-per-day", "requests", int) == want["requests"]
    assert dom.chart("users-per-day", conv=int) == want["users"]
    assert [k for _, k, _ in dom.charts["users-per-day"]] == days, "bars not one per day in order"
    # Sessions per user per day.
    assert dom.column("sessions-per-user", "sessions", int) == want["sessions"]
    assert dom.column("sessions-per-user", "users", int) == want["users"]
    for d, r in dom.chart("sessions-per-user").items():
        assert r == pytest.approx(want["sessions"][d] / want["users"][d], rel=1e-9), d
    # 5xx rate per day.
    assert dom.column("errors", "errors", int) == want["errors"]
    assert dom.column("errors", "requests", int) == want["requests"]
    for d, r in dom.chart("errors").items():
        assert r == pytest.approx(want["errors"][d] / want["requests"][d], rel=1e-9), d
    # Latency percentiles per day and over the range.
    lat = dom.tables["latency"]
    assert set(lat) == set(days) | {"all"}
    for d in days:
        for p in (50, 95, 99):
            assert_percentile_close(float(lat[d][f"p{p}"]), want["latency"][d], p, f"latency {d}")
    for p in (50, 95, 99):
        assert_percentile_close(float(lat["all"][f"p{p}"]), want["all_latency"], p, "latency whole range")
        assert float(dom.metrics[f"p{p}"]) == float(lat["all"][f"p{p}"])
        assert dom.chart("latency", series=f"p{p}") == {d: float(lat[d][f"p{p}"]) for d in days}
    # Session duration: average and distribution.
    assert float(dom.metrics["avg_duration"]) == pytest.approx(want["avg_duration"], rel=1e-6)
    assert dom.column("duration", "sessions", int) == want["bins"]
    assert dom.chart("duration", conv=int) == want["bins"]
    # Sessions per module / site token / asset type (top 25 by count).
    for panel, counts in want["terms"].items():
        got = dom.column(panel, "sessions", int)
        assert got, f"{panel}: no rows"
        assert all(counts[k] == v for k, v in got.items()), (panel, got, counts)
        assert sorted(got.values(), reverse=True) == sorted(counts.values(), reverse=True)[:len(got)]
        assert len(got) == min(25, len(counts))
        assert dom.chart(panel, conv=int) == got
    # Trend for the chosen interval.
    trend = dom.tables["trend"]
    assert {k: (int(v["requests"]), int(v["users"]), int(v["sessions"])) for k, v in trend.items()} == want["periods"]
    assert dom.chart("trend-requests", conv=int) == {k: v[0] for k, v in want["periods"].items()}
    assert dom.chart("trend", series="users", conv=int) == {k: v[1] for k, v in want["periods"].items()}
    assert dom.chart("trend", series="sessions", conv=int) == {k: v[2] for k, v in want["periods"].items()}
    # Summary tiles.
    assert int(dom.metrics["requests"]) == want["total_requests"]
    assert int(dom.metrics["users"]) == want["total_users"]
    assert int(dom.metrics["sessions"]) == want["session_count"]
    assert float(dom.metrics["sessions_per_user_day"]) == pytest.approx(want["sessions_per_user_day"], rel=1e-9)
    assert float(dom.metrics["error_rate"]) == pytest.approx(want["error_rate"], rel=1e-9)


# ------------------------------------------------------------------------------ tests

def test_dashboard_assets_are_served(dash):
    srv, _, _ = dash
    for path, ctype in (("/_dashboard", "text/html"), ("/_dashboard/", "text/html"), ("/_dashboard/index.html", "text/html"),
                        ("/_dashboard/app.js", "text/javascript"), ("/_dashboard/style.css", "text/css")):
        r = srv.request("GET", path)
        assert r.status_code == 200, (path, r.text[:200])
        assert r.headers["Content-Type"].startswith(ctype), (path, r.headers["Content-Type"])
    page = srv.request("GET", "/_dashboard").text
    assert "/_dashboard/app.js" in page and "http://" not in page and "https://" not in page
    r = srv.request("GET", "/_dashboard/nope.js")
    assert r.status_code == 404 and r.json()["error"]["type"] == "resource_not_found_exception"


def test_source_param_is_the_body(dash):
    """GET with `source` + `source_content_type` (how the CSV links send their aggregation)."""
    srv, events, _ = dash
    body = '{"size":0,"track_total_hits":true,"aggs":{"u":{"cardinality":{"field":"user"}}}}'
    r = srv.request("GET", "/request-events-*/_search", params={"source": body, "source_content_type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["hits"]["total"]["value"] == len(events)
    assert r.json()["aggregations"]["u"]["value"] == len({e["user"] for e in events if e.get("user")})
    r = srv.request("GET", "/request-events-*/_search", params={"source": body})
    assert r.status_code == 400 and r.json()["error"]["type"] == "illegal_argument_exception"
    r = srv.request("GET", "/request-events-*/_search", params={"source": body, "source_content_type": "text/plain"})
    assert r.status_code == 406


def test_dashboard_default_range(dash):
    srv, events, sessions = dash
    last = max(e["ts"] for e in events) // DAY_MS * DAY_MS
    first = min(e["ts"] for e in events) // DAY_MS * DAY_MS
    start, end = day_str(max(first, last - 29 * DAY_MS)), day_str(last)
    assert first < day_ms(start), "generated data should span more than the default 30 days"
    dom = load_dashboard(srv.url + "/_dashboard", OUTPUT_DIR / "dashboard.png")
    assert (dom.body.get("data-from"), dom.body.get("data-to"), dom.body.get("data-interval")) == (start, end, "day")
    want = expected(events, sessions, start, end, "day")
    assert len(want["days"]) == 30
    check_dashboard(dom, want)

    # Every panel links a CSV export of its own aggregation; spot-check that they carry the same numbers.
    assert set(dom.csv) == {"users-per-day", "sessions-per-user", "duration", "errors", "latency",
                            "by-module", "by-site", "by-asset", "trend"}
    for panel, href in dom.csv.items():
        assert "/_export/csv?" in href and "source=" in href and "source_content_type=application/json" in href, href
    rows = csv_rows(srv, dom.csv["users-per-day"])
    per_day = {r["per_day"][:10]: int(r["users"]) for r in rows if r.get("per_day")}
    assert per_day == want["users"]
    rows = csv_rows(srv, dom.csv["by-module"])
    assert {r["by"]: int(r["by.doc_count"]) for r in rows if r.get("by")} == dom.column("by-module", "sessions", int)
    rows = csv_rows(srv, dom.csv["errors"])
    assert {r["per_day"][:10]: int(r["errors.doc_count"]) for r in rows if r.get("per_day")} == want["errors"]


def csv_rows(srv, href):
    r = requests.get(urllib.parse.urljoin(srv.url, href), timeout=60)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


@pytest.mark.parametrize("interval", ["week", "month"])
def test_dashboard_chosen_range_and_interval(dash, interval):
    srv, events, sessions = dash
    first = day_str(min(e["ts"] for e in events))
    last = day_str(max(e["ts"] for e in events))
    start = day_str(day_ms(first) + 3 * DAY_MS) if interval == "week" else first
    end = day_str(day_ms(last) - 2 * DAY_MS) if interval == "week" else last
    dom = load_dashboard(f"{srv.url}/_dashboard?from={start}&to={end}&interval={interval}",
                         OUTPUT_DIR / f"dashboard-{interval}.png")
    assert (dom.body.get("data-from"), dom.body.get("data-to"), dom.body.get("data-interval")) == (start, end, interval)
    want = expected(events, sessions, start, end, interval)
    assert want["days"][0] == start and want["days"][-1] == end
    assert len(want["periods"]) >= 2
    check_dashboard(dom, want)
