import Testing
import JSON
import Index
@testable import Query

/// Range bounds that parse as NaN or infinity on integer fields ("NaN" as a string; the HTTP
/// fuzzer sent them through `_msearch`, SQL and exports) are a 400, not a trapping conversion.
@Suite struct NonFiniteRangeTests {
    let mapping: Mapping
    init() throws { mapping = try parseMapping(#"{"properties":{"n":{"type":"long"},"i":{"type":"integer"}}}"#) }

    func bounds(_ field: String, _ range: String) throws -> (Int64, Int64)? {
        guard case .range(let r) = try query(#"{"range":{""# + field + #"":"# + range + "}}") else { return nil }
        return try QueryValues.bounds(r, type: mapping.field(field)!.type, mapping: mapping, now: 0)
    }

    @Test(arguments: [#"{"gte":"NaN"}"#, #"{"lte":"nan"}"#, #"{"gt":"-nan","lt":5}"#, #"{"gte":"Infinity"}"#, #"{"lt":"-inf"}"#])
    func nonFiniteBoundsAreRejected(range: String) throws {
        for field in ["n", "i"] {
            #expect(throws: OpenSearchError.self) { _ = try bounds(field, range) }
        }
    }

    @Test func fractionalBoundsStillRound() throws {
        let b = try #require(try bounds("n", #"{"gt":1.5,"lte":7.5}"#))
        #expect(b.0 == 2 && b.1 == 7)
    }
}
