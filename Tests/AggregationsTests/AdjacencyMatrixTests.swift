import Foundation
import Index
import JSON
import Testing
@testable import Aggregations

/// adjacency_matrix: per-filter and per-pair buckets, non-empty only, in key order.
@Suite struct AdjacencyMatrixTests {
    @Test func intersections() throws {
        let c = try Corpus()
        try c.addIndex("idx", mapping: #"{"properties":{"num":{"type":"integer"}}}"#,
                       segments: [[try json(#"{"num":[1,2]}"#), try json(#"{"num":[2,3]}"#)], [try json(#"{"num":[3,4]}"#)]])
        let r = try c.run(#"""
        {"m":{"adjacency_matrix":{"filters":{"4":{"term":{"num":4}},"1":{"term":{"num":1}},"2":{"term":{"num":2}}}},
              "aggs":{"mx":{"max":{"field":"num"}}}},
         "o":{"adjacency_matrix":{"filters":{"a":{"term":{"num":1}},"b":{"term":{"num":2}}},"separator":"+","show_only_intersecting":true}}}
        """#)
        #expect(r.at("m/buckets")?.arrayValue?.map { $0["key"] } == ["1", "1&2", "2", "4"])
        #expect(r.at("m/buckets")?.arrayValue?.map { $0["doc_count"] } == [1, 1, 2, 1])
        #expect(r.at("m/buckets/2/mx/value") == 3.0)
        #expect(r.at("o/buckets")?.arrayValue?.map { $0["key"] } == ["a+b"])
        #expect(throws: OpenSearchError.self) { try c.run(#"{"m":{"adjacency_matrix":{"filters":[{"term":{"num":1}}]}}}"#) }
    }
}
