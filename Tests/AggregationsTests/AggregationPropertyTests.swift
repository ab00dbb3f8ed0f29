import Foundation
import Index
import JSON
import Query
import Testing
@testable import Aggregations

/// Random documents over several segments of two indices (with deletions), every aggregation
/// compared with a brute-force evaluation of the same documents.
@Suite struct AggregationPropertyTests {
    struct Doc {
        var user: String?
        var tags: [String] = []
        var n: Int64?
        var ns: [Int64] = []
        var score: Double?
        var ts: Int64?
        var ok: Bool?
        var status: Int64?
        var json: JSONValue = .null
    }

    static let users = ["ann", "bob", "cyd", "dan", "eve", "Fay", "café", "cafe\u{301}", "zoë", "u-1", "u-2", "u-3", "u-4", "u-5"]
    static let tags = ["alpha", "beta", "gamma", "delta", "report", "export"]
    static let statuses: [Int64] = [200, 201, 204, 304, 404, 500, 503]
    static let mapping = #"""
    {"properties":{"user":{"type":"keyword"},"tags":{"type":"keyword"},"n":{"type":"long"},"ns":{"type":"long"},
     "score":{"type":"double"},"ts":{"type":"date"},"ok":{"type":"boolean"},"status":{"type":"integer"}}}
    """#
    /// Windows around the 2026 DST changes in Europe (Mar 29, Oct 25) and the US (Mar 8, Nov 1).
    static let windows: [(Int64, Int64)] = [(1_772_323_200_000, 1_775_520_000_000), (1_761_000_000_000, 1_762_800_000_000)]

    static func randomDoc(_ rng: inout SeededRNG) -> Doc {
        var d = Doc()
        var o = JSONObject()
        if Int.random(in: 0..<10, using: &rng) > 0 { d.user = users.randomElement(using: &rng)!; o["user"] = .string(d.user!) }
        if Bool.random(using: &rng) {
            var t: [String] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) { t.append(tags.randomElement(using: &rng)!) }
            d.tags = Array(Set(t)).sorted()
            o["tags"] = .array(t.map { .string($0) })
        }
        if Int.random(in: 0..<5, using: &rng) > 0 { d.n = Int64.random(in: -50...50, using: &rng); o["n"] = .int(d.n!) }
        if Bool.random(using: &rng) {
            let ns = (0..<Int.random(in: 1...3, using: &rng)).map { _ in Int64.random(in: 0...30, using: &rng) }
            d.ns = ns.sorted()
            o["ns"] = .array(ns.map { .int($0) })
        }
        if Int.random(in: 0..<3, using: &rng) > 0 { d.score = Double(Int.random(in: 0...800, using: &rng)) / 8; o["score"] = .double(d.score!) }
        if Int.random(in: 0..<8, using: &rng) > 0 {
            let w = windows.randomElement(using: &rng)!
            d.ts = Int64.random(in: w.0..<w.1, using: &rng)
            o["ts"] = .string(DateFormat.isoString(millis: d.ts!))
        }
        if Bool.random(using: &rng) { d.ok = Bool.random(using: &rng); o["ok"] = .bool(d.ok!) }
        if Int.random(in: 0..<4, using: &rng) > 0 { d.status = statuses.randomElement(using: &rng)!; o["status"] = .int(d.status!) }
        d.json = .object(o)
        return d
    }

    /// Two indices of three segments each; a few documents deleted. Returns the live docs.
    static func corpus(seed: UInt64, perSegment: Int = 150) throws -> (Corpus, [Doc]) {
        var rng = SeededRNG(seed: seed)
        let c = try Corpus()
        var live: [Doc] = []
        for index in ["events-a", "events-b"] {
            var segments: [[JSONValue]] = []
            var deleted: [Set<Int>] = []
            for _ in 0..<3 {
                let docs = (0..<Int.random(in: perSegment / 2...perSegment, using: &rng)).map { _ in randomDoc(&rng) }
                let del = Set((0..<docs.count).filter { _ in Int.random(in: 0..<12, using: &rng) == 0 })
                segments.append(docs.map(\.json))
                deleted.append(del)
                live += docs.enumerated().filter { !del.contains($0.offset) }.map(\.element)
            }
            try c.addIndex(index, mapping: mapping, segments: segments, deleted: deleted)
        }
        return (c, live)
    }

    /// A query and the same predicate in Swift.
    static let queries: [(String, @Sendable (Doc) -> Bool)] = [
        (#"{"match_all":{}}"#, { _ in true }),
        (#"{"range":{"n":{"gte":-20}}}"#, { ($0.n ?? .min) >= -20 }),
        (#"{"term":{"ok":true}}"#, { $0.ok == true }),
        (#"{"terms":{"user":["ann","bob","café","u-3"]}}"#, { d in ["ann", "bob", "café", "u-3"].contains { same($0, d.user ?? "") } }),
    ]

    static func bytesLess(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    /// Keyword equality is byte equality (Swift's `==` would also equate "café" and "cafe\u{301}").
    static func same(_ a: String, _ b: String) -> Bool { Array(a.utf8) == Array(b.utf8) }

    /// A string key compared by bytes, for reference dictionaries.
    struct Key: Hashable, Comparable {
        let bytes: [UInt8]
        init(_ s: String) { bytes = Array(s.utf8) }
        var text: String { String(decoding: bytes, as: UTF8.self) }
        static func < (a: Key, b: Key) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
    }

    // MARK: terms

    @Test(arguments: [1, 2, 3] as [UInt64])
    func termsMatchReference(seed: UInt64) throws {
        let (c, docs) = try Self.corpus(seed: seed)
        for (q, pred) in Self.queries {
            let matched = docs.filter(pred)
            let r = try c.run(#"""
            {"u":{"terms":{"field":"user","size":100}},
             "t":{"terms":{"field":"tags","size":100,"order":{"_key":"asc"}}},
             "s":{"terms":{"field":"status","size":100,"order":[{"_count":"asc"},{"_key":"desc"}]}},
             "o":{"terms":{"field":"ok"}},
             "um":{"terms":{"field":"user","size":100,"missing":"(none)","min_doc_count":3}},
             "inc":{"terms":{"field":"user","size":100,"include":"u-.*|ann","exclude":["u-2"]}},
             "ns":{"terms":{"field":"ns","size":100},"aggs":{"sum_n":{"sum":{"field":"n"}}}},
             "top3":{"terms":{"field":"user","size":3,"shard_size":100}}}
            """#, query: q)
            func counts(_ values: (Doc) -> [String]) -> [Key: Int64] {
                var out: [Key: Int64] = [:]
                for d in matched { for v in Set(values(d).map(Key.init)) { out[v, default: 0] += 1 } }
                return out
            }
            func check(_ name: String, _ expected: [(Key, Int64)]) {
                let got = (r[name]?["buckets"]?.arrayValue ?? []).map { (Key(QueryValues.text($0["key"]!)!), $0["doc_count"]!.int64Value!) }
                #expect(got.map(\.0.text) == expected.map(\.0.text), "\(name) keys, query \(q)")
                #expect(got.map(\.0) == expected.map(\.0), "\(name) key bytes, query \(q)")
                #expect(got.map(\.1) == expected.map(\.1), "\(name) counts, query \(q)")
            }
            let byCount: ((Key, Int64), (Key, Int64)) -> Bool = { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            let users = counts { $0.user.map { [$0] } ?? [] }
            check("u", users.sorted(by: byCount))
            check("t", counts { $0.tags }.sorted { $0.0 < $1.0 })
            let statuses = counts { $0.status.map { [String($0)] } ?? [] }
            check("s", statuses.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : Int($0.0.text)! > Int($1.0.text)! })
            check("o", counts { $0.ok.map { [$0 ? "1" : "0"] } ?? [] }.sorted(by: byCount))
            check("um", counts { [$0.user ?? "(none)"] }.filter { $0.value >= 3 }.sorted(by: byCount))
            check("inc", users.filter { ($0.key.text.hasPrefix("u-") || $0.key.text == "ann") && $0.key.text != "u-2" }.sorted(by: byCount))
            check("ns", counts { $0.ns.map(String.init) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : Int($0.0.text)! < Int($1.0.text)! })
            check("top3", Array(users.sorted(by: byCount).prefix(3)))
            #expect(r.at("top3/sum_other_doc_count")?.int64Value == users.values.reduce(0, +) - users.sorted(by: byCount).prefix(3).reduce(0) { $0 + $1.1 })
            // Boolean keys render as 0/1 with true/false strings.
            for b in r.at("o/buckets")?.arrayValue ?? [] { #expect(b["key_as_string"] == (b["key"] == 1 ? "true" : "false")) }
            // Sub-aggregation per bucket.
            for b in r.at("ns/buckets")?.arrayValue ?? [] {
                let v = b["key"]!.int64Value!
                let expected = matched.filter { $0.ns.contains(v) }.compactMap(\.n).reduce(0, +)
                #expect(b["sum_n"]?["value"]?.doubleValue == Double(expected))
            }
        }
    }

    @Test(arguments: [4, 5] as [UInt64])
    func termsAcrossIndicesKeepOpenSearchErrorBounds(seed: UInt64) throws {
        let (c, docs) = try Self.corpus(seed: seed)
        let r = try c.run(#"{"u":{"terms":{"field":"user","size":3,"shard_size":4}}}"#)
        var truth: [Key: Int64] = [:]
        for d in docs { if let u = d.user { truth[Key(u), default: 0] += 1 } }
        let buckets = r.at("u/buckets")?.arrayValue ?? []
        let error = r.at("u/doc_count_error_upper_bound")?.int64Value ?? -1
        let other = r.at("u/sum_other_doc_count")?.int64Value ?? -1
        #expect(buckets.count == 3)
        #expect(error >= 0)
        var returned: Int64 = 0
        for b in buckets {
            let count = b["doc_count"]!.int64Value!
            let t = truth[Key(b["key"]!.stringValue!)]!
            #expect(count <= t && count >= t - error)
            returned += count
        }
        #expect(returned + other == truth.values.reduce(0, +))
    }

    // MARK: histograms

    @Test(arguments: [1, 2] as [UInt64])
    func histogramsMatchReference(seed: UInt64) throws {
        let (c, docs) = try Self.corpus(seed: seed)
        for (q, pred) in Self.queries {
            let matched = docs.filter(pred)
            let r = try c.run(#"""
            {"h":{"histogram":{"field":"n","interval":10,"offset":3},"aggs":{"a":{"avg":{"field":"score"}}}},
             "s":{"histogram":{"field":"score","interval":2.5,"min_doc_count":1}},
             "e":{"histogram":{"field":"ns","interval":5,"extended_bounds":{"min":-20,"max":60}}},
             "hb":{"histogram":{"field":"n","interval":5,"hard_bounds":{"min":-10,"max":10}}}}
            """#, query: q)
            func reference(_ values: (Doc) -> [Double], interval: Double, offset: Double, minDocCount: Int64,
                           extended: (Double, Double)? = nil, hard: (Double, Double)? = nil) -> [(Double, Int64)] {
                var counts: [Int64: Int64] = [:]
                for d in matched {
                    var seen = Set<Int64>()
                    for v in values(d) {
                        let idx = Int64(((v - offset) / interval).rounded(.down))
                        let key = Double(idx) * interval + offset
                        if let h = hard, key < h.0 || key > h.1 { continue }
                        if seen.insert(idx).inserted { counts[idx, default: 0] += 1 }
                    }
                }
                var keys = Array(counts.keys)
                if minDocCount == 0, var lo = keys.min(), var hi = keys.max() {
                    if let e = extended {
                        lo = min(lo, Int64(((e.0 - offset) / interval).rounded(.down)))
                        hi = max(hi, Int64(((e.1 - offset) / interval).rounded(.down)))
                    }
                    keys = Array(lo...hi)
                }
                return keys.sorted().map { (Double($0) * interval + offset, counts[$0] ?? 0) }.filter { $0.1 >= minDocCount }
            }
            func check(_ name: String, _ expected: [(Double, Int64)]) {
                let got = (r[name]?["buckets"]?.arrayValue ?? []).map { ($0["key"]!.doubleValue!, $0["doc_count"]!.int64Value!) }
                #expect(got.map(\.0) == expected.map(\.0), "\(name) keys, \(q)")
                #expect(got.map(\.1) == expected.map(\.1), "\(name) counts, \(q)")
            }
            check("h", reference({ $0.n.map { [Double($0)] } ?? [] }, interval: 10, offset: 3, minDocCount: 0))
            check("s", reference({ $0.score.map { [$0] } ?? [] }, interval: 2.5, offset: 0, minDocCount: 1))
            check("e", reference({ $0.ns.map(Double.init) }, interval: 5, offset: 0, minDocCount: 0, extended: (-20, 60)))
            check("hb", reference({ $0.n.map { [Double($0)] } ?? [] }, interval: 5, offset: 0, minDocCount: 0, hard: (-10, 10)))
            for b in r.at("h/buckets")?.arrayValue ?? [] {
                let key = b["key"]!.doubleValue!
                let scores = matched.filter { $0.n.map { Double($0) >= key && Double($0) < key + 10 } ?? false }.compactMap(\.score)
                let avg = b["a"]?["value"]
                if scores.isEmpty { #expect(avg == .null) } else { #expect(abs(avg!.doubleValue! - scores.reduce(0, +) / Double(scores.count)) < 1e-9) }
            }
        }
    }

    /// Bucket starts computed with Foundation's calendar: an implementation independent of ours.
    static func calendarKey(_ t: Int64, unit: String, zone: TimeZone) -> Int64 {
        var cal = Calendar(identifier: .iso8601)
        cal.timeZone = zone
        cal.firstWeekday = 2
        cal.minimumDaysInFirstWeek = 4
        let date = Date(timeIntervalSince1970: Double(t) / 1000)
        let component: Calendar.Component
        switch unit {
        case "hour": component = .hour
        case "day": component = .day
        case "week": component = .weekOfYear
        case "month": component = .month
        case "quarter":
            let m = cal.component(.month, from: date), y = cal.component(.year, from: date)
            let start = cal.date(from: DateComponents(year: y, month: (m - 1) / 3 * 3 + 1, day: 1))!
            return Int64((start.timeIntervalSince1970 * 1000).rounded())
        default: component = .year
        }
        let start = cal.dateInterval(of: component, for: date)!.start
        return Int64((start.timeIntervalSince1970 * 1000).rounded())
    }

    static func nextCalendarKey(_ key: Int64, unit: String, zone: TimeZone) -> Int64 {
        var cal = Calendar(identifier: .iso8601)
        cal.timeZone = zone
        let date = Date(timeIntervalSince1970: Double(key) / 1000)
        let comp: Calendar.Component
        var amount = 1
        switch unit {
        case "hour": comp = .hour
        case "day": comp = .day
        case "week": comp = .day; amount = 7
        case "month": comp = .month
        case "quarter": comp = .month; amount = 3
        default: comp = .year
        }
        let next = cal.date(byAdding: comp, value: amount, to: date)!
        return calendarKey(Int64((next.timeIntervalSince1970 * 1000).rounded()), unit: unit, zone: zone)
    }

    static func isoText(_ ms: Int64, _ zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX"
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    @Test(arguments: ["UTC", "America/New_York", "Europe/Paris", "+05:30", "Australia/Lord_Howe"])
    func dateHistogramsMatchCalendarReference(zone: String) throws {
        let (c, docs) = try Self.corpus(seed: 7, perSegment: 200)
        let tz = zone.hasPrefix("+") ? TimeZone(secondsFromGMT: 19_800)! : TimeZone(identifier: zone)!
        let units = zone == "Australia/Lord_Howe" ? ["day", "week", "month"] : ["hour", "day", "week", "month", "quarter", "year"]
        for unit in units {
            for minDocCount in [0, 1] {
                let r = try c.run(#"{"d":{"date_histogram":{"field":"ts","calendar_interval":"\#(unit)","time_zone":"\#(zone)","min_doc_count":\#(minDocCount)}}}"#)
                var counts: [Int64: Int64] = [:]
                for d in docs { if let t = d.ts { counts[Self.calendarKey(t, unit: unit, zone: tz), default: 0] += 1 } }
                var keys = counts.keys.sorted()
                if minDocCount == 0, let first = keys.first, let last = keys.last {
                    keys = []
                    var k = first
                    while k <= last { keys.append(k); k = Self.nextCalendarKey(k, unit: unit, zone: tz) }
                }
                let got = r.at("d/buckets")?.arrayValue ?? []
                #expect(got.map { $0["key"]!.int64Value! } == keys, "\(unit) \(zone) keys")
                #expect(got.map { $0["doc_count"]!.int64Value! } == keys.map { counts[$0] ?? 0 }, "\(unit) \(zone) counts")
                if unit == "day" || unit == "hour" {
                    #expect(got.map { $0["key_as_string"]!.stringValue! } == keys.map { Self.isoText($0, tz) }, "\(unit) \(zone) key_as_string")
                }
            }
        }
    }

    @Test(arguments: [("30m", Int64(1_800_000), "UTC"), ("1h", Int64(3_600_000), "Europe/Paris"), ("7d", Int64(604_800_000), "+05:30"),
                      ("1d", Int64(86_400_000), "UTC")])
    func fixedIntervalsMatchReference(interval: String, millis: Int64, zone: String) throws {
        let (c, docs) = try Self.corpus(seed: 8)
        let r = try c.run(#"{"d":{"date_histogram":{"field":"ts","fixed_interval":"\#(interval)","time_zone":"\#(zone)","min_doc_count":1,"offset":"+6m"}}}"#)
        let tz = zone.hasPrefix("+") ? TimeZone(secondsFromGMT: 19_800)! : TimeZone(identifier: zone)!
        var counts: [Int64: Int64] = [:]
        for d in docs {
            guard let t = d.ts else { continue }
            let u = t - 360_000
            let off = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(u) / 1000))) * 1000
            let local = u + off
            let floored = local - ((local % millis) + millis) % millis
            counts[floored - off + 360_000, default: 0] += 1
        }
        let got = r.at("d/buckets")?.arrayValue ?? []
        #expect(got.map { $0["key"]!.int64Value! } == counts.keys.sorted())
        #expect(got.map { $0["doc_count"]!.int64Value! } == counts.keys.sorted().map { counts[$0]! })
    }

    @Test func dstBucketsAreHandChecked() throws {
        // 2026-03-08 in New York is 23 hours long; 2026-11-01 is 25 hours long.
        let c = try Corpus()
        let times = ["2026-03-08T04:59:59Z", "2026-03-08T05:00:00Z", "2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z", "2026-03-09T03:59:59Z",
                     "2026-03-09T04:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T04:59:00Z", "2026-11-02T05:00:00Z"]
        try c.addIndex("x", mapping: #"{"properties":{"ts":{"type":"date"}}}"#,
                       segments: [times.prefix(5).map { ["ts": .string($0)] }, times.dropFirst(5).map { ["ts": .string($0)] }])
        let r = try c.run(#"{"d":{"date_histogram":{"field":"ts","calendar_interval":"day","time_zone":"America/New_York","min_doc_count":1}},"h":{"date_histogram":{"field":"ts","calendar_interval":"hour","time_zone":"America/New_York","min_doc_count":1}}}"#)
        let days = (r.at("d/buckets")?.arrayValue ?? []).map { ($0["key_as_string"]!.stringValue!, $0["doc_count"]!.int64Value!) }
        #expect(days.map(\.0) == ["2026-03-07T00:00:00.000-05:00", "2026-03-08T00:00:00.000-05:00", "2026-03-09T00:00:00.000-04:00",
                                  "2026-11-01T00:00:00.000-04:00", "2026-11-02T00:00:00.000-05:00"])
        #expect(days.map(\.1) == [1, 4, 1, 3, 1])
        // The repeated 01:00 hour of Nov 1 is two buckets, one per offset.
        let hours = (r.at("h/buckets")?.arrayValue ?? []).map { $0["key_as_string"]!.stringValue! }
        #expect(hours.contains("2026-11-01T01:00:00.000-04:00"))
        #expect(hours.contains("2026-11-01T01:00:00.000-05:00"))
        #expect(hours.contains("2026-03-08T03:00:00.000-04:00"))
    }

    // MARK: ranges, filters, metrics

    @Test(arguments: [1, 2, 3] as [UInt64])
    func rangesFiltersAndMetricsMatchReference(seed: UInt64) throws {
        let (c, docs) = try Self.corpus(seed: seed)
        for (q, pred) in Self.queries {
            let m = docs.filter(pred)
            let r = try c.run(#"""
            {"r":{"range":{"field":"n","ranges":[{"to":-10},{"from":-10,"to":10},{"from":0,"to":25},{"from":25}]},"aggs":{"mx":{"max":{"field":"score"}}}},
             "rm":{"range":{"field":"ns","ranges":[{"from":5,"to":20}]}},
             "dr":{"date_range":{"field":"ts","ranges":[{"to":"2026-03-10||+1d/d"},{"from":"2026-03-10T12:00:00Z","to":"now"},{"from":"now-20d"}]}},
             "f":{"filter":{"range":{"score":{"gte":50}}},"aggs":{"c":{"value_count":{"field":"user"}}}},
             "fs":{"filters":{"filters":{"ok":{"term":{"ok":true}},"big":{"range":{"n":{"gt":40}}}},"other_bucket":true}},
             "mi":{"missing":{"field":"user"}},
             "g":{"global":{},"aggs":{"n":{"value_count":{"field":"n"}}}},
             "avg":{"avg":{"field":"n"}},"sum":{"sum":{"field":"score"}},"min":{"min":{"field":"ns"}},"max":{"max":{"field":"ns"}},
             "vc":{"value_count":{"field":"ns"}},"st":{"stats":{"field":"ns"}},"es":{"extended_stats":{"field":"n","sigma":3}},
             "avgm":{"avg":{"field":"n","missing":100}},"wa":{"weighted_avg":{"value":{"field":"n"},"weight":{"field":"status"}}},
             "card":{"cardinality":{"field":"user"}},"cardn":{"cardinality":{"field":"ns"}}}
            """#, query: q)
            func count(_ f: (Doc) -> Bool) -> Int64 { Int64(m.filter(f).count) }
            func near(_ a: JSONValue?, _ b: Double, _ label: String) {
                guard let x = a?.doubleValue else { Issue.record("\(label): missing value, expected \(b)"); return }
                #expect(abs(x - b) <= 1e-9 * max(1, abs(b)), "\(label): \(x) vs \(b), \(q)")
            }
            #expect(r.at("r/buckets/0/doc_count")?.int64Value == count { ($0.n ?? .max) < -10 })
            #expect(r.at("r/buckets/1/doc_count")?.int64Value == count { $0.n.map { $0 >= -10 && $0 < 10 } ?? false })
            #expect(r.at("r/buckets/2/doc_count")?.int64Value == count { $0.n.map { $0 >= 0 && $0 < 25 } ?? false })
            #expect(r.at("r/buckets/3/doc_count")?.int64Value == count { ($0.n ?? .min) >= 25 })
            #expect(r.at("r/buckets/1/key") == "-10.0-10.0")
            let mx = m.filter { $0.n.map { $0 >= 0 && $0 < 25 } ?? false }.compactMap(\.score).max()
            #expect(r.at("r/buckets/2/mx/value")?.doubleValue == mx)
            #expect(r.at("rm/buckets/0/doc_count")?.int64Value == count { $0.ns.contains { $0 >= 5 && $0 < 20 } })
            let mar11: Int64 = 1_773_187_200_000, mar10noon: Int64 = 1_773_144_000_000, now = c.now
            #expect(r.at("dr/buckets/0/doc_count")?.int64Value == count { ($0.ts ?? .max) < mar11 })
            #expect(r.at("dr/buckets/1/doc_count")?.int64Value == count { $0.ts.map { $0 >= mar10noon && $0 < now } ?? false })
            #expect(r.at("dr/buckets/2/doc_count")?.int64Value == count { ($0.ts ?? .min) >= now - 20 * 86_400_000 })
            #expect(r.at("dr/buckets/1/from_as_string") == "2026-03-10T12:00:00.000Z")
            #expect(r.at("f/doc_count")?.int64Value == count { ($0.score ?? -1) >= 50 })
            #expect(r.at("f/c/value")?.int64Value == count { ($0.score ?? -1) >= 50 && $0.user != nil })
            #expect(r.at("fs/buckets/ok/doc_count")?.int64Value == count { $0.ok == true })
            #expect(r.at("fs/buckets/big/doc_count")?.int64Value == count { ($0.n ?? .min) > 40 })
            #expect(r.at("fs/buckets/_other_/doc_count")?.int64Value == count { $0.ok != true && ($0.n ?? .min) <= 40 })
            #expect(r.at("mi/doc_count")?.int64Value == count { $0.user == nil })
            #expect(r.at("g/doc_count")?.int64Value == Int64(docs.count))
            #expect(r.at("g/n/value")?.int64Value == Int64(docs.filter { $0.n != nil }.count))
            let ns = m.compactMap(\.n).map(Double.init)
            if ns.isEmpty { #expect(r.at("avg/value") == .null) } else { near(r.at("avg/value"), ns.reduce(0, +) / Double(ns.count), "avg") }
            near(r.at("sum/value"), m.compactMap(\.score).reduce(0, +), "sum")
            let all = m.flatMap(\.ns).map(Double.init)
            #expect(r.at("min/value")?.doubleValue == all.min())
            #expect(r.at("max/value")?.doubleValue == all.max())
            #expect(r.at("vc/value")?.int64Value == Int64(all.count))
            #expect(r.at("st/count")?.int64Value == Int64(all.count))
            near(r.at("st/sum"), all.reduce(0, +), "stats.sum")
            if !ns.isEmpty {
                let mean = ns.reduce(0, +) / Double(ns.count)
                let variance = ns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(ns.count)
                near(r.at("es/variance"), variance, "variance")
                near(r.at("es/std_deviation_bounds/upper"), mean + 3 * variance.squareRoot(), "upper")
                near(r.at("es/sum_of_squares"), ns.map { $0 * $0 }.reduce(0, +), "sum_of_squares")
            }
            let withMissing = m.map { Double($0.n ?? 100) }
            if !withMissing.isEmpty { near(r.at("avgm/value"), withMissing.reduce(0, +) / Double(withMissing.count), "avg missing") }
            let pairs = m.compactMap { d -> (Double, Double)? in
                guard let n = d.n, let s = d.status else { return nil }
                return (Double(n), Double(s))
            }
            let wsum = pairs.reduce(0) { $0 + $1.1 }
            if wsum > 0 { near(r.at("wa/value"), pairs.reduce(0) { $0 + $1.0 * $1.1 } / wsum, "weighted_avg") }
            #expect(r.at("card/value")?.int64Value == Int64(Set(m.compactMap(\.user).map(Key.init)).count))
            #expect(r.at("cardn/value")?.int64Value == Int64(Set(m.flatMap(\.ns)).count))
        }
    }

    // MARK: composite paging

    @Test(arguments: [1, 2] as [UInt64])
    func compositePagingWalksEveryBucket(seed: UInt64) throws {
        let (c, docs) = try Self.corpus(seed: seed)
        for (sources, order) in [
            (#"[{"u":{"terms":{"field":"user"}}},{"d":{"date_histogram":{"field":"ts","calendar_interval":"week"}}}]"#, "asc"),
            (#"[{"u":{"terms":{"field":"user","order":"desc","missing_bucket":true}}},{"s":{"terms":{"field":"status","missing_bucket":true}}}]"#, "desc"),
            (#"[{"t":{"terms":{"field":"tags"}}},{"h":{"histogram":{"field":"ns","interval":7}}}]"#, "asc"),
        ] {
            var pages: [[JSONValue]] = []
            var after: JSONValue? = nil
            repeat {
                let afterPart = after.map { ",\"after\":" + JSONWriter.string($0) } ?? ""
                let r = try c.run(#"{"c":{"composite":{"size":7,"sources":\#(sources)\#(afterPart)},"aggs":{"s":{"sum":{"field":"n"}}}}}"#)
                let buckets = r.at("c/buckets")?.arrayValue ?? []
                pages.append(buckets)
                after = r.at("c/after_key")
                if buckets.isEmpty { break }
                #expect(after == buckets.last?["key"])
            } while pages.count < 500
            let got = pages.flatMap { $0 }
            // Reference: every combination with its documents.
            struct Combo: Hashable {
                var a: [UInt8], b: [UInt8]
                init(a: String, b: String) { self.a = Array(a.utf8); self.b = Array(b.utf8) }
            }
            var expected: [Combo: (Int64, Int64)] = [:]
            for d in docs {
                var first: [String], second: [String]
                switch order {
                case "desc":
                    first = [d.user ?? "\u{0}null"]
                    second = [d.status.map(String.init) ?? "\u{0}null"]
                default:
                    if sources.contains("\"u\"") {
                        first = d.user.map { [$0] } ?? []
                        second = d.ts.map { [String(Self.calendarKey($0, unit: "week", zone: TimeZone(identifier: "UTC")!))] } ?? []
                    } else {
                        first = d.tags
                        second = Array(Set(d.ns.map { String(Int64((Double($0) / 7).rounded(.down) * 7)) }))
                    }
                }
                for a in first { for b in second { expected[Combo(a: a, b: b), default: (0, 0)].0 += 1; expected[Combo(a: a, b: b)]!.1 += d.n ?? 0 } }
            }
            func text(_ v: JSONValue?) -> String {
                guard let v, !v.isNull else { return "\u{0}null" }
                if let d = v.doubleValue, case .double = v { return String(Int64(d)) }
                return QueryValues.text(v)!
            }
            let names = order == "desc" ? ("u", "s") : (sources.contains("\"u\"") ? ("u", "d") : ("t", "h"))
            let gotCombos = got.map { Combo(a: text($0["key"]?[names.0]), b: text($0["key"]?[names.1])) }
            #expect(Set(gotCombos) == Set(expected.keys), "composite \(sources)")
            #expect(gotCombos.count == expected.count, "no duplicates across pages: \(sources)")
            for (i, b) in got.enumerated() where i < gotCombos.count {
                #expect(b["doc_count"]?.int64Value == expected[gotCombos[i]]?.0)
                #expect(b["s"]?["value"]?.doubleValue == expected[gotCombos[i]].map { Double($0.1) })
            }
            // Page order is the key order.
            let ordered = gotCombos.map { (String(decoding: $0.a, as: UTF8.self), String(decoding: $0.b, as: UTF8.self)) }
            for i in 1..<max(1, ordered.count) {
                let (a0, b0) = ordered[i - 1], (a1, b1) = ordered[i]
                if order == "desc" {
                    let firstOK = Self.same(a0, a1) || (a0 == "\u{0}null" ? false : (a1 == "\u{0}null" || Self.bytesLess(a1, a0)))
                    #expect(firstOK, "desc order \(a0) before \(a1)")
                    if Self.same(a0, a1) { #expect(b0 == "\u{0}null" || (b1 != "\u{0}null" && Int(b0)! < Int(b1)!), "\(a0)/\(b0) before \(a1)/\(b1)") }
                } else {
                    #expect(Self.same(a0, a1) ? Int64(b0)! < Int64(b1)! : Self.bytesLess(a0, a1), "asc order \(a0)/\(b0) before \(a1)/\(b1)")
                }
            }
        }
    }

    // MARK: top hits

    @Test func topHitsMatchReference() throws {
        let (c, docs) = try Self.corpus(seed: 11)
        let r = try c.run(#"{"u":{"terms":{"field":"user","size":100},"aggs":{"t":{"top_hits":{"size":3,"sort":[{"n":{"order":"desc"}},{"score":"asc"}],"_source":{"includes":["n","score"]}}}}}}"#)
        for b in r.at("u/buckets")?.arrayValue ?? [] {
            let user = b["key"]!.stringValue!
            let mine = docs.filter { Self.same($0.user ?? "", user) && $0.user != nil }
            let expected = mine.sorted { x, y in
                let a = x.n ?? .min, b = y.n ?? .min
                if (x.n == nil) != (y.n == nil) { return x.n != nil }
                if a != b { return a > b }
                let sa = x.score ?? .infinity, sb = y.score ?? .infinity
                return sa < sb
            }.prefix(3)
            let hits = b["t"]?["hits"]?["hits"]?.arrayValue ?? []
            #expect(b["t"]?["hits"]?["total"]?["value"]?.int64Value == Int64(mine.count))
            #expect(hits.map { $0["_source"]?["n"]?.int64Value } == expected.map(\.n))
            #expect(hits.map { $0["_source"]?["score"]?.doubleValue } == expected.map(\.score))
            for h in hits { #expect(h["_source"]?["user"] == nil) }
        }
    }

    // MARK: pipelines

    @Test(arguments: [1, 2] as [UInt64])
    func pipelinesMatchReference(seed: UInt64) throws {
        let (c, docs) = try Self.corpus(seed: seed)
        let r = try c.run(#"""
        {"d":{"date_histogram":{"field":"ts","calendar_interval":"day","min_doc_count":0},
              "aggs":{"s":{"sum":{"field":"n"}},"der":{"derivative":{"buckets_path":"s"}},"cum":{"cumulative_sum":{"buckets_path":"_count"}},
                      "mv":{"moving_fn":{"buckets_path":"s","window":3,"script":"MovingFunctions.unweightedAvg(values)"}},
                      "mx":{"moving_fn":{"buckets_path":"s","window":2,"shift":1,"script":"MovingFunctions.sum(values)"}},
                      "ratio":{"bucket_script":{"buckets_path":{"s":"s","c":"_count"},"script":"params.s / params.c"}},
                      "sel":{"bucket_selector":{"buckets_path":{"c":"_count"},"script":"params.c > 8 && params.c < 12 || params.c == 3"}}}},
         "total":{"sum_bucket":{"buckets_path":"d>s"}},"mx_s":{"max_bucket":{"buckets_path":"d>s"}},"mn_c":{"min_bucket":{"buckets_path":"d>_count"}},
         "st":{"stats_bucket":{"buckets_path":"d>_count"}},"av":{"avg_bucket":{"buckets_path":"d.s"}}}
        """#)
        var byDay: [Int64: (count: Int64, sum: Int64)] = [:]
        for d in docs { if let t = d.ts { let k = t - ((t % 86_400_000) + 86_400_000) % 86_400_000; byDay[k, default: (0, 0)].count += 1; byDay[k]!.sum += d.n ?? 0 } }
        var all: [(Int64, Int64, Int64)] = []
        if let lo = byDay.keys.min(), let hi = byDay.keys.max() {
            var k = lo
            while k <= hi { all.append((k, byDay[k]?.count ?? 0, byDay[k]?.sum ?? 0)); k += 86_400_000 }
        }
        let selected = all.filter { ($0.1 > 8 && $0.1 < 12) || $0.1 == 3 }
        let buckets = r.at("d/buckets")?.arrayValue ?? []
        #expect(buckets.map { $0["key"]!.int64Value! } == selected.map(\.0))
        // References over all buckets (before the selector removed some).
        var previous: (count: Int64, sum: Int64)? = nil
        var cumulative: Int64 = 0
        var values: [Double] = []
        var expectedByKey: [Int64: (der: Double?, cum: Int64, mv: Double?, mx: Double?, ratio: Double?)] = [:]
        let sums = all.filter { $0.1 > 0 }.map { Double($0.2) }
        var nonEmptyIndex = 0
        for (k, cnt, s) in all {
            cumulative += cnt
            // Derivatives: every bucket after the first; null next to an empty bucket.
            var der: Double? = nil
            if let p = previous, p.count > 0, cnt > 0 { der = Double(s - p.sum) }
            previous = (cnt, s)
            var mv: Double? = nil, mx: Double? = nil
            if cnt > 0 {
                let window = Array(values.suffix(3))
                mv = window.isEmpty ? nil : window.reduce(0, +) / Double(window.count)
                let from = max(0, min(nonEmptyIndex - 2 + 1, sums.count)), to = max(0, min(nonEmptyIndex + 1, sums.count))
                mx = sums[from..<to].reduce(0, +)
                values.append(Double(s))
                nonEmptyIndex += 1
            }
            expectedByKey[k] = (der, cumulative, mv, mx, cnt > 0 ? Double(s) / Double(cnt) : nil)
        }
        for b in buckets {
            let e = expectedByKey[b["key"]!.int64Value!]!
            #expect(b["der"]?["value"]?.doubleValue == e.der)
            #expect(b["cum"]?["value"]?.doubleValue == Double(e.cum))
            #expect(b["mv"]?["value"]?.doubleValue == e.mv)
            #expect(b["mx"]?["value"]?.doubleValue == e.mx)
            #expect(b["ratio"]?["value"]?.doubleValue == e.ratio)
        }
        // Sibling pipelines see the buckets the selector kept.
        let nonEmpty = selected
        #expect(r.at("total/value")?.doubleValue == Double(nonEmpty.reduce(0) { $0 + $1.2 }))
        #expect(r.at("mx_s/value")?.doubleValue == nonEmpty.map { Double($0.2) }.max())
        #expect(r.at("mn_c/value")?.doubleValue == nonEmpty.map { Double($0.1) }.min())
        #expect(r.at("st/count")?.int64Value == Int64(nonEmpty.count))
        #expect(abs((r.at("av/value")?.doubleValue ?? 0) - Double(nonEmpty.reduce(0) { $0 + $1.2 }) / Double(max(1, nonEmpty.count))) < 1e-9)
    }
}
