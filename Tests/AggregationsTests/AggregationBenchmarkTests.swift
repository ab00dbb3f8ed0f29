import Foundation
import Index
import JSON
import Query
import Testing
@testable import Aggregations

/// Timings of dashboard-style aggregations over generated request events (set AGGS_BENCH=1; the
/// numbers only mean something in a release build: `-c release -Xswiftc -enable-testing`).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AGGS_BENCH"] != nil))
struct AggregationBenchmarkTests {
    @Test func dashboardQueries() throws {
        let total = Int(ProcessInfo.processInfo.environment["AGGS_BENCH_DOCS"] ?? "") ?? 1_000_000
        let segments = 4
        var rng = SeededRNG(seed: 42)
        let c = try Corpus()
        let modules = (0..<20).map { "module-\($0)" }
        let statuses: [Int64] = [200, 200, 200, 200, 201, 304, 404, 500, 503]
        let start: Int64 = 1_790_000_000_000 - 30 * 86_400_000
        var built = Date()
        var segs: [[JSONValue]] = []
        for _ in 0..<segments {
            var docs: [JSONValue] = []
            docs.reserveCapacity(total / segments)
            for _ in 0..<(total / segments) {
                let ts = start + Int64.random(in: 0..<(30 * 86_400_000), using: &rng)
                docs.append(.object(JSONObject([
                    ("timestamp", .int(ts)),
                    ("user", .string("user-\(Int.random(in: 0..<50_000, using: &rng))")),
                    ("module", .string(modules.randomElement(using: &rng)!)),
                    ("status_code", .int(statuses.randomElement(using: &rng)!)),
                    ("response_time", .double(Double(Int.random(in: 1...5000, using: &rng)))),
                ])))
            }
            segs.append(docs)
        }
        let mapping = #"{"properties":{"timestamp":{"type":"date"},"user":{"type":"keyword"},"module":{"type":"keyword"},"status_code":{"type":"integer"},"response_time":{"type":"double"}}}"#
        try c.addIndex("events", mapping: mapping, segments: segs)
        print("built \(total) docs in \(String(format: "%.1f", Date().timeIntervalSince(built)))s")
        let queries: [(String, String)] = [
            ("unique users per day", #"{"d":{"date_histogram":{"field":"timestamp","calendar_interval":"day"},"aggs":{"u":{"cardinality":{"field":"user"}}}}}"#),
            ("requests per module", #"{"m":{"terms":{"field":"module","size":10},"aggs":{"rt":{"avg":{"field":"response_time"}}}}}"#),
            ("latency percentiles", #"{"p":{"percentiles":{"field":"response_time","percents":[50,95,99]}}}"#),
            ("5xx per day", #"{"d":{"date_histogram":{"field":"timestamp","calendar_interval":"day","time_zone":"Europe/Paris"},"aggs":{"e":{"filter":{"range":{"status_code":{"gte":500}}}}}}}"#),
            ("top users", #"{"u":{"terms":{"field":"user","size":10}}}"#),
            ("stats", #"{"s":{"extended_stats":{"field":"response_time"}},"c":{"value_count":{"field":"user"}}}"#),
        ]
        let only = ProcessInfo.processInfo.environment["AGGS_BENCH_ONLY"]
        let rounds = Int(ProcessInfo.processInfo.environment["AGGS_BENCH_ROUNDS"] ?? "") ?? 5
        for (name, q) in queries where only.map({ name.contains($0) }) ?? true {
            var times: [Double] = []
            for _ in 0..<rounds {
                built = Date()
                _ = try c.run(q)
                times.append(Date().timeIntervalSince(built) * 1000)
            }
            times.sort()
            print("\(name): median \(String(format: "%.1f", times[times.count / 2])) ms (min \(String(format: "%.1f", times[0])))")
        }
    }
}
