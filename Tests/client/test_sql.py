"""SQL endpoint (`POST /_plugins/_sql`): each supported form checked against values computed in
Python from the same documents, every response format, `_explain`, the legacy path, and 400s in
the SQL plugin's error shape."""

import csv
import datetime as dt
import io
import random
from collections import Counter, defaultdict

import pytest

N = 2500
USERS = 1100  # more groups than one composite page (1000)
HOSTS = ["alpha", "beta", "gamma", "delta"]
PATHS = ["/api/users", "/api/orders", "/static/app.js", "/health", "/API/Admin"]
BASE = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
PREFIX = "sqlt-events"


def make_docs():
    rnd = random.Random(7)
    docs = []
    for i in range(N):
        d = {
            "host": HOSTS[i % 4],
            "path": rnd.choice(PATHS),
            "status": rnd.choice([200, 200, 200, 201, 301, 404, 500, 503]),
            "latency": ((i * 37) % 2503) + 0.25,  # distinct values: ORDER BY is deterministic
            "user": "u%04d" % (i % USERS),
            "ts": (BASE + dt.timedelta(minutes=17 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ok": i % 3 != 0,
            "msg": "=cmd|calc" if i == 11 else "request %d served" % (i % 50),
        }
        if i % 10 != 0:
            d["country"] = ["fr", "de", "us"][i % 3]
        docs.append(d)
    return docs


DOCS = make_docs()


def index_of(d):
    return f"{PREFIX}-2026.11.{'01' if d['ts'] < '2026-11-16' else '16'}"


@pytest.fixture(scope="module")
def events(client):
    mapping = {"mappings": {"properties": {
        "host": {"type": "keyword"}, "path": {"type": "keyword"}, "status": {"type": "integer"},
        "latency": {"type": "double"}, "user": {"type": "keyword"}, "ts": {"type": "date"},
        "ok": {"type": "boolean"}, "country": {"type": "keyword"},
        "msg": {"type": "text", "fields": {"keyword": {"type": "keyword"}}}}}}
    for name in {index_of(d) for d in DOCS}:
        client.indices.delete(index=name, ignore=[404])
        client.indices.create(index=name, body=mapping)
    body = []
    for i, d in enumerate(DOCS):
        body.append({"index": {"_index": index_of(d), "_id": str(i)}})
        body.append(d)
    assert client.bulk(body=body, refresh=True)["errors"] is False
    return PREFIX + "-*"


def sql(server, query, fmt=None, path="/_plugins/_sql", **extra):
    params = {"format": fmt} if fmt else {}
    return server.request("POST", path, json={"query": query, **extra}, params=params)


def jdbc(server, query):
    r = sql(server, query)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == 200 and body["size"] == len(body["datarows"])
    return body


def ts_text(d):
    return d["ts"].replace("T", " ").rstrip("Z")


def test_plain_select_where_order_limit(server, events):
    body = jdbc(server, f"SELECT host, status, latency AS l FROM {events} "
                        "WHERE status >= 500 AND host IN ('alpha', 'beta') ORDER BY latency DESC LIMIT 7")
    match = [d for d in DOCS if d["status"] >= 500 and d["host"] in ("alpha", "beta")]
    want = sorted(match, key=lambda d: -d["latency"])[:7]
    assert body["datarows"] == [[d["host"], d["status"], d["latency"]] for d in want]
    assert body["schema"] == [{"name": "host", "type": "keyword"}, {"name": "status", "type": "integer"},
                              {"name": "latency", "alias": "l", "type": "double"}]
    assert body["total"] == len(match)


def test_select_star_default_limit_and_quoted_pattern(client, server, events):
    body = jdbc(server, f"SELECT * FROM `{PREFIX}-2026.11.*` ORDER BY latency")
    names = [c["name"] for c in body["schema"]]
    assert names == sorted(["host", "path", "status", "latency", "user", "ts", "ok", "country", "msg"])
    assert dict((c["name"], c["type"]) for c in body["schema"])["ts"] == "timestamp"
    assert len(body["datarows"]) == 200  # OpenSearch SQL's default size limit
    first = dict(zip(names, body["datarows"][0]))
    d = min(DOCS, key=lambda d: d["latency"])
    assert first["latency"] == d["latency"] and first["user"] == d["user"] and first["msg"] == d["msg"]
    assert first["country"] == d.get("country") and first["ts"] == ts_text(d)


def test_metadata_fields(server, events):
    body = jdbc(server, f"SELECT _id, _index, user FROM {events} WHERE _id IN ('3', '2000') ORDER BY user")
    want = sorted([("3", DOCS[3]), ("2000", DOCS[2000])], key=lambda p: p[1]["user"])
    assert body["datarows"] == [[i, index_of(d), d["user"]] for i, d in want]


def test_limit_past_the_result_window_pages_by_scroll(server, events):
    body = jdbc(server, f"SELECT user, latency FROM {events} ORDER BY latency DESC LIMIT 10000 OFFSET 1000")
    want = sorted(DOCS, key=lambda d: -d["latency"])[1000:11000]
    assert body["datarows"] == [[d["user"], d["latency"]] for d in want]
    assert body["total"] == N


def test_small_result_window_is_paged_too(client, server, index_name):
    client.indices.create(index=index_name, body={"settings": {"index.max_result_window": 5}})
    client.bulk(body=[x for i in range(12) for x in ({"index": {"_index": index_name}}, {"n": i})], refresh=True)
    body = jdbc(server, f"SELECT n FROM {index_name} ORDER BY n LIMIT 8 OFFSET 2")
    assert body["datarows"] == [[i] for i in range(2, 10)]


def test_metrics_without_group_by(server, events):
    body = jdbc(server, f"SELECT COUNT(*), COUNT(country) AS c, COUNT(DISTINCT user), AVG(latency), SUM(status), "
                        f"MIN(latency), MAX(ts) FROM {events} WHERE ok = true")
    match = [d for d in DOCS if d["ok"]]
    [row] = body["datarows"]
    assert row[0] == len(match)
    assert row[1] == sum(1 for d in match if "country" in d)
    assert row[2] == len({d["user"] for d in match})
    assert row[3] == pytest.approx(sum(d["latency"] for d in match) / len(match))
    assert row[4] == sum(d["status"] for d in match)
    assert row[5] == min(d["latency"] for d in match)
    assert row[6] == ts_text(max(match, key=lambda d: d["ts"]))
    assert [c["type"] for c in body["schema"]] == ["long", "long", "long", "double", "long", "double", "timestamp"]
    assert body["schema"][0]["name"] == "COUNT(*)" and body["schema"][1]["alias"] == "c"


def test_group_by_two_fields_order_by_aggregate(server, events):
    body = jdbc(server, f"SELECT host, status, COUNT(*) AS n, AVG(latency), MAX(latency) FROM {events} "
                        "GROUP BY host, status ORDER BY n DESC, host, status")
    groups = defaultdict(list)
    for d in DOCS:
        groups[(d["host"], d["status"])].append(d["latency"])
    want = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0], kv[0][1]))
    assert [r[:3] for r in body["datarows"]] == [[h, s, len(v)] for (h, s), v in want]
    for r, (_, v) in zip(body["datarows"], want):
        assert r[3] == pytest.approx(sum(v) / len(v)) and r[4] == max(v)
    assert body["total"] == len(want)


def test_group_by_pages_through_every_group(server, events):
    body = jdbc(server, f"SELECT user, COUNT(*) FROM {events} GROUP BY user")
    want = sorted(Counter(d["user"] for d in DOCS).items())
    assert len(want) == USERS > 1000
    assert body["datarows"] == [[u, n] for u, n in want]


def test_group_by_with_nulls_having_and_offset(server, events):
    body = jdbc(server, f"SELECT country, COUNT(*) c, SUM(status) FROM {events} GROUP BY country "
                        "HAVING COUNT(*) > 100 ORDER BY country LIMIT 2 OFFSET 1")
    groups = defaultdict(list)
    for d in DOCS:
        groups[d.get("country")].append(d["status"])
    ordered = [None] + sorted(k for k in groups if k is not None)  # NULLs first ascending
    want = [[k, len(groups[k]), sum(groups[k])] for k in ordered if len(groups[k]) > 100][1:3]
    assert body["datarows"] == want


@pytest.mark.parametrize("where,pred", [
    ("path LIKE '/api/%'", lambda d: d["path"].lower().startswith("/api/")),
    ("path NOT LIKE '%.js'", lambda d: not d["path"].endswith(".js")),
    ("latency BETWEEN 100 AND 200.25", lambda d: 100 <= d["latency"] <= 200.25),
    ("country IS NULL", lambda d: "country" not in d),
    ("country IS NOT NULL AND NOT status = 200", lambda d: "country" in d and d["status"] != 200),
    ("country != 'fr'", lambda d: d.get("country") not in (None, "fr")),
    ("country <> 'fr' OR host = 'beta'", lambda d: d.get("country") not in (None, "fr") or d["host"] == "beta"),
    ("NOT (country = 'fr' OR status < 300)", lambda d: "country" in d and d["country"] != "fr" and d["status"] >= 300),
    ("status NOT IN (200, 201)", lambda d: d["status"] not in (200, 201)),
    ("ts >= '2026-11-20' AND ts < '2026-11-21T06:00:00Z'", lambda d: "2026-11-20" <= d["ts"] < "2026-11-21T06:00:00Z"),
    ("'2026-11-10' > ts", lambda d: d["ts"] < "2026-11-10"),
    ("ok", lambda d: d["ok"]),
    ("msg = 'request 7 served'", lambda d: d["msg"] == "request 7 served"),
    ("(host = 'alpha' OR host = 'gamma') AND (status >= 400 OR latency < 50)",
     lambda d: d["host"] in ("alpha", "gamma") and (d["status"] >= 400 or d["latency"] < 50)),
])
def test_where_forms(server, events, where, pred):
    body = jdbc(server, f"SELECT COUNT(*) FROM {events} WHERE {where}")
    assert body["datarows"] == [[sum(1 for d in DOCS if pred(d))]], where


def test_csv_and_raw_formats(server, events):
    r = sql(server, f"SELECT user, msg, status FROM {events} WHERE latency < 30 OR user = 'u0011' ORDER BY latency", "csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    rows = list(csv.reader(io.StringIO(r.content.decode(), newline="")))
    want = sorted((d for d in DOCS if d["latency"] < 30 or d["user"] == "u0011"), key=lambda d: d["latency"])
    assert rows[0] == ["user", "msg", "status"]
    assert rows[1:] == [[d["user"], ("'" + d["msg"]) if d["msg"].startswith("=") else d["msg"], str(d["status"])] for d in want]
    assert any(row[1].startswith("'=") for row in rows[1:])  # the formula cell is neutralised
    raw = sql(server, f"SELECT host, COUNT(*) AS n FROM {events} GROUP BY host", "raw")
    assert raw.status_code == 200
    lines = raw.content.decode().splitlines()
    assert lines[0] == "host|n" and lines[1:] == [f"{h}|{n}" for h, n in sorted(Counter(d["host"] for d in DOCS).items())]


def test_json_format_is_the_search_response(server, events):
    r = sql(server, f"SELECT host, status FROM {events} WHERE status = 404 LIMIT 3", "json")
    assert r.status_code == 200
    body = r.json()
    assert body["hits"]["total"]["value"] == sum(1 for d in DOCS if d["status"] == 404)
    assert len(body["hits"]["hits"]) == 3 and set(body["hits"]["hits"][0]["_source"]) <= {"host", "status"}
    agg = sql(server, f"SELECT host, COUNT(*) FROM {events} GROUP BY host", "json").json()
    assert len(agg["aggregations"]["groups"]["buckets"]) == len(HOSTS)


def test_explain_and_legacy_path(server, events, client):
    r = sql(server, f"SELECT host FROM {events} WHERE status > 500 LIMIT 5", path="/_plugins/_sql/_explain")
    assert r.status_code == 200
    dsl = r.json()
    assert dsl["size"] == 5 and dsl["query"] == {"range": {"status": {"gt": 500}}}
    legacy = sql(server, f"SELECT COUNT(*) FROM {events}", path="/_opendistro/_sql")
    assert legacy.json()["datarows"] == [[N]]
    via_client = client.transport.perform_request("POST", "/_plugins/_sql", body={"query": f"SELECT COUNT(*) FROM {events} WHERE host = 'beta'"},
                                                  params={"format": "jdbc"})
    assert via_client["datarows"] == [[sum(1 for d in DOCS if d["host"] == "beta")]]
    text = client.transport.perform_request("POST", "/_plugins/_sql", body={"query": f"SELECT COUNT(*) AS n FROM {events}"},
                                            params={"format": "csv"})
    assert text.splitlines() == ["n", str(N)]


def test_filter_in_body(server, events):
    r = sql(server, f"SELECT COUNT(*) FROM {events}", filter={"term": {"host": "gamma"}})
    assert r.json()["datarows"] == [[sum(1 for d in DOCS if d["host"] == "gamma")]]


def sql_error(r, status=400):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status
    err = body["error"]
    assert set(err) == {"reason", "details", "type"}
    return err


@pytest.mark.parametrize("query,type_,part", [
    ("SELECT a FROM sqlt-events-* JOIN b ON a.x = b.x", "UnsupportedOperationException", "JOIN"),
    ("SELECT host FROM sqlt-events-* WHERE user IN (SELECT user FROM x)", "UnsupportedOperationException", "subquery"),
    ("SELECT host FROM sqlt-events-* UNION SELECT host FROM y", "UnsupportedOperationException", "UNION"),
    ("SELECT UPPER(host) FROM sqlt-events-*", "UnsupportedOperationException", "function [UPPER]"),
    ("SELECT RANK() OVER (ORDER BY status) FROM sqlt-events-*", "UnsupportedOperationException", "function [RANK]"),
    ("DELETE FROM sqlt-events-*", "UnsupportedOperationException", "DELETE statement"),
    ("UPDATE sqlt-events-* SET status = 1", "UnsupportedOperationException", "UPDATE statement"),
    ("SELECT nope FROM sqlt-events-*", "SemanticCheckException", "can't resolve field [nope]"),
    ("SELECT host, COUNT(*) FROM sqlt-events-*", "SemanticCheckException", "must appear in GROUP BY"),
    ("SELECT host FROM sqlt-events-* WHERE", "SyntaxCheckException", "unexpected end of query"),
    ("SELEKT host FROM x", "SyntaxCheckException", "unexpected [SELEKT]"),
    ("SELECT 'oops FROM x", "SyntaxCheckException", "unterminated string literal"),
])
def test_errors_name_the_unsupported_part(server, events, query, type_, part):
    err = sql_error(sql(server, query))
    assert err["type"] == type_ and part in err["details"], err
    assert err["reason"] in ("Invalid SQL query", "Invalid Query")


def test_request_errors(server, events):
    err = sql_error(sql(server, "SELECT * FROM no-such-index-xyz"), 404)
    assert err["type"] == "IndexNotFoundException" and "no such index" in err["reason"]
    err = sql_error(sql(server, f"SELECT * FROM {events}", "yaml"))
    assert "unknown response format" in err["details"]
    err = sql_error(server.request("POST", "/_plugins/_sql", json={"sql": "SELECT 1"}))
    assert "[query]" in err["details"]
    assert server.request("GET", "/_plugins/_sql").status_code == 405


def test_garbage_never_breaks_the_server(server, events):
    rnd = random.Random(3)
    words = ["SELECT", "FROM", "WHERE", "(", ")", "'", "`", "*", ",", "COUNT", "GROUP BY", "ORDER BY", "LIMIT",
             "host", "sqlt-events-*", "=", "AND", "NOT", "IN", "1", "NULL", "LIKE", "\u00e9", ";", "--"]
    for _ in range(150):
        q = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 14)))
        r = sql(server, q)
        assert r.status_code in (200, 400, 404), (q, r.text)
        if r.status_code != 200:
            assert "error" in r.json()
    assert sql(server, "SELECT a FROM x WHERE " + "(" * 5000 + "a = 1" + ")" * 5000).status_code == 400
    chain = " AND ".join(["status >= 0"] * 3000)
    assert sql(server, f"SELECT COUNT(*) FROM sqlt-events-* WHERE {chain}").status_code in (200, 400)
    nested = "SELECT COUNT(*) FROM sqlt-events-* WHERE " + "NOT (" * 30 + "status = 200" + ")" * 30
    assert sql(server, nested).json()["datarows"] == [[sum(1 for d in DOCS if d["status"] == 200)]]
    assert server.responsive()


def _random_condition(rnd, depth=0):
    """A random WHERE condition as (sql, python evaluator with SQL's three-valued logic)."""
    if depth < 3 and rnd.random() < 0.45:
        kind = rnd.choice(["AND", "OR", "NOT"])
        if kind == "NOT":
            s, f = _random_condition(rnd, depth + 1)
            return f"NOT ({s})", lambda d, f=f: None if f(d) is None else not f(d)
        (s1, f1), (s2, f2) = _random_condition(rnd, depth + 1), _random_condition(rnd, depth + 1)
        if kind == "AND":
            def both(d, f1=f1, f2=f2):
                a, b = f1(d), f2(d)
                return False if a is False or b is False else (None if a is None or b is None else True)
            return f"({s1}) AND ({s2})", both
        def either(d, f1=f1, f2=f2):
            a, b = f1(d), f2(d)
            return True if a is True or b is True else (None if a is None or b is None else False)
        return f"({s1}) OR ({s2})", either
    field, values = rnd.choice([("status", [200, 201, 250, 404, 500]), ("host", HOSTS + ["omega"]),
                                ("country", ["fr", "de", "us", "zz"]), ("latency", [10.25, 500.0, 1250.25, 2400.0])])
    lit = lambda v: f"'{v}'" if isinstance(v, str) else str(v)
    get = lambda d, field=field: d.get(field)
    op = rnd.choice(["=", "!=", "<", ">=", "IN", "NOT IN", "BETWEEN", "IS NULL", "IS NOT NULL", "LIKE"])
    v = rnd.choice(values)
    if op == "IS NULL":
        return f"{field} IS NULL", lambda d: get(d) is None
    if op == "IS NOT NULL":
        return f"{field} IS NOT NULL", lambda d: get(d) is not None
    def unknown_or(pred):
        return lambda d: None if get(d) is None else pred(get(d))
    if op in ("IN", "NOT IN"):
        vs = rnd.sample(values, 2)
        neg = op == "NOT IN"
        return f"{field} {op} ({', '.join(map(lit, vs))})", unknown_or(lambda x: (x in vs) != neg)
    if op == "BETWEEN":
        a, b = sorted(rnd.sample(values, 2))
        return f"{field} BETWEEN {lit(a)} AND {lit(b)}", unknown_or(lambda x: a <= x <= b)
    if op == "LIKE" and isinstance(v, str):
        pat = v[:1] + "%"
        return f"{field} LIKE '{pat}'", unknown_or(lambda x: x.lower().startswith(v[:1].lower()))
    if op == "LIKE":
        op = "="
    preds = {"=": lambda x: x == v, "!=": lambda x: x != v, "<": lambda x: x < v, ">=": lambda x: x >= v}
    return f"{field} {op} {lit(v)}", unknown_or(preds[op])


def test_random_conditions_match_three_valued_logic(server, events):
    rnd = random.Random(11)
    for _ in range(60):
        cond, pred = _random_condition(rnd)
        body = jdbc(server, f"SELECT COUNT(*), SUM(status) FROM {events} WHERE {cond}")
        match = [d for d in DOCS if pred(d) is True]
        assert body["datarows"] == [[len(match), sum(d["status"] for d in match)]], cond


@pytest.mark.parametrize("keys", [["host"], ["country"], ["country", "host"], ["status", "country"], ["ok", "path"]])
def test_group_by_combinations(server, events, keys):
    cols = ", ".join(keys)
    body = jdbc(server, f"SELECT {cols}, COUNT(*), COUNT(country), MIN(latency), MAX(status), COUNT(DISTINCT user) "
                        f"FROM {events} WHERE latency > 100 GROUP BY {cols} ORDER BY {cols}")
    groups = defaultdict(list)
    for d in DOCS:
        if d["latency"] > 100:
            groups[tuple(d.get(k) for k in keys)].append(d)
    order = sorted(groups, key=lambda t: [(x is not None, x) for x in t])  # NULLs first ascending
    want = [list(k) + [len(g), sum(1 for d in g if "country" in d), min(d["latency"] for d in g),
                       max(d["status"] for d in g), len({d["user"] for d in g})] for k, g in ((k, groups[k]) for k in order)]
    assert body["datarows"] == want
