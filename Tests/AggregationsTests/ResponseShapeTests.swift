import Foundation
import Index
import JSON
import Testing
@testable import Aggregations

/// Request and response shapes from OpenSearch's own YAML REST tests
/// (`search.aggregation/*.yml`), on small corpora split over several segments.
@Suite struct ResponseShapeTests {
    static let mapping = #"""
    {"properties":{"str":{"type":"keyword"},"ip":{"type":"ip"},"boolean":{"type":"boolean"},"integer":{"type":"long"},
     "double":{"type":"double"},"number":{"type":"long"},"date":{"type":"date"},"int_field":{"type":"integer"},
     "double_field":{"type":"double"},"string_field":{"type":"keyword"},"text":{"type":"text"}}}
    """#

    func corpus(_ segments: [[String]], mapping: String = ResponseShapeTests.mapping) throws -> Corpus {
        let c = try Corpus()
        try c.addIndex("test_1", mapping: mapping, segments: try segments.map { try $0.map(json) })
        return c
    }

    var metricsCorpus: Corpus {
        get throws {
            try corpus([[#"{"int_field":1,"double_field":1.0,"string_field":"foo"}"#, #"{"int_field":51,"double_field":51.0,"string_field":"foo"}"#],
                        [#"{"int_field":101,"double_field":101.0,"string_field":"foo"}"#, #"{"int_field":151,"double_field":151.0,"string_field":"foo"}"#]])
        }
    }

    @Test func termsOnKeywordBooleanDateAndLong() throws {
        let c = try corpus([[#"{"str":"abc","boolean":true,"date":"2016-05-03","number":4611686018427387903}"#],
                            [#"{"str":"abc","boolean":false,"date":"2014-09-01","number":-4611686018427387904}"#,
                             #"{"str":"bcd","boolean":true,"date":"2016-05-03","number":4611686018427387903}"#]])
        let r = try c.run(#"{"s":{"terms":{"field":"str"}},"b":{"terms":{"field":"boolean"}},"d":{"terms":{"field":"date"}},"n":{"terms":{"field":"number"}}}"#)
        #expect(r.at("s/buckets/0/key") == "abc")
        #expect(r.at("s/buckets/0/doc_count") == 2)
        #expect(r.at("s/buckets/0/key_as_string") == nil)
        #expect(r.at("s/doc_count_error_upper_bound") == 0)
        #expect(r.at("s/sum_other_doc_count") == 0)
        #expect(r.at("b/buckets/0/key") == 1)
        #expect(r.at("b/buckets/0/key_as_string") == "true")
        #expect(r.at("b/buckets/1/key_as_string") == "false")
        #expect(r.at("d/buckets/0/key") == 1_462_233_600_000)
        #expect(r.at("d/buckets/0/key_as_string") == "2016-05-03T00:00:00.000Z")
        #expect(r.at("n/buckets/0/key") == 4_611_686_018_427_387_903)
        let inc = try c.run(#"{"d":{"terms":{"field":"date","include":["2016-05-03"]}},"x":{"terms":{"field":"date","exclude":["2016-05-03"]}}}"#)
        #expect(inc.at("d/buckets")?.arrayValue?.count == 1)
        #expect(inc.at("x/buckets/0/key_as_string") == "2014-09-01T00:00:00.000Z")
    }

    @Test func termsPartitionsMatchOpenSearchHashing() throws {
        let c = try corpus([[#"{"str":"abc","integer":1234}"#, #"{"str":"abc","integer":5678}"#], [#"{"str":"bcd","integer":1234}"#]])
        let p0 = try c.run(#"{"t":{"terms":{"field":"str","include":{"partition":0,"num_partitions":2}}},"i":{"terms":{"field":"integer","include":{"partition":0,"num_partitions":2}}}}"#)
        #expect(p0.at("t/buckets/0/key") == "bcd")
        #expect(p0.at("t/buckets")?.arrayValue?.count == 1)
        #expect(p0.at("i/buckets/0/key") == 5678)
        let p1 = try c.run(#"{"t":{"terms":{"field":"str","include":{"partition":1,"num_partitions":2}}},"i":{"terms":{"field":"integer","include":{"partition":1,"num_partitions":2}}}}"#)
        #expect(p1.at("t/buckets/0/key") == "abc")
        #expect(p1.at("i/buckets/0/key") == 1234)
    }

    @Test func unmappedTermsWithMissingAndValueType() throws {
        let c = try corpus([[#"{}"#]])
        let r = try c.run(#"""
        {"s":{"terms":{"field":"u1","value_type":"string","missing":"abc"}},
         "b":{"terms":{"field":"u2","value_type":"boolean","missing":true}},
         "d":{"terms":{"field":"u3","value_type":"date","missing":"2016-05-11"}},
         "l":{"terms":{"field":"u4","value_type":"long","missing":3}},
         "f":{"terms":{"field":"u5","value_type":"double","missing":3.5}}}
        """#)
        #expect(r.at("s/buckets/0/key") == "abc")
        #expect(r.at("b/buckets/0/key") == 1)
        #expect(r.at("b/buckets/0/key_as_string") == "true")
        #expect(r.at("d/buckets/0/key") == 1_462_924_800_000)
        #expect(r.at("d/buckets/0/key_as_string") == "2016-05-11T00:00:00.000Z")
        #expect(r.at("l/buckets/0/key") == 3)
        #expect(r.at("f/buckets/0/key") == 3.5)
    }

    @Test func mixingLongAndDoubleIndices() throws {
        let c = try Corpus()
        try c.addIndex("a", mapping: #"{"properties":{"number":{"type":"long"}}}"#, segments: [[try json(#"{"number":100}"#), try json(#"{"number":10}"#)]])
        try c.addIndex("b", mapping: #"{"properties":{"number":{"type":"double"}}}"#,
                       segments: [[try json(#"{"number":100.0}"#)], [try json(#"{"number":10.0}"#), try json(#"{"number":14.6}"#)]])
        let r = try c.run(#"{"n":{"terms":{"field":"number"}}}"#)
        #expect(r.at("n/buckets/0/key") == 10.0)
        #expect(r.at("n/buckets/0/doc_count") == 2)
        #expect(r.at("n/buckets/1/key") == 100.0)
        #expect(r.at("n/buckets/2/key") == 14.6)
    }

    @Test func histogramAndDateHistogram() throws {
        let c = try corpus([[#"{"number":1,"date":"2016-01-01"}"#, #"{"number":51,"date":"2016-01-02"}"#],
                            [#"{"number":101,"date":"2016-02-01"}"#, #"{"number":151,"date":"2016-03-01"}"#]])
        let r = try c.run(#"""
        {"h":{"histogram":{"field":"number","interval":50}},
         "f":{"histogram":{"field":"number","interval":50,"format":"Value is ##0.0"}},
         "g":{"histogram":{"field":"number","interval":20}},
         "m":{"date_histogram":{"field":"date","calendar_interval":"month"}},
         "o":{"date_histogram":{"field":"date","calendar_interval":"month","order":{"_key":"desc"}}},
         "p":{"date_histogram":{"field":"date","fixed_interval":"1ms","time_zone":"America/Phoenix","min_doc_count":1}}}
        """#)
        #expect(r.at("h/buckets")?.arrayValue?.count == 4)
        #expect(r.at("h/buckets/1/key") == 50.0)
        #expect(r.at("h/buckets/0/key_as_string") == nil)
        #expect(r.at("f/buckets/0/key_as_string") == "Value is 0.0")
        #expect(r.at("f/buckets/3/key_as_string") == "Value is 150.0")
        // min_doc_count defaults to 0: the gaps between 1 and 151 are filled.
        #expect(r.at("g/buckets")?.arrayValue?.count == 8)
        #expect(r.at("g/buckets/1/doc_count") == 0)
        #expect(r.at("m/buckets/0/key_as_string") == "2016-01-01T00:00:00.000Z")
        #expect(r.at("m/buckets/0/doc_count") == 2)
        #expect(r.at("m/buckets")?.arrayValue?.count == 3)
        #expect(r.at("o/buckets/0/key_as_string") == "2016-03-01T00:00:00.000Z")
        #expect(r.at("p/buckets/0/key_as_string") == "2015-12-31T17:00:00.000-07:00")
    }

    @Test func metrics() throws {
        let c = try metricsCorpus
        let r = try c.run(#"""
        {"avg":{"avg":{"field":"int_field"},"meta":{"foo":"bar"}},"sum":{"sum":{"field":"double_field"}},"min":{"min":{"field":"int_field"}},
         "max":{"max":{"field":"int_field"}},"vc":{"value_count":{"field":"string_field"}},"st":{"stats":{"field":"int_field"}},
         "es":{"extended_stats":{"field":"double_field"}},"card":{"cardinality":{"field":"int_field"}},
         "pct":{"percentiles":{"field":"int_field"}},"missing_avg":{"avg":{"field":"nope"}},"missing_sum":{"sum":{"field":"nope"}},
         "missing_card":{"cardinality":{"field":"nope","missing":"foo"}},"ranks":{"percentile_ranks":{"field":"int_field","values":[1,151]}}}
        """#)
        #expect(r.at("avg/value") == 76.0)
        #expect(r.at("avg/meta/foo") == "bar")
        #expect(r.at("sum/value") == 304.0)
        #expect(r.at("min/value") == 1.0)
        #expect(r.at("max/value") == 151.0)
        #expect(r.at("vc/value") == 4)
        #expect(r.at("st/count") == 4)
        #expect(r.at("st/avg") == 76.0)
        #expect(r.at("es/sum_of_squares") == 35604.0)
        #expect(r.at("es/variance") == 3125.0)
        #expect(r.at("es/std_deviation") == 55.90169943749474)
        #expect(r.at("es/std_deviation_bounds/upper") == 187.80339887498948)
        #expect(r.at("es/std_deviation_bounds/lower") == -35.80339887498948)
        #expect(r.at("card/value") == 4)
        // OpenSearch 2.x t-digest answers (YAML "Basic 2.x test").
        #expect(r.at("pct/values/1.0") == 1.0)
        #expect(r.at("pct/values/5.0") == 1.0)
        #expect(r.at("pct/values/25.0") == 26.0)
        #expect(r.at("pct/values/50.0") == 76.0)
        #expect(r.at("pct/values/75.0") == 126.0)
        #expect(r.at("pct/values/95.0") == 151.0)
        #expect(r.at("pct/values/99.0") == 151.0)
        #expect(r.at("missing_avg/value") == .null)
        #expect(r.at("missing_sum/value") == 0.0)
        #expect(r.at("missing_card/value") == 1)
        #expect(r.at("ranks/values/1.0") != nil)
        let filtered = try c.run(#"{"es":{"extended_stats":{"field":"int_field"}}}"#, query: #"{"range":{"int_field":{"gte":50}}}"#)
        #expect(filtered.at("es/count") == 3)
        #expect(filtered.at("es/sum_of_squares") == 35603.0)
        #expect(filtered.at("es/variance") == 1666.6666666666667)
    }

    @Test func rangesSortAndKeys() throws {
        let c = try corpus([[#"{"double":42}"#, #"{"double":100}"#], [#"{"double":50}"#]])
        let r = try c.run(#"{"r":{"range":{"field":"double","ranges":[{"to":50},{"from":50,"to":150},{"from":150}]}},"k":{"range":{"field":"double","keyed":true,"ranges":[{"key":"b","from":50},{"key":"a","to":50}]}}}"#)
        #expect(r.at("r/buckets/0/key") == "*-50.0")
        #expect(r.at("r/buckets/0/from") == nil)
        #expect(r.at("r/buckets/0/to") == 50.0)
        #expect(r.at("r/buckets/0/doc_count") == 1)
        #expect(r.at("r/buckets/1/key") == "50.0-150.0")
        #expect(r.at("r/buckets/1/doc_count") == 2)
        #expect(r.at("r/buckets/2/key") == "150.0-*")
        #expect(r.at("r/buckets/2/doc_count") == 0)
        #expect(r.at("k/buckets/a/doc_count") == 1)
        #expect(r.at("k/buckets/b/doc_count") == 2)
        #expect(r["k"]?["buckets"]?.objectValue?.keys == ["a", "b"])
    }

    @Test func dateRangesWithEpochSecondFormat() throws {
        let m = #"{"properties":{"date":{"type":"date","format":"epoch_second"}}}"#
        let c = try corpus([[#"{"date":1000}"#, #"{"date":2000}"#], [#"{"date":3000}"#]], mapping: m)
        let r = try c.run(#"{"d":{"date_range":{"field":"date","ranges":[{"from":1000,"to":3000},{"from":3000,"to":4000}]}}}"#)
        #expect(r.at("d/buckets/0/doc_count") == 2)
        #expect(r.at("d/buckets/0/key") == "1000-3000")
        #expect(r.at("d/buckets/0/from") == 1_000_000.0)
        #expect(r.at("d/buckets/1/to") == 4_000_000.0)
        #expect(r.at("d/buckets/1/doc_count") == 1)
    }

    @Test func filtersNamedAnonymousAndOther() throws {
        let c = try metricsCorpus
        let r = try c.run(#"""
        {"named":{"filters":{"filters":{"second":{"match":{"int_field":151}},"first":{"match":{"int_field":101}}},"other_bucket_key":"rest"},
                  "aggs":{"a":{"avg":{"field":"int_field"}}}},
         "anon":{"filters":{"filters":[{"match":{"int_field":101}},{"match":{"int_field":151}}],"other_bucket":true}},
         "f":{"filter":{"range":{"int_field":{"gte":100}}},"aggs":{"m":{"max":{"field":"int_field"}}}}}
        """#)
        #expect(r["named"]?["buckets"]?.objectValue?.keys == ["first", "second", "rest"])
        #expect(r.at("named/buckets/first/doc_count") == 1)
        #expect(r.at("named/buckets/first/a/value") == 101.0)
        #expect(r.at("named/buckets/rest/doc_count") == 2)
        #expect(r.at("anon/buckets/0/doc_count") == 1)
        #expect(r.at("anon/buckets/2/doc_count") == 2)
        #expect(r.at("f/doc_count") == 2)
        #expect(r.at("f/m/value") == 151.0)
        let filtered = try c.run(#"{"named":{"filters":{"filters":{"first":{"match":{"int_field":101}}}},"aggs":{"a":{"avg":{"field":"int_field"}}}}}"#,
                                 query: #"{"range":{"int_field":{"gte":110}}}"#)
        #expect(filtered.at("named/buckets/first/doc_count") == 0)
        #expect(filtered.at("named/buckets/first/a/value") == .null)
    }

    @Test func missingAndGlobal() throws {
        let m = #"{"properties":{"field1":{"type":"long"},"field2":{"type":"long"},"field3":{"type":"long"}}}"#
        let c = try corpus([[#"{"field1":100}"#, #"{"field1":200}"#], [#"{"field1":300,"field2":300}"#]], mapping: m)
        let r = try c.run(#"{"m3":{"missing":{"field":"field3"}},"m2":{"missing":{"field":"field2"}},"m1":{"missing":{"field":"field1"}},"mp":{"missing":{"field":"field3","missing":1}},"g":{"global":{},"aggs":{"s":{"sum":{"field":"field1"}}}}}"#,
                          query: #"{"term":{"field1":100}}"#)
        #expect(r.at("m3/doc_count") == 1)
        #expect(r.at("m2/doc_count") == 1)
        #expect(r.at("m1/doc_count") == 0)
        #expect(r.at("mp/doc_count") == 0)
        #expect(r.at("g/doc_count") == 3)
        #expect(r.at("g/s/value") == 600.0)
    }

    @Test func compositeShapesAndPaging() throws {
        let m = #"{"properties":{"date":{"type":"date"},"keyword":{"type":"keyword"},"long":{"type":"long"}}}"#
        let c = try corpus([[#"{"keyword":"foo","long":[10,20]}"#, #"{"keyword":["foo","bar"]}"#, #"{"keyword":"bar","long":[100,0]}"#],
                            [#"{"keyword":"bar","long":[1000,0]}"#, #"{"date":"2017-10-20T03:08:45"}"#, #"{"date":"2017-10-21T07:00:00"}"#]], mapping: m)
        let r = try c.run(#"{"t":{"composite":{"sources":[{"long":{"terms":{"field":"long"}}},{"kw":{"terms":{"field":"keyword"}}}]}}}"#)
        #expect(r.at("t/buckets")?.arrayValue?.count == 5)
        #expect(r.at("t/buckets/0/key/long") == 0)
        #expect(r.at("t/buckets/0/key/kw") == "bar")
        #expect(r.at("t/buckets/0/doc_count") == 2)
        #expect(r.at("t/buckets/4/key/long") == 1000)
        #expect(r.at("t/after_key/long") == 1000)
        let after = try c.run(#"{"t":{"composite":{"after":{"long":20,"kw":"foo"},"sources":[{"long":{"terms":{"field":"long"}}},{"kw":{"terms":{"field":"keyword"}}}]}}}"#)
        #expect(after.at("t/buckets")?.arrayValue?.count == 2)
        #expect(after.at("t/buckets/0/key/long") == 100)
        let missingAfter = try c.run(#"{"t":{"composite":{"after":{"kw":"delta"},"sources":[{"kw":{"terms":{"field":"keyword"}}}]}}}"#)
        #expect(missingAfter.at("t/buckets/0/key/kw") == "foo")
        #expect(missingAfter.at("t/buckets/0/doc_count") == 2)
        let dates = try c.run(#"{"t":{"composite":{"sources":[{"date":{"date_histogram":{"field":"date","calendar_interval":"1d","format":"strict_date"}}}]}}}"#)
        #expect(dates.at("t/buckets/0/key/date") == "2017-10-20")
        #expect(dates.at("t/buckets/1/key/date") == "2017-10-21")
        let datesAfter = try c.run(#"{"t":{"composite":{"after":{"date":"2017-10-20"},"sources":[{"date":{"date_histogram":{"field":"date","interval":"1d","format":"strict_date"}}}]}}}"#)
        #expect(datesAfter.at("t/buckets")?.arrayValue?.count == 1)
        #expect(datesAfter.at("t/buckets/0/key/date") == "2017-10-21")
        let offset = try c.run(#"{"t":{"composite":{"sources":[{"date":{"date_histogram":{"field":"date","calendar_interval":"1d","offset":"4h","format":"iso8601"}}}]}}}"#)
        #expect(offset.at("t/buckets/0/key/date") == "2017-10-19T04:00:00.000Z")
        #expect(offset.at("t/buckets/1/key/date") == "2017-10-21T04:00:00.000Z")
        let missingBucket = try c.run(#"{"t":{"composite":{"sources":[{"kw":{"terms":{"field":"keyword","missing_bucket":true,"missing_order":"last"}}}]}}}"#)
        #expect(missingBucket.at("t/buckets/2/key/kw") == .null)
        #expect(missingBucket.at("t/buckets/2/doc_count") == 2)
        #expect(throws: OpenSearchError.self) { try c.run(#"{"t":{"composite":{"size":1000000000,"sources":[{"k":{"terms":{"field":"keyword"}}}]}}}"#) }
    }

    @Test func compositeTimeZone() throws {
        let m = #"{"properties":{"date":{"type":"date"}}}"#
        let c = try corpus([[#"{"date":"2017-10-20T03:08:45"}"#, #"{"date":"2017-10-21T07:00:00"}"#], [#"{"date":"2017-10-22T01:00:00"}"#]], mapping: m)
        let src = #"[{"date":{"date_histogram":{"field":"date","calendar_interval":"1d","time_zone":"-02:00","format":"iso8601"}}}]"#
        let r = try c.run(#"{"t":{"composite":{"sources":\#(src)}}}"#)
        #expect(r.at("t/buckets/0/key/date") == "2017-10-20T00:00:00.000-02:00")
        #expect(r.at("t/buckets/1/key/date") == "2017-10-21T00:00:00.000-02:00")
        #expect(r.at("t/buckets/1/doc_count") == 2)
        let after = try c.run(#"{"t":{"composite":{"after":{"date":"2017-10-20"},"sources":\#(src)}}}"#)
        #expect(after.at("t/buckets")?.arrayValue?.count == 1)
        #expect(after.at("t/buckets/0/doc_count") == 2)
    }

    @Test func termsOrderedBySubAggregations() throws {
        let m = #"{"properties":{"category":{"type":"keyword"},"val":{"type":"long"}}}"#
        let c = try corpus([[#"{"category":"foo","val":7}"#, #"{"category":"bar","val":8}"#], [#"{"category":"bar","val":9}"#, #"{"category":"bar","val":0}"#]], mapping: m)
        let r = try c.run(#"""
        {"a":{"terms":{"field":"category","order":{"high.doc_count":"desc"}},"aggs":{"high":{"filter":{"range":{"val":{"gte":7}}}}}},
         "b":{"terms":{"field":"category","order":{"m":"asc"}},"aggs":{"m":{"max":{"field":"val"}}}},
         "c":{"terms":{"field":"category","order":{"s.avg":"asc"}},"aggs":{"s":{"stats":{"field":"val"}}}},
         "d":{"terms":{"field":"category","order":{"_key":"desc"}}},
         "e":{"terms":{"field":"category","order":[{"_count":"asc"}]}}}
        """#)
        #expect(r.at("a/buckets/0/key") == "bar")
        #expect(r.at("a/buckets/0/high/doc_count") == 2)
        #expect(r.at("b/buckets/0/key") == "foo")
        #expect(r.at("c/buckets/0/key") == "bar")
        #expect(r.at("d/buckets/0/key") == "foo")
        #expect(r.at("e/buckets/0/key") == "foo")
    }

    @Test func pipelines() throws {
        let m = #"{"properties":{"date":{"type":"date"},"v":{"type":"long"},"k":{"type":"keyword"}}}"#
        let c = try corpus([[#"{"date":"2020-01-01","v":1,"k":"a"}"#, #"{"date":"2020-01-02","v":2,"k":"b"}"#],
                            [#"{"date":"2020-01-02","v":4,"k":"a"}"#, #"{"date":"2020-01-04","v":8,"k":"b"}"#]], mapping: m)
        let r = try c.run(#"""
        {"h":{"date_histogram":{"field":"date","calendar_interval":"day"},
              "aggs":{"s":{"sum":{"field":"v"}},
                      "d":{"derivative":{"buckets_path":"s"}},
                      "cs":{"cumulative_sum":{"buckets_path":"s"}},
                      "mf":{"moving_fn":{"buckets_path":"s","window":2,"script":"MovingFunctions.max(values)"}},
                      "bs":{"bucket_script":{"buckets_path":{"x":"s","n":"_count"},"script":"params.x / params.n"}}}},
         "avg_s":{"avg_bucket":{"buckets_path":"h>s"}},
         "max_s":{"max_bucket":{"buckets_path":"h>s"}},
         "sum_s":{"sum_bucket":{"buckets_path":"h>s"}},
         "stats_s":{"stats_bucket":{"buckets_path":"h>s"}},
         "t":{"terms":{"field":"k"},"aggs":{"s":{"sum":{"field":"v"}},"sel":{"bucket_selector":{"buckets_path":{"x":"s"},"script":"params.x > 6"}}}},
         "t2":{"terms":{"field":"k"},"aggs":{"s":{"sum":{"field":"v"}},"sort":{"bucket_sort":{"sort":[{"s":{"order":"asc"}}],"size":1}}}}}
        """#)
        #expect(r.at("h/buckets")?.arrayValue?.count == 4)
        #expect(r.at("h/buckets/0/d") == nil)
        #expect(r.at("h/buckets/1/d/value") == 5.0)
        // The empty bucket is a gap: OpenSearch shows a null derivative there and after it.
        #expect(r.at("h/buckets/2/d/value") == .null)
        #expect(r.at("h/buckets/3/d/value") == .null)
        #expect(r.at("h/buckets/3/cs/value") == 15.0)
        #expect(r.at("h/buckets/0/mf/value") == .null)
        #expect(r.at("h/buckets/1/mf/value") == 1.0)
        #expect(r.at("h/buckets/3/mf/value") == 6.0)
        #expect(r.at("h/buckets/1/bs/value") == 3.0)
        #expect(r.at("avg_s/value") == 5.0)
        #expect(r.at("max_s/value") == 8.0)
        #expect(r.at("max_s/keys/0") == "2020-01-04T00:00:00.000Z")
        #expect(r.at("sum_s/value") == 15.0)
        #expect(r.at("stats_s/count") == 3)
        #expect(r.at("t/buckets")?.arrayValue?.count == 1)
        #expect(r.at("t/buckets/0/key") == "b")
        #expect(r.at("t2/buckets")?.arrayValue?.count == 1)
        #expect(r.at("t2/buckets/0/key") == "a")
    }

    @Test func topHits() throws {
        let m = #"{"properties":{"g":{"type":"keyword"},"n":{"type":"long"}}}"#
        let c = try corpus([[#"{"g":"x","n":3}"#, #"{"g":"x","n":1}"#], [#"{"g":"x","n":2}"#, #"{"g":"y","n":5}"#]], mapping: m)
        let r = try c.run(#"{"g":{"terms":{"field":"g"},"aggs":{"top":{"top_hits":{"size":2,"sort":[{"n":"desc"}],"_source":["n"]}}}}}"#)
        #expect(r.at("g/buckets/0/top/hits/total/value") == 3)
        #expect(r.at("g/buckets/0/top/hits/hits")?.arrayValue?.count == 2)
        #expect(r.at("g/buckets/0/top/hits/hits/0/_source/n") == 3)
        #expect(r.at("g/buckets/0/top/hits/hits/0/sort/0") == 3)
        #expect(r.at("g/buckets/0/top/hits/hits/1/_source/n") == 2)
        #expect(r.at("g/buckets/0/top/hits/hits/0/_index") == "test_1")
        #expect(r.at("g/buckets/0/top/hits/hits/0/_source/g") == nil)
    }

    @Test func errors() throws {
        let c = try metricsCorpus
        func error(_ aggs: String) -> OpenSearchError? {
            do { _ = try c.run(aggs); return nil } catch let e as OpenSearchError { return e } catch { return nil }
        }
        let unknown = error(#"{"a":{"terrms":{"field":"x"}}}"#)
        #expect(unknown?.type == "parsing_exception")
        #expect(unknown?.reason == "Unknown aggregation type [terrms] did you mean [terms]?")
        #expect(unknown?.status == 400)
        let text = try corpus([[#"{"text":"hello world"}"#]])
        do {
            _ = try text.run(#"{"a":{"terms":{"field":"text"}}}"#)
            Issue.record("expected an error")
        } catch let e as OpenSearchError {
            #expect(e.type == "illegal_argument_exception")
            #expect(e.reason.hasPrefix("Text fields are not optimised for operations that require per-document field data"))
        }
        let interval = error(#"{"a":{"date_histogram":{"field":"int_field","calendar_interval":"2d"}}}"#)
        #expect(interval?.status == 400)
        #expect(interval?.causedBy.first?.reason == "The supplied interval [2d] could not be parsed as a calendar interval.")
        let tooMany = error(#"{"a":{"histogram":{"field":"int_field","interval":1}}}"#)
        #expect(tooMany == nil)
        do {
            _ = try c.run(#"{"a":{"histogram":{"field":"int_field","interval":1}}}"#, maxBuckets: 100)
            Issue.record("expected too_many_buckets_exception")
        } catch let e as OpenSearchError {
            #expect(e.type == "too_many_buckets_exception")
            #expect(e.status == 400)
            #expect(e.reason.hasPrefix("Trying to create too many buckets. Must be less than or equal to: [100] but was ["))
            #expect(e.reason.hasSuffix("]. This limit can be set by changing the [search.max_buckets] cluster level setting."))
        }
        #expect(error(#"{"a":{"avg":{"field":"string_field"}}}"#)?.status == 400)
        #expect(error(#"{"a":{"avg":{"script":"doc['x'].value"}}}"#)?.status == 400)
        #expect(error(#"{"a":{"terms":{"size":1}}}"#)?.reason.hasPrefix("Required one of fields [field, script]") == true)
        #expect(error(#"{"a":{"filters":{"filters":[]}}}"#)?.reason == "[filters] cannot be empty.")
        #expect(error(#"{"a":{"percentiles":{"field":"int_field","tdigest":{"compression":-1}}}}"#)?.causedBy.first?.reason.hasPrefix("[compression] must be greater than or equal to 0. Found [-1.0]") == true)
        #expect(error(#"{"a":{"cardinality":{"field":"int_field","precision_threshold":-1}}}"#)?.causedBy.first?.reason == "[precisionThreshold] must be greater than or equal to 0. Found [-1] in [a]")
        #expect(error(#"{"a":{"terms":{"field":"int_field"},"aggs":{"m":{"moving_fn":{"buckets_path":"_count","window":-1,"script":"MovingFunctions.max(values)"}}}}}"#)?.reason == "[window] must be a positive, non-zero integer.")
        #expect(error(#"{"a":{"terms":{"field":"int_field"},"aggs":{"c":{"composite":{"sources":[{"k":{"terms":{"field":"string_field"}}}]}}}}}"#)?.reason.hasPrefix("[composite] aggregation cannot be used with a parent aggregation") == true)
        #expect(error(#"{"a":{"composite":{"sources":[{"k":{"terms":{"field":"x"}}},{"k":{"terms":{"field":"y"}}}]}}}"#)?.reason == "Composite source names must be unique, found duplicates: [k]")
        #expect(error(#"{"a":{"composite":{"sources":[]}}}"#)?.reason == "Composite [sources] cannot be null or empty")
        #expect(error(#"{"a":{"terms":{"field":"x","foo":1}}}"#)?.type == "x_content_parse_exception")
    }
}
