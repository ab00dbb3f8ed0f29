import Foundation
import Index
import JSON
import Testing
@testable import Aggregations

/// More request options: keyed responses, bounds, empty indices, moving functions, pipelines
/// over pipelines, fielddata text, IPs, limits.
@Suite struct MoreShapeTests {
    static let mapping = #"""
    {"properties":{"date":{"type":"date"},"v":{"type":"long"},"w":{"type":"double"},"k":{"type":"keyword"},"ip":{"type":"ip"},
     "body":{"type":"text","fielddata":true},"plain":{"type":"text"}}}
    """#

    func corpus(_ segments: [[String]]) throws -> Corpus {
        let c = try Corpus()
        try c.addIndex("idx", mapping: Self.mapping, segments: try segments.map { try $0.map(json) })
        return c
    }

    var daily: Corpus {
        get throws {
            try corpus([[#"{"date":"2020-01-01T10:00:00Z","v":1,"w":2,"k":"a"}"#, #"{"date":"2020-01-02T10:00:00Z","v":3,"w":1,"k":"b"}"#],
                        [#"{"date":"2020-01-03T10:00:00Z","v":6,"w":1,"k":"a"}"#, #"{"date":"2020-01-05T10:00:00Z","v":10,"w":4,"k":"c"}"#,
                         #"{"date":"2020-01-06T10:00:00Z","v":15,"w":1,"k":"c"}"#]])
        }
    }

    @Test func keyedResponsesAndBounds() throws {
        let c = try daily
        let r = try c.run(#"""
        {"h":{"histogram":{"field":"v","interval":5,"keyed":true}},
         "d":{"date_histogram":{"field":"date","calendar_interval":"day","keyed":true,"format":"yyyy-MM-dd",
              "extended_bounds":{"min":"2019-12-30","max":"2020-01-08"}}},
         "hb":{"date_histogram":{"field":"date","calendar_interval":"day","hard_bounds":{"min":"2020-01-02","max":"2020-01-05"}}},
         "p":{"percentiles":{"field":"v","percents":[50],"keyed":false}},
         "hc":{"histogram":{"field":"v","interval":5,"order":{"_count":"desc"}}}}
        """#)
        #expect(r["h"]?["buckets"]?.objectValue?.keys == ["0.0", "5.0", "10.0", "15.0"])
        #expect(r.at("h/buckets/5.0/doc_count") == 1)
        let days = r["d"]?["buckets"]?.objectValue?.keys ?? []
        #expect(days.first == "2019-12-30")
        #expect(days.last == "2020-01-08")
        #expect(days.count == 10)
        #expect(r.at("d/buckets/2020-01-04/doc_count") == 0)
        #expect(r.at("d/buckets/2020-01-05/key_as_string") == "2020-01-05")
        let hb = (r.at("hb/buckets")?.arrayValue ?? []).map { $0["key_as_string"]!.stringValue! }
        #expect(hb == ["2020-01-02T00:00:00.000Z", "2020-01-03T00:00:00.000Z", "2020-01-04T00:00:00.000Z", "2020-01-05T00:00:00.000Z"])
        #expect(r.at("p/values/0/key") == 50.0)
        #expect(r.at("p/values/0/value") == 6.0)
        #expect(r.at("hc/buckets/0/doc_count") == 2)
        #expect(r.at("hc/buckets/0/key") == 0.0)
    }

    @Test func emptyIndexAndNoMatches() throws {
        let c = try Corpus()
        try c.addIndex("empty", mapping: Self.mapping, segments: [])
        let aggs = #"""
        {"t":{"terms":{"field":"k"}},"a":{"avg":{"field":"v"}},"s":{"sum":{"field":"v"}},"c":{"cardinality":{"field":"k"}},
         "r":{"range":{"field":"v","ranges":[{"to":5},{"from":5}]}},"dr":{"date_range":{"field":"date","ranges":[{"from":"2020-01-01T00:00:00Z"}]},
              "aggs":{"u":{"cardinality":{"field":"k"}}}},
         "f":{"filters":{"filters":{"x":{"term":{"k":"a"}}}}},"g":{"global":{}},"st":{"stats":{"field":"v"}},
         "d":{"date_histogram":{"field":"date","calendar_interval":"day","extended_bounds":{"min":"2020-01-01","max":"2020-01-03"}}},
         "p":{"percentiles":{"field":"v"}},"top":{"top_hits":{}}}
        """#
        for r in [try c.run(aggs), try daily.run(aggs, query: #"{"term":{"k":"zzz"}}"#)] {
            #expect(r.at("t/buckets")?.arrayValue?.isEmpty == true)
            #expect(r.at("t/sum_other_doc_count") == 0)
            #expect(r.at("a/value") == .null)
            #expect(r.at("s/value") == 0.0)
            #expect(r.at("c/value") == 0)
            #expect(r.at("r/buckets/0/key") == "*-5.0")
            #expect(r.at("r/buckets/1/doc_count") == 0)
            #expect(r.at("dr/buckets/0/key") == "2020-01-01T00:00:00.000Z-*")
            #expect(r.at("dr/buckets/0/u/value") == 0)
            #expect(r.at("f/buckets/x/doc_count") == 0)
            #expect(r.at("st/count") == 0)
            #expect(r.at("st/min") == .null)
            #expect(r.at("st/sum") == 0.0)
            #expect(r.at("d/buckets")?.arrayValue?.count == 3)
            #expect(r.at("p/values/50.0") == .null)
            #expect(r.at("top/hits/total/value") == 0)
        }
    }

    @Test func movingFunctionsAndMorePipelines() throws {
        let c = try daily
        let r = try c.run(#"""
        {"d":{"date_histogram":{"field":"date","calendar_interval":"day"},
              "aggs":{"s":{"sum":{"field":"v"}},
                      "lw":{"moving_fn":{"buckets_path":"s","window":10,"script":"MovingFunctions.linearWeightedAvg(values)"}},
                      "ew":{"moving_fn":{"buckets_path":"s","window":10,"script":"MovingFunctions.ewma(values, 0.5)"}},
                      "ho":{"moving_fn":{"buckets_path":"s","window":10,"script":"MovingFunctions.holt(values, 0.5, 0.5)"}},
                      "sd":{"moving_fn":{"buckets_path":"s","window":10,"script":"MovingFunctions.stdDev(values, MovingFunctions.unweightedAvg(values))"}},
                      "mn":{"moving_fn":{"buckets_path":"s","window":2,"script":{"source":"return MovingFunctions.min(values);"}}},
                      "sm":{"moving_fn":{"buckets_path":"s","window":2,"script":"MovingFunctions.sum(values)"}},
                      "diff":{"serial_diff":{"buckets_path":"s","lag":1}},
                      "der":{"derivative":{"buckets_path":"s","unit":"1h"},"meta":{"x":1}},
                      "dd":{"derivative":{"buckets_path":"der"}},
                      "big":{"bucket_script":{"buckets_path":{"s":"s"},"script":"params.s * 2 + 1","format":"0.00"}}}},
         "pb":{"percentiles_bucket":{"buckets_path":"d>s","percents":[50,100]}},
         "esb":{"extended_stats_bucket":{"buckets_path":"d>s"}}}
        """#)
        let b = r.at("d/buckets")?.arrayValue ?? []
        #expect(b.count == 6)
        // Sums per day: 1, 3, 6, (gap), 10, 15.
        #expect(b[1]["lw"]?["value"] == 0.5)          // (1·1) / (1 + 1)
        #expect(b[2]["lw"]?["value"] == 1.75)         // (1·1 + 3·2) / (1 + 1 + 2)
        #expect(b[2]["ew"]?["value"] == 2.0)          // 1, then 3·0.5 + 1·0.5
        #expect(b[1]["ho"]?["value"] == 1.0)
        #expect(b[3]["mn"] == nil)                    // empty bucket: a gap
        #expect(b[4]["mn"]?["value"] == 3.0)          // window of the two previous values: 3, 6
        #expect(b[4]["sm"]?["value"] == 9.0)
        #expect(b[2]["sd"]?["value"] == 1.0)          // population std of 1 and 3
        #expect(b[1]["diff"]?["value"] == 2.0)
        #expect(b[4]["diff"] == nil)                  // its lag bucket is the gap
        #expect(b[5]["diff"]?["value"] == 5.0)
        #expect(b[1]["der"]?["value"] == 2.0)
        #expect(b[1]["der"]?["normalized_value"] == .double(2.0 / 24))
        #expect(b[1]["der"]?["meta"]?["x"] == 1)
        #expect(b[2]["dd"]?["value"] == 1.0)
        #expect(b[5]["big"]?["value"] == 31.0)
        #expect(b[5]["big"]?["value_as_string"] == "31.00")
        #expect(r.at("pb/values/50.0") == 6.0)
        #expect(r.at("pb/values/100.0") == 15.0)
        #expect(r.at("esb/count") == 5)
        #expect(r.at("esb/std_deviation_bounds/upper") != nil)
    }

    @Test func bucketSortAndSelectorVariants() throws {
        let c = try daily
        let r = try c.run(#"""
        {"t":{"terms":{"field":"k"},"aggs":{"s":{"sum":{"field":"v"}},"page":{"bucket_sort":{"from":1,"size":1}}}},
         "t2":{"terms":{"field":"k"},"aggs":{"s":{"sum":{"field":"v"}},"o":{"bucket_sort":{"sort":[{"_key":{"order":"desc"}}]}}}},
         "t3":{"terms":{"field":"k"},"aggs":{"s":{"sum":{"field":"v"}},"sel":{"bucket_selector":{"buckets_path":{"s":"s","n":"_count"},"script":{"source":"params.s / params.n > params.t","params":{"t":5}}}}}}}
        """#)
        #expect(r.at("t/buckets")?.arrayValue?.count == 1)
        #expect(r.at("t/buckets/0/key") == "c")
        #expect((r.at("t2/buckets")?.arrayValue ?? []).map { $0["key"]!.stringValue! } == ["c", "b", "a"])
        #expect((r.at("t3/buckets")?.arrayValue ?? []).map { $0["key"]!.stringValue! } == ["c"])
    }

    @Test func fielddataTextIpsAndTopHitsPaging() throws {
        let c = try corpus([[#"{"body":"Hello world","ip":"10.0.0.1","v":1}"#, #"{"body":"hello again","ip":"::1","v":2}"#],
                            [#"{"body":"World peace","ip":"10.0.0.1","v":3}"#]])
        let r = try c.run(#"""
        {"words":{"terms":{"field":"body"}},"ips":{"terms":{"field":"ip","include":["10.0.0.1"]}},
         "top":{"top_hits":{"from":1,"size":1,"sort":[{"v":"asc"}]}}}
        """#)
        #expect(r.at("words/buckets/0/key") == "hello")
        #expect(r.at("words/buckets/0/doc_count") == 2)
        #expect(r.at("words/buckets/1/key") == "world")
        #expect(r.at("ips/buckets")?.arrayValue?.count == 1)
        #expect(r.at("ips/buckets/0/doc_count") == 2)
        #expect(r.at("top/hits/hits")?.arrayValue?.count == 1)
        #expect(r.at("top/hits/hits/0/_source/v") == 2)
        #expect(r.at("top/hits/total/value") == 3)
        #expect(throws: OpenSearchError.self) { try c.run(#"{"a":{"terms":{"field":"plain"}}}"#) }
    }

    @Test func bucketLimitCountsNestedBuckets() throws {
        let c = try daily
        let aggs = #"{"t":{"terms":{"field":"k"},"aggs":{"d":{"terms":{"field":"v"}}}}}"#
        #expect(throws: Never.self) { try c.run(aggs, maxBuckets: 8) }
        do {
            _ = try c.run(aggs, maxBuckets: 7)
            Issue.record("expected too_many_buckets_exception")
        } catch let e as OpenSearchError {
            #expect(e.type == "too_many_buckets_exception")
            #expect(e.reason.contains("[7] but was [8]"))
            #expect(e.metadata["max_buckets"] == 7)
        }
        // A fixed 1ms interval over days of data stops at the limit instead of allocating.
        #expect(throws: OpenSearchError.self) { try c.run(#"{"d":{"date_histogram":{"field":"date","fixed_interval":"1ms"}}}"#) }
    }

    @Test(arguments: [UInt64(1), UInt64(2)])
    func topTermsOfManyAndWholeShardCut(seed: UInt64) throws {
        // Three single-segment indices and one of two segments; 300 distinct terms, skewed.
        var rng = SeededRNG(seed: seed)
        var truth: [String: Int64] = [:]
        let c = try Corpus()
        for (i, segs) in [1, 1, 1, 2].enumerated() {
            var segments: [[JSONValue]] = []
            for _ in 0..<segs {
                var docs: [JSONValue] = []
                for _ in 0..<800 {
                    let t = "t\(Int(pow(Double.random(in: 0..<1, using: &rng), 2) * 300))"
                    truth[t, default: 0] += 1
                    docs.append(["k": .string(t), "v": .int(Int64.random(in: 0..<10, using: &rng))])
                }
                segments.append(docs)
            }
            try c.addIndex("i\(i)", mapping: Self.mapping, segments: segments)
        }
        let aggs = #"{"t":{"terms":{"field":"k","size":5}},"big":{"terms":{"field":"k","size":5,"shard_size":400},"aggs":{"s":{"sum":{"field":"v"}}}},"asc":{"terms":{"field":"k","size":4,"order":{"_count":"asc"},"shard_size":400}}}"#
        let plain = try c.run(aggs), hinted = try c.run(aggs, segmentHint: true)
        #expect(plain == hinted)
        // With a shard_size above the number of terms the answer is exact.
        let expected = truth.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        let got = (hinted.at("big/buckets")?.arrayValue ?? []).map { ($0["key"]!.stringValue!, $0["doc_count"]!.int64Value!) }
        #expect(got.map(\.0) == expected.prefix(5).map(\.key))
        #expect(got.map(\.1) == expected.prefix(5).map(\.value))
        #expect(hinted.at("big/sum_other_doc_count")?.int64Value == truth.values.reduce(0, +) - expected.prefix(5).reduce(0) { $0 + $1.value })
        let fewest = truth.sorted { $0.value != $1.value ? $0.value < $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        #expect((hinted.at("asc/buckets")?.arrayValue ?? []).map { $0["key"]!.stringValue! } == fewest.prefix(4).map(\.key))
        // The default shard_size (size × 1.5 + 10) can miss; OpenSearch's bounds still hold.
        let error = hinted.at("t/doc_count_error_upper_bound")?.int64Value ?? -1
        #expect(error >= 0)
        for b in hinted.at("t/buckets")?.arrayValue ?? [] {
            let count = b["doc_count"]!.int64Value!, t = truth[b["key"]!.stringValue!]!
            #expect(count <= t && count >= t - error)
        }
    }

    @Test func ipRangesAndMedianAbsoluteDeviation() throws {
        let c = try corpus([[#"{"ip":"::1","v":100}"#, #"{"ip":"192.168.0.1","v":200}"#], [#"{"ip":"192.168.0.7","v":300}"#]])
        let r = try c.run(#"""
        {"r":{"ip_range":{"field":"ip","ranges":[{"to":"192.168.0.0"},{"from":"192.168.0.0","to":"192.169.0.0"},{"from":"192.169.0.0"}]},
              "aggs":{"s":{"sum":{"field":"v"}}}},
         "m":{"ip_range":{"field":"ip","ranges":[{"mask":"::/24"},{"mask":"192.168.0.0/16"}]}},
         "avg":{"avg_bucket":{"buckets_path":"r.s"}},
         "mad":{"median_absolute_deviation":{"field":"v"}},"madm":{"median_absolute_deviation":{"field":"w","missing":3000}},
         "none":{"median_absolute_deviation":{"field":"nope"}}}
        """#)
        #expect(r.at("r/buckets/0/key") == "*-192.168.0.0")
        #expect(r.at("r/buckets/0/from") == nil)
        #expect(r.at("r/buckets/0/to") == "192.168.0.0")
        #expect(r.at("r/buckets/0/doc_count") == 1)
        #expect(r.at("r/buckets/1/key") == "192.168.0.0-192.169.0.0")
        #expect(r.at("r/buckets/1/doc_count") == 2)
        #expect(r.at("r/buckets/1/s/value") == 500.0)
        #expect(r.at("r/buckets/2/doc_count") == 0)
        #expect(r.at("avg/value") == 300.0)
        #expect(r.at("m/buckets/0/key") == "::/24")
        #expect(r.at("m/buckets/0/to") == "0:100::")
        #expect(r.at("m/buckets/0/doc_count") == 3)
        #expect(r.at("m/buckets/1/from") == "192.168.0.0")
        #expect(r.at("m/buckets/1/to") == "192.169.0.0")
        #expect(r.at("m/buckets/1/doc_count") == 2)
        #expect(r.at("mad/value") == 100.0)
        #expect(r.at("madm/value") == 0.0)
        #expect(r.at("none/value") == .null)
    }

    @Test func typedKeys() throws {
        let c = try daily
        let r = try c.run(#"""
        {"t":{"terms":{"field":"k"},"aggs":{"top":{"top_hits":{"size":1}}}},"n":{"terms":{"field":"v"}},"w":{"terms":{"field":"w"}},
         "u":{"terms":{"field":"nope"}},"p":{"percentiles":{"field":"v"}},"r":{"percentile_ranks":{"field":"v","values":[1]}},
         "d":{"date_histogram":{"field":"date","calendar_interval":"day"},"aggs":{"s":{"sum":{"field":"v"}},"der":{"derivative":{"buckets_path":"s"}}}},
         "m":{"max_bucket":{"buckets_path":"d>s"}},"a":{"avg_bucket":{"buckets_path":"d>s"}},"dr":{"date_range":{"field":"date","ranges":[{"to":"now"}]}}}
        """#, typedKeys: true)
        let keys = r.objectValue?.keys ?? []
        #expect(keys == ["sterms#t", "lterms#n", "dterms#w", "umterms#u", "tdigest_percentiles#p", "tdigest_percentile_ranks#r",
                         "date_histogram#d", "date_range#dr", "bucket_metric_value#m", "simple_value#a"])
        #expect(r.at("sterms#t/buckets/0/top_hits#top") != nil)
        #expect(r.at("date_histogram#d/buckets/1/derivative#der/value") == 2.0)
        #expect(r.at("date_histogram#d/buckets/1/sum#s/value") == 3.0)
    }

    @Test func parseErrors() throws {
        let c = try daily
        func reason(_ aggs: String) -> String? {
            do { _ = try c.run(aggs); return nil } catch let e as OpenSearchError { return e.causedBy.first?.reason ?? e.reason } catch { return nil }
        }
        #expect(reason(#"{"a":{"avg":{"field":"v"},"aggs":{"b":{"max":{"field":"v"}}}}}"#) == "Aggregator [a] of type [avg] cannot accept sub-aggregations")
        #expect(reason(#"{"a":{"terms":{"field":"k"},"aggs":{"g":{"global":{}}}}}"#)?.contains("Global aggregations can only be defined as top level aggregations") == true)
        #expect(reason(#"{"a":{"derivative":{"buckets_path":"x"}}}"#)?.contains("must be declared inside of another aggregation") == true)
        #expect(reason(#"{"t":{"terms":{"field":"k"},"aggs":{"d":{"derivative":{"buckets_path":"_count"}}}}}"#)?.contains("must have a histogram, date_histogram or auto_date_histogram as parent") == true)
        #expect(reason(#"{"m":{"max_bucket":{"buckets_path":"nope>x"}}}"#)?.contains("aggregation does not exist for aggregation [m]") == true)
        #expect(reason(#"{"a":{"avg":{"field":"v"},"sum":{"field":"v"}}}"#) == "Found two aggregation type definitions in [a]: [avg] and [sum]")
        #expect(reason(#"{"a":{"meta":{}}}"#) == "Missing definition for aggregation [a]")
        #expect(reason(#"{"a>b":{"avg":{"field":"v"}}}"#)?.hasPrefix("Invalid aggregation name [a>b]") == true)
        #expect(reason(#"{"a":{"date_histogram":{"field":"date","fixed_interval":"1M"}}}"#)?.contains("failed to parse setting [date_histogram.fixedInterval] with value [1M]") == true)
        #expect(reason(#"{"a":{"date_histogram":{"field":"date"}}}"#) == "Invalid interval specified, must be non-null and non-empty")
        #expect(reason(#"{"a":{"histogram":{"field":"v","interval":0}}}"#)?.hasPrefix("[interval] must be >0 for histogram aggregation [a]") == true)
        #expect(reason(#"{"a":{"extended_stats":{"field":"v","sigma":-1}}}"#) == "[sigma] must be greater than or equal to 0. Found [-1.0] in [a]")
        #expect(reason(#"{"a":{"percentiles":{"field":"v","percents":[]}}}"#) != nil)
        #expect(reason(#"{"a":{"percentiles":{"field":"v","percents":["foo"]}}}"#) != nil)
        #expect(reason(#"{"a":{"terms":{"field":"v","include":"1.*"}}}"#)?.contains("cannot support regular expression style include/exclude settings") == true)
        #expect(reason(#"{"a":{"terms":{"field":"k"},"aggs":{"s":{"bucket_script":{"buckets_path":{"x":"_count"},"script":"doc['v'].value"}}}}}"#) != nil)
        #expect(reason(#"{"a":{"top_hits":{"size":101}}}"#)?.contains("Top hits result window is too large") == true)
    }
}
