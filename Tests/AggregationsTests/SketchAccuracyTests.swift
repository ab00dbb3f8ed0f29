import Foundation
import Index
import JSON
import Testing
@testable import Aggregations

/// cardinality and percentiles on corpora large enough to leave the exact regime, against exact
/// answers computed from the generated values.
@Suite struct SketchAccuracyTests {
    /// `count` distinct values (each repeated up to three times) over four segments of two indices.
    static func corpus(distinct: Int, seed: UInt64) throws -> (Corpus, [Int64], [String]) {
        var rng = SeededRNG(seed: seed)
        var longs: [Int64] = []
        var strings: [String] = []
        var docs: [JSONValue] = []
        for i in 0..<distinct {
            let v = Int64.random(in: Int64.min / 2...Int64.max / 2, using: &rng)
            let s = "user-\(i)-\(UInt32.random(in: 0...UInt32.max, using: &rng))"
            longs.append(v)
            strings.append(s)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                docs.append(["l": .int(v), "k": .string(s), "latency": .double(Double(Int.random(in: 1...20_000, using: &rng)) / 10)])
            }
        }
        docs.shuffle(using: &rng)
        let mapping = #"{"properties":{"l":{"type":"long"},"k":{"type":"keyword"},"latency":{"type":"double"}}}"#
        let c = try Corpus()
        let half = docs.count / 2
        let a = Array(docs[..<half]), b = Array(docs[half...])
        try c.addIndex("a", mapping: mapping, segments: [Array(a[..<(a.count / 2)]), Array(a[(a.count / 2)...])])
        try c.addIndex("b", mapping: mapping, segments: [Array(b[..<(b.count / 3)]), Array(b[(b.count / 3)...])])
        return (c, longs, strings)
    }

    @Test(arguments: [(2_000, UInt64(1)), (3_500, UInt64(2))])
    func cardinalityIsExactUnderTheThreshold(distinct: Int, seed: UInt64) throws {
        let (c, _, _) = try Self.corpus(distinct: distinct, seed: seed)
        let r = try c.run(#"{"k":{"cardinality":{"field":"k"}},"l":{"cardinality":{"field":"l","precision_threshold":5000}}}"#)
        #expect(r.at("k/value")?.int64Value == Int64(distinct))
        #expect(r.at("l/value")?.int64Value == Int64(distinct))
    }

    @Test(arguments: [(20_000, UInt64(3), 3000), (60_000, UInt64(4), 3000), (120_000, UInt64(5), 40_000)])
    func cardinalityIsWithinOnePercentAboveTheThreshold(distinct: Int, seed: UInt64, threshold: Int) throws {
        let (c, _, _) = try Self.corpus(distinct: distinct, seed: seed)
        let r = try c.run(#"{"k":{"cardinality":{"field":"k","precision_threshold":\#(threshold)}},"l":{"cardinality":{"field":"l","precision_threshold":\#(threshold)}}}"#)
        for name in ["k", "l"] {
            let got = Double(r.at("\(name)/value")?.int64Value ?? 0)
            let error = abs(got - Double(distinct)) / Double(distinct)
            #expect(error <= 0.01, "\(name): \(got) for \(distinct) distinct (error \(error))")
        }
    }

    @Test(arguments: [UInt64(6), UInt64(7)])
    func percentilesAreWithinTDigestError(seed: UInt64) throws {
        let (c, _, _) = try Self.corpus(distinct: 15_000, seed: seed)
        let r = try c.run(#"""
        {"p":{"percentiles":{"field":"latency","percents":[0.1,1,5,25,50,75,95,99,99.9]}},
         "q":{"percentiles":{"field":"latency","percents":[50,99],"keyed":false,"tdigest":{"compression":200}}},
         "r":{"percentile_ranks":{"field":"latency","values":[100,1000,1900]}}}
        """#)
        var values: [Double] = []
        for idx in c.indices { for seg in idx.docs { for d in seg { values.append(d["latency"]!.doubleValue!) } } }
        values.sort()
        let n = Double(values.count)
        for p in [0.1, 1, 5, 25, 50, 75, 95, 99, 99.9] {
            let got = r.at("p/values/\(NumberText.java(p))")?.doubleValue ?? .nan
            // The answer's rank must be within the t-digest's rank error of p (a few tenths of a
            // percent in the middle, far less in the tails).
            let q = p / 100
            let tolerance = max(0.002, 4 * q * (1 - q) / 100)
            let lo = values[max(0, Int(((q - tolerance) * n).rounded(.down)))]
            let hi = values[min(values.count - 1, Int(((q + tolerance) * n).rounded(.up)))]
            #expect(got >= lo && got <= hi, "p\(p): \(got) not in [\(lo), \(hi)]")
        }
        #expect(r.at("q/values/0/key") == 50.0)
        #expect(r.at("q/values/1/value")?.doubleValue != nil)
        for v in [100.0, 1000, 1900] {
            let got = (r.at("r/values/\(NumberText.java(v))")?.doubleValue ?? .nan) / 100
            let exact = Double(values.filter { $0 <= v }.count) / n
            #expect(abs(got - exact) <= 0.005, "rank of \(v): \(got) vs \(exact)")
        }
    }

    @Test func smallPercentilesInterpolateLikeOpenSearch() {
        var d = TDigest(compression: 100)
        for v in [1.0, 51, 101, 151] { d.add(v) }
        #expect(d.quantile(0.25) == 26)
        #expect(d.quantile(0.5) == 76)
        #expect(d.quantile(0.75) == 126)
        #expect(d.quantile(0.01) == 1)
        #expect(d.quantile(0.99) == 151)
        var merged = TDigest(compression: 100)
        var a = TDigest(compression: 100), b = TDigest(compression: 100)
        for v in 0..<5000 { if v % 2 == 0 { a.add(Double(v)) } else { b.add(Double(v)) } }
        merged.merge(a)
        merged.merge(b)
        #expect(abs(merged.quantile(0.5) - 2499.5) < 15)
        #expect(merged.quantile(0) == 0)
        #expect(merged.quantile(1) == 4999)
    }
}
