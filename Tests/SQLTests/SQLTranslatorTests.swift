import Testing
import JSON
@testable import SQL

/// SQL → search body, rows from responses, and the semantic errors.
@Suite struct SQLTranslatorTests {
    static let catalog: SQLCatalog = [
        "host": SQLField(type: "keyword"),
        "message": SQLField(type: "text", keywordField: "message.keyword"),
        "message.keyword": SQLField(type: "keyword", sourcePath: "message"),
        "body": SQLField(type: "text"),
        "status": SQLField(type: "integer"),
        "latency": SQLField(type: "double"),
        "ts": SQLField(type: "date"),
        "ok": SQLField(type: "boolean"),
        "geo.city": SQLField(type: "keyword"),
    ]

    func plan(_ q: String) throws(SQLError) -> SQLPlan {
        let s = try SQLParser.parse(q)
        return try SQLTranslator(catalog: Self.catalog, tableAlias: s.tableAlias).translate(s)
    }

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    @Test func plainSelect() throws {
        let p = try plan("SELECT host, status AS s FROM logs-* WHERE status >= 500 ORDER BY ts DESC, host LIMIT 5 OFFSET 2")
        #expect(p.mode == .hits && p.index == "logs-*")
        #expect(p.body == (try json("""
            {"from":2,"size":5,"query":{"range":{"status":{"gte":500}}},"_source":["host","status"],
             "sort":[{"ts":{"order":"desc","missing":"_last"}},{"host":{"order":"asc","missing":"_first"}}],"track_total_hits":true}
            """)))
        #expect(p.columns.map(\.name) == ["host", "status"])
        #expect(p.columns.map(\.alias) == [nil, "s"])
        #expect(p.columns.map(\.type) == ["keyword", "integer"])
    }

    @Test func selectStarUsesDefaultLimitAndSkipsMultiFields() throws {
        let p = try plan("SELECT * FROM logs")
        #expect(p.body["size"] == .int(200))
        #expect(p.columns.map(\.name) == ["body", "geo.city", "host", "latency", "message", "ok", "status", "ts"])
        #expect(p.columns.first { $0.name == "ts" }?.type == "timestamp")
    }

    @Test(arguments: [
        ("host = 'a'", #"{"term":{"host":{"value":"a"}}}"#),
        ("'a' = host", #"{"term":{"host":{"value":"a"}}}"#),
        ("message = 'a'", #"{"term":{"message.keyword":{"value":"a"}}}"#),
        ("host != 'a'", #"{"bool":{"filter":[{"exists":{"field":"host"}}],"must_not":[{"term":{"host":{"value":"a"}}}]}}"#),
        ("5 < status", #"{"range":{"status":{"gt":5}}}"#),
        ("status <= 5", #"{"range":{"status":{"lte":5}}}"#),
        ("ts = '2026-11-23'", #"{"range":{"ts":{"gte":"2026-11-23","lte":"2026-11-23"}}}"#),
        ("ts < '2026-11-23'", #"{"range":{"ts":{"lt":"2026-11-23"}}}"#),
        ("status IN (1, 2)", #"{"terms":{"status":[1,2]}}"#),
        ("status NOT IN (1)", #"{"bool":{"filter":[{"exists":{"field":"status"}}],"must_not":[{"terms":{"status":[1]}}]}}"#),
        ("latency BETWEEN 1.5 AND 2", #"{"range":{"latency":{"gte":1.5,"lte":2}}}"#),
        ("host IS NULL", #"{"bool":{"must_not":[{"exists":{"field":"host"}}]}}"#),
        ("host IS NOT NULL", #"{"exists":{"field":"host"}}"#),
        ("NOT host IS NULL", #"{"exists":{"field":"host"}}"#),
        ("host LIKE 'a%_b*'", #"{"wildcard":{"host":{"value":"a*?b\\*","case_insensitive":true}}}"#),
        ("ok", #"{"term":{"ok":{"value":true}}}"#),
        ("ok = false", #"{"term":{"ok":{"value":false}}}"#),
        ("true", #"{"match_all":{}}"#),
        ("geo.city = 'x' OR host = 'y' OR status = 1",
         #"{"bool":{"should":[{"term":{"geo.city":{"value":"x"}}},{"term":{"host":{"value":"y"}}},{"term":{"status":{"value":1}}}],"minimum_should_match":1}}"#),
        ("NOT (host = 'a' AND status = 1)",
         #"{"bool":{"should":[{"bool":{"filter":[{"exists":{"field":"host"}}],"must_not":[{"term":{"host":{"value":"a"}}}]}},{"bool":{"filter":[{"exists":{"field":"status"}}],"must_not":[{"term":{"status":{"value":1}}}]}}],"minimum_should_match":1}}"#),
    ])
    func whereClauses(condition: String, expected: String) throws {
        let p = try plan("SELECT host FROM logs WHERE \(condition)")
        #expect(p.body["query"] == (try json(expected)), "\(condition)")
    }

    @Test(arguments: [
        ("a%", "a*"), ("a\\%b", "a%b"), ("x_y", "x?y"), ("a\\_", "a_"), ("q?", "q\\?"), ("t\\", "t\\\\"),
    ])
    func likeToWildcard(like: String, wildcard: String) {
        #expect(SQLTranslator.wildcard(like) == wildcard)
    }

    @Test func metricsWithoutGroupBy() throws {
        let p = try plan("SELECT COUNT(*), COUNT(status) c, COUNT(DISTINCT host), AVG(latency), SUM(status), MIN(ts), MAX(latency) FROM logs")
        #expect(p.mode == .metrics)
        #expect(p.body["aggs"] == (try json("""
            {"a1":{"value_count":{"field":"status"}},"a2":{"cardinality":{"field":"host","precision_threshold":40000}},
             "a3":{"avg":{"field":"latency"}},"a4":{"sum":{"field":"status"}},"a5":{"min":{"field":"ts"}},"a6":{"max":{"field":"latency"}}}
            """)))
        #expect(p.columns.map(\.type) == ["long", "long", "long", "double", "long", "timestamp", "double"])
        let response = try json("""
            {"hits":{"total":{"value":7}},"aggregations":{"a1":{"value":6},"a2":{"value":3},"a3":{"value":1.5},
             "a4":{"value":21.0},"a5":{"value":1763856000000,"value_as_string":"2025-11-23T00:00:00.000Z"},"a6":{"value":9.5}}}
            """)
        let (rows, total) = p.finish([p.metricRow(response)])
        #expect(total == 1)
        #expect(rows == [[7, 6, 3, 1.5, 21, "2025-11-23 00:00:00", 9.5]])
    }

    @Test func groupedWithHavingOrderAndLimit() throws {
        let p = try plan("SELECT host, COUNT(*) AS n, AVG(latency) FROM logs GROUP BY host HAVING n > 1 ORDER BY COUNT(*) DESC, host LIMIT 2")
        #expect(p.mode == .groups)
        #expect(p.body["aggs"] == (try json("""
            {"groups":{"composite":{"size":1000,"sources":[{"g0":{"terms":{"field":"host","missing_bucket":true}}}]},
             "aggs":{"a1":{"avg":{"field":"latency"}}}}}
            """)))
        let page = try json("""
            {"aggregations":{"groups":{"after_key":{"g0":"d"},"buckets":[
              {"key":{"g0":"a"},"doc_count":3,"a1":{"value":1.0}},{"key":{"g0":"b"},"doc_count":1,"a1":{"value":2.0}},
              {"key":{"g0":"c"},"doc_count":5,"a1":{"value":null}},{"key":{"g0":null},"doc_count":3,"a1":{"value":4.0}}]}}}
            """)
        let (keyed, after) = p.groupPage(page)
        #expect(after == ["g0": "d"])
        let (rows, total) = p.finish(keyed)
        #expect(total == 3)
        #expect(rows == [["c", 5, nil], [nil, 3, 4.0]])
        #expect(p.body(after: ["g0": "d"])["aggs"]?["groups"]?["composite"]?["after"] == ["g0": "d"])
        var small = p
        small.limitPageSize(3)
        #expect(small.pageSize == 3 && small.body["aggs"]?["groups"]?["composite"]?["size"] == 3)
    }

    @Test func groupByTextUsesKeywordAndOrdinalsAndAliases() throws {
        let p = try plan("SELECT message m, MAX(ts) FROM logs GROUP BY m ORDER BY 1 DESC")
        #expect(p.groups == [SQLPlan.Group(key: "g0", field: "message.keyword", isDate: false)])
        #expect(p.columns.map(\.type) == ["text", "timestamp"])
        #expect(p.order == [SQLPlan.Order(key: "g0", descending: true, nullsFirst: false)])
        let q = try plan("SELECT l.host, COUNT(*) FROM logs AS l GROUP BY 1")
        #expect(q.groups.map(\.field) == ["host"])
    }

    @Test func hitRowsReadDottedAndNestedSource() throws {
        let p = try plan("SELECT geo.city, message.keyword, status FROM logs")
        #expect(p.body["_source"] == ["geo.city", "message", "status"])
        let rows = p.hitRows(try json(#"{"hits":{"total":{"value":2},"hits":[{"_source":{"geo":{"city":"x"},"message":"m","status":1}},{"_source":{"geo.city":"y"}}]}}"#))
        #expect(rows == [["x", "m", 1], ["y", nil, nil]])
    }

    @Test(arguments: [
        ("SELECT nope FROM logs", "can't resolve field [nope]: no such field in the index mapping"),
        ("SELECT host FROM logs WHERE nope = 1", "can't resolve field [nope]: no such field in the index mapping"),
        ("SELECT host, COUNT(*) FROM logs", "field [host] in SELECT must appear in GROUP BY or in an aggregate function"),
        ("SELECT status, COUNT(*) FROM logs GROUP BY host", "field [status] in SELECT must appear in GROUP BY or in an aggregate function"),
        ("SELECT * FROM logs GROUP BY host", "SELECT * with GROUP BY or aggregate functions"),
        ("SELECT AVG(host) FROM logs", "AVG needs a numeric field, [host] is [keyword]"),
        ("SELECT MIN(message) FROM logs", "MIN needs a numeric or date field, [message] is [text]"),
        ("SELECT host FROM logs WHERE COUNT(*) > 1", "aggregate functions are not allowed in WHERE (use HAVING)"),
        ("SELECT host FROM logs HAVING status > 1", "HAVING without GROUP BY or aggregate functions"),
        ("SELECT COUNT(*) FROM logs GROUP BY COUNT(*)", "aggregate function in GROUP BY"),
        ("SELECT body, COUNT(*) FROM logs GROUP BY body", "GROUP BY on text field [body] needs a keyword sub-field"),
        ("SELECT host FROM logs ORDER BY body", "ORDER BY on text field [body] needs a keyword sub-field"),
        ("SELECT host FROM logs WHERE status LIKE '1%'", "LIKE needs a keyword or text field, [status] is [integer]"),
        ("SELECT host FROM logs ORDER BY 3", "ORDER BY position [3] is not in the SELECT list"),
        ("SELECT host FROM logs WHERE geo = 'x'", "comparison on object field [geo]"),
    ])
    func semanticErrors(query: String, message: String) {
        do { _ = try plan(query); Issue.record("translated \(query)") } catch {
            #expect(error.kind == .semantic, "\(query)")
            #expect(error.message == message, "\(query)")
        }
    }

    @Test(arguments: [
        ("SELECT host FROM logs WHERE status = latency", "comparison between two fields is not supported"),
        ("SELECT host FROM logs WHERE 1 = 1", "comparison without a field is not supported"),
        ("SELECT host FROM logs WHERE host = NULL", "comparison with NULL (use IS NULL) is not supported"),
        ("SELECT host FROM logs WHERE status IN (1, NULL)", "NULL in an IN list is not supported"),
        ("SELECT host FROM logs WHERE host", "field [host] used as a condition (only boolean fields) is not supported"),
        ("SELECT host FROM logs WHERE 5", "literal value as a condition is not supported"),
        ("SELECT host FROM logs WHERE host LIKE status", "LIKE with a pattern that is not a string literal is not supported"),
        ("SELECT host FROM logs WHERE status BETWEEN NULL AND 2", "NULL bound in BETWEEN is not supported"),
        ("SELECT 1 FROM logs", "literal value in SELECT is not supported"),
        ("SELECT COUNT(*) FROM logs HAVING COUNT(*) LIKE 'x'", "LIKE in HAVING is not supported"),
        ("SELECT host FROM logs ORDER BY 'x'", "literal value in ORDER BY is not supported"),
        ("SELECT host, COUNT(*) FROM logs GROUP BY host ORDER BY 'x'", "literal value in ORDER BY is not supported"),
        ("SELECT host FROM logs WHERE host IS NULL IS NULL", "unexpected [IS], expecting end of query"),
    ])
    func unsupportedTranslations(query: String, message: String) {
        do { _ = try plan(query); Issue.record("translated \(query)") } catch {
            #expect(error.message == message, "\(query)")
        }
    }

    @Test(arguments: [(0, "1970-01-01 00:00:00"), (1_763_856_123_456, "2025-11-23 00:02:03.456"), (-1, "1969-12-31 23:59:59.999")])
    func timestamps(ms: Int64, text: String) {
        #expect(SQLPlan.timestamp(ms) == text)
    }

    @Test func havingThreeValuedLogic() throws {
        let p = try plan("SELECT host, MAX(latency) FROM logs GROUP BY host HAVING NOT MAX(latency) > 1 OR host IN ('z')")
        let rows: [[String: JSONValue]] = [["g0": "a", "a0": 0.5], ["g0": "b", "a0": nil], ["g0": "z", "a0": nil], ["g0": "c", "a0": 2.0]]
        #expect(p.finish(rows).rows == [["a", 0.5], ["z", nil]])
    }
}
