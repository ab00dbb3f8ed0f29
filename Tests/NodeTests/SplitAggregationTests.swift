import Foundation
import JSON
import Node
import Testing

/// A search that reaches one large segment collects its aggregations on two threads. The
/// halves must reduce to exactly what the same documents give when collected in one pass over
/// several segments (no split): counts, sums, terms with a small shard_size, cardinality,
/// percentiles, top_hits, composite pages and pipelines.
@Suite struct SplitAggregationTests {
    static let aggs = #"""
    {"size": 0, "track_total_hits": true, "aggs": {
      "avg": {"avg": {"field": "v"}}, "stats": {"extended_stats": {"field": "v"}},
      "hist": {"histogram": {"field": "v", "interval": 50}},
      "per_day": {"date_histogram": {"field": "ts", "calendar_interval": "day"},
                  "aggs": {"users": {"cardinality": {"field": "user.keyword"}}, "cum": {"cumulative_sum": {"buckets_path": "_count"}}}},
      "top_users": {"terms": {"field": "user.keyword", "size": 5, "shard_size": 5}},
      "tags": {"terms": {"field": "tag.keyword", "size": 3}, "aggs": {"sum": {"sum": {"field": "v"}}}},
      "users": {"cardinality": {"field": "user.keyword"}},
      "pct": {"percentiles": {"field": "v", "percents": [50, 99]}},
      "first": {"top_hits": {"size": 2, "sort": [{"v": "desc"}, {"i": "asc"}], "_source": ["i", "v"]}},
      "walk": {"composite": {"size": 7, "sources": [{"t": {"terms": {"field": "tag.keyword"}}}, {"u": {"terms": {"field": "user.keyword"}}}]}},
      "big": {"filter": {"range": {"v": {"gte": 900}}}}
    }}
    """#

    func load(_ svc: IndexService, segments: Int) async throws {
        let n = 70_000
        let per = n / segments
        var ops: [WriteOperation] = []
        for i in 0..<n {
            // Skewed users so the top terms are decided by a few counts; v spans 0..<1000.
            let user = "u\((i &* 7919) % 97 * (i % 3 == 0 ? 1 : 3) % 400)"
            let v = (i &* 2_654_435_761) % 1000
            let ts = 1_700_000_000_000 + Int64(i % 10) * 86_400_000 + Int64(i)
            ops.append(try indexOp("d\(i)", #"{"i":\#(i),"v":\#(v),"user":"\#(user)","tag":"t\#(i % 11)","ts":\#(ts)}"#))
            if ops.count == per || i == n - 1 {
                _ = await svc.write(ops)
                ops = []
                try await svc.refresh()
            }
        }
    }

    @Test func oneSplitSegmentReducesLikeManySegments() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let one = try node.writeIndex("one")
        let many = try node.writeIndex("many")
        try await load(one, segments: 1)
        try await load(many, segments: 4)
        #expect(one.segmentCount == 1)
        #expect(many.segmentCount > 1)
        let req = try SearchRequest.parse(try JSONParser.parse(Self.aggs), params: [:])
        let a = try await SearchExecutor.search([one.snapshot()], req)
        let b = try await SearchExecutor.search([many.snapshot()], req)
        #expect(a["hits"]?["total"]?["value"] == .int(70_000))
        let aa = try #require(a["aggregations"]), ba = try #require(b["aggregations"])
        // top_hits name their index: compare them with the names swapped.
        let firstA = JSONWriter.string(aa["first"] ?? .null).replacingOccurrences(of: #""_index":"one""#, with: #""_index":"many""#)
        #expect(firstA == JSONWriter.string(ba["first"] ?? .null))
        for name in ["hist", "per_day", "top_users", "tags", "users", "walk", "big"] {
            #expect(aa[name] == ba[name], "\(name) differs: \(JSONWriter.string(aa[name] ?? .null).prefix(300)) vs \(JSONWriter.string(ba[name] ?? .null).prefix(300))")
        }
        // Floating-point sums may differ in the last bits between groupings.
        for (name, key) in [("avg", "value"), ("stats", "sum"), ("stats", "sum_of_squares")] {
            let x = try #require(aa[name]?[key]?.doubleValue), y = try #require(ba[name]?[key]?.doubleValue)
            #expect(abs(x - y) <= 1e-9 * abs(y), "\(name).\(key) \(x) vs \(y)")
        }
        #expect(aa["stats"]?["count"] == ba["stats"]?["count"] && aa["stats"]?["min"] == ba["stats"]?["min"] && aa["stats"]?["max"] == ba["stats"]?["max"])
        let p50 = try #require(aa["pct"]?["values"]?["50.0"]?.doubleValue), q50 = try #require(ba["pct"]?["values"]?["50.0"]?.doubleValue)
        #expect(abs(p50 - q50) <= 10, "p50 \(p50) vs \(q50)")
    }
}
