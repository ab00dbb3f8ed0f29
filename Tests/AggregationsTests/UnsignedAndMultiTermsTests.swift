import Foundation
import Index
import JSON
import Testing
@testable import Aggregations

/// unsigned_long aggregations over the full range, multi_terms and rare_terms.
@Suite struct UnsignedAndMultiTermsTests {
    static let mapping = #"""
    {"properties":{"u":{"type":"unsigned_long"},"k":{"type":"keyword"},"n":{"type":"long"},"d":{"type":"double"},
     "b":{"type":"boolean"},"t":{"type":"date"},"ip":{"type":"ip"}}}
    """#

    func corpus(_ segments: [[String]]) throws -> Corpus {
        let c = try Corpus()
        try c.addIndex("idx", mapping: Self.mapping, segments: try segments.map { try $0.map(json) })
        return c
    }

    var unsigned: Corpus {
        get throws {
            try corpus([[#"{"u":0,"k":"a"}"#, #"{"u":9223372036854775807,"k":"a"}"#],
                        [#"{"u":9223372036854775808,"k":"b"}"#, #"{"u":18446744073709551615,"k":"b"}"#,
                         #"{"u":18446744073709551615,"k":"a"}"#]])
        }
    }

    @Test func unsignedTermsKeysAreExact() throws {
        let r = try unsigned.run(#"{"t":{"terms":{"field":"u"}},"k":{"terms":{"field":"u","order":{"_key":"asc"}}}}"#, typedKeys: true)
        #expect(r.at("ulterms#t/buckets/0/key") == .uint(UInt64.max))
        #expect(r.at("ulterms#t/buckets/0/doc_count") == 2)
        #expect(r.at("ulterms#k/buckets/0/key") == 0)
        #expect(r.at("ulterms#k/buckets/1/key") == .int(Int64.max))
        #expect(r.at("ulterms#k/buckets/2/key") == .uint(1 << 63))
        #expect(r.at("ulterms#k/buckets/3/key") == .uint(UInt64.max))
        #expect(r.at("ulterms#k/buckets/0/key_as_string") == nil)
    }

    @Test func unsignedMetricsAreDoubles() throws {
        let r = try unsigned.run(#"""
        {"min":{"min":{"field":"u"}},"max":{"max":{"field":"u"}},"sum":{"sum":{"field":"u"}},
         "c":{"value_count":{"field":"u"}},"card":{"cardinality":{"field":"u"}},
         "h":{"histogram":{"field":"u","interval":9223372036854775808}},
         "p":{"percentiles":{"field":"u","percents":[0,100]}}}
        """#)
        #expect(r.at("min/value") == .double(0))
        #expect(r.at("max/value") == .double(18446744073709551615.0))
        #expect(r.at("sum/value")?.doubleValue == 9223372036854775807.0 + 9223372036854775808.0 + 2 * 18446744073709551615.0)
        #expect(r.at("c/value") == 5)
        #expect(r.at("card/value") == 4)
        #expect(r.at("h/buckets/0/doc_count") == 1)
        #expect(r.at("p/values/0.0") == .double(0))
        #expect(r.at("p/values/100.0") == .double(18446744073709551615.0))
    }

    @Test func unsignedMissingIncludeAndRangeQueries() throws {
        let c = try corpus([[#"{"u":5}"#, #"{"k":"x"}"#, #"{"u":18446744073709551615}"#]])
        let r = try c.run(#"""
        {"m":{"terms":{"field":"u","missing":18446744073709551615}},
         "i":{"terms":{"field":"u","include":[18446744073709551615]}},
         "r":{"range":{"field":"u","ranges":[{"to":10},{"from":10}]}}}
        """#)
        #expect(r.at("m/buckets/0/key") == .uint(UInt64.max))
        #expect(r.at("m/buckets/0/doc_count") == 2)
        #expect(r.at("i/buckets")?.arrayValue?.count == 1)
        #expect(r.at("r/buckets/0/doc_count") == 1)
        #expect(r.at("r/buckets/1/doc_count") == 1)
        let q = try c.run(#"{"c":{"value_count":{"field":"u"}}}"#, query: #"{"range":{"u":{"gte":9223372036854775808}}}"#)
        #expect(q.at("c/value") == 1)
        let t = try c.run(#"{"c":{"value_count":{"field":"u"}}}"#, query: #"{"term":{"u":18446744073709551615}}"#)
        #expect(t.at("c/value") == 1)
    }

    @Test func unsignedComposite() throws {
        let r = try unsigned.run(#"{"c":{"composite":{"sources":[{"u":{"terms":{"field":"u"}}}],"size":3}}}"#)
        #expect(r.at("c/buckets/0/key/u") == 0)
        #expect(r.at("c/buckets/2/key/u") == .uint(1 << 63))
        #expect(r.at("c/after_key/u") == .uint(1 << 63))
        let next = try unsigned.run(#"{"c":{"composite":{"sources":[{"u":{"terms":{"field":"u"}}}],"after":{"u":9223372036854775808}}}}"#)
        #expect(next.at("c/buckets/0/key/u") == .uint(UInt64.max))
        #expect(next.at("c/buckets")?.arrayValue?.count == 1)
    }

    var mixed: Corpus {
        get throws {
            try corpus([[#"{"k":"a","n":1,"d":1.5,"b":true,"t":"2022-03-23","ip":"127.0.0.1"}"#,
                         #"{"k":"a","n":2,"d":1.5,"b":false,"t":"2022-03-23","ip":"::1"}"#,
                         #"{"k":"b","n":1,"d":2.5,"b":true,"t":"2022-03-25"}"#],
                        [#"{"k":"a","n":1,"d":1.5,"b":true,"t":"2022-03-23","ip":"127.0.0.1"}"#,
                         #"{"k":["b","c"],"n":1}"#, #"{"n":3}"#]])
        }
    }

    @Test func multiTermsKeysOrderAndShapes() throws {
        let r = try mixed.run(#"""
        {"m":{"multi_terms":{"terms":[{"field":"k"},{"field":"n"}]}},
         "typed":{"multi_terms":{"terms":[{"field":"d"},{"field":"b"},{"field":"t"},{"field":"ip"}]}},
         "small":{"multi_terms":{"terms":[{"field":"k"},{"field":"n"}],"size":1}},
         "miss":{"multi_terms":{"terms":[{"field":"k","missing":"zz"},{"field":"n"}],"order":{"_key":"desc"}}}}
        """#, typedKeys: true)
        #expect(r.at("multi_terms#m/buckets/0/key") == ["a", 1])
        #expect(r.at("multi_terms#m/buckets/0/key_as_string") == "a|1")
        #expect(r.at("multi_terms#m/buckets/0/doc_count") == 2)
        #expect(r.at("multi_terms#m/buckets/1/key") == ["b", 1])
        #expect(r.at("multi_terms#m/buckets/1/doc_count") == 2)
        #expect(r.at("multi_terms#m/buckets/2/key") == ["a", 2])
        #expect(r.at("multi_terms#m/buckets/3/key") == ["c", 1])
        #expect(r.at("multi_terms#m/sum_other_doc_count") == 0)
        #expect(r.at("multi_terms#typed/buckets/0/key") == [1.5, true, "2022-03-23T00:00:00.000Z", "127.0.0.1"])
        #expect(r.at("multi_terms#typed/buckets/0/key_as_string") == "1.5|true|2022-03-23T00:00:00.000Z|127.0.0.1")
        #expect(r.at("multi_terms#typed/buckets/0/doc_count") == 2)
        #expect(r.at("multi_terms#small/buckets")?.arrayValue?.count == 1)
        #expect(r.at("multi_terms#small/sum_other_doc_count") == 4)
        #expect(r.at("multi_terms#miss/buckets/0/key") == ["zz", 3])
    }

    @Test func multiTermsSubAggsOrderAndMinDocCount() throws {
        let r = try mixed.run(#"""
        {"m":{"multi_terms":{"terms":[{"field":"k"},{"field":"b"}],"order":{"mx":"desc"}},"aggs":{"mx":{"max":{"field":"d"}}}},
         "z":{"multi_terms":{"terms":[{"field":"k"},{"field":"n"}],"min_doc_count":0}}}
        """#, query: #"{"term":{"n":1}}"#)
        #expect(r.at("m/buckets/0/key") == ["b", true])
        #expect(r.at("m/buckets/0/mx/value") == 2.5)
        #expect(r.at("z/buckets")?.arrayValue?.map { $0["key_as_string"] } == ["a|1", "b|1", "c|1", "a|2"])
        #expect(r.at("z/buckets/3/doc_count") == 0)
    }

    @Test func multiTermsNeedsTwoSources() throws {
        #expect(throws: OpenSearchError.self) { try mixed.run(#"{"m":{"multi_terms":{"terms":[{"field":"k"}]}}}"#) }
    }

    @Test func rareTerms() throws {
        let r = try mixed.run(#"""
        {"s":{"rare_terms":{"field":"k"}},"two":{"rare_terms":{"field":"k","max_doc_count":2},"aggs":{"x":{"max":{"field":"n"}}}},
         "l":{"rare_terms":{"field":"n","exclude":[3]}},"t":{"rare_terms":{"field":"t"}},"um":{"rare_terms":{"field":"nope"}}}
        """#, typedKeys: true)
        #expect(r.at("srareterms#s/buckets")?.arrayValue?.map { $0["key"] } == ["c"])
        #expect(r.at("srareterms#two/buckets")?.arrayValue?.map { $0["key"] } == ["c", "b"])
        #expect(r.at("srareterms#two/buckets/1/max#x/value") == 1.0)
        #expect(r.at("lrareterms#l/buckets")?.arrayValue?.map { $0["key"] } == [2])
        #expect(r.at("lrareterms#t/buckets/0/key_as_string") == "2022-03-25T00:00:00.000Z")
        #expect(r.at("umrareterms#um/buckets")?.arrayValue?.isEmpty == true)
        #expect(throws: OpenSearchError.self) { try mixed.run(#"{"r":{"rare_terms":{"field":"k","max_doc_count":101}}}"#) }
        #expect(throws: OpenSearchError.self) { try mixed.run(#"{"r":{"rare_terms":{"field":"n","include":"1.*"}}}"#) }
    }
}
