import Testing
import JSON
import Index
@testable import Query

/// Term and range values on unsigned_long fields convert to the biased stored form, over the
/// whole 0…2^64−1 range.
@Suite struct UnsignedQueryValueTests {
    let mapping: Mapping
    init() throws { mapping = try parseMapping(#"{"properties":{"u":{"type":"unsigned_long"}}}"#) }

    func stored(_ v: JSONValue) throws -> Int64 {
        try QueryValues.numeric(v, type: .unsignedLong, field: "u", mapping: mapping, now: 0, roundUp: false)
    }

    func bounds(_ range: String) throws -> (Int64, Int64)? {
        guard case .range(let r) = try query(#"{"range":{"u":"# + range + "}}") else { return nil }
        return try QueryValues.bounds(r, type: .unsignedLong, mapping: mapping, now: 0)
    }

    @Test func termValues() throws {
        #expect(try stored(.int(0)) == UnsignedLong.stored(0))
        #expect(try stored(.int(Int64.max)) == UnsignedLong.stored(UInt64(Int64.max)))
        #expect(try stored(.uint(1 << 63)) == UnsignedLong.stored(1 << 63))
        #expect(try stored(.uint(UInt64.max)) == UnsignedLong.stored(UInt64.max))
        #expect(try stored(.string("18446744073709551615")) == Int64.max)
        #expect(throws: OpenSearchError.self) { try stored(.int(-1)) }
        #expect(throws: OpenSearchError.self) { try stored(.string("x")) }
    }

    @Test func rangeBounds() throws {
        let b = try #require(try bounds(#"{"gte":9223372036854775808,"lte":18446744073709551615}"#))
        #expect(b.0 == UnsignedLong.stored(1 << 63) && b.1 == UnsignedLong.stored(UInt64.max))
        let gt = try #require(try bounds(#"{"gt":9223372036854775807}"#))
        #expect(gt.0 == UnsignedLong.stored(1 << 63) && gt.1 == Int64.max)
        let neg = try #require(try bounds(#"{"gte":-5,"lt":1}"#))
        #expect(neg.0 == Int64.min && neg.1 == UnsignedLong.stored(0))
        #expect(try bounds(#"{"lt":0}"#) == nil)
        #expect(try bounds(#"{"gt":18446744073709551615}"#) == nil)
        let frac = try #require(try bounds(#"{"gte":1.5,"lte":3.5}"#))
        #expect(frac.0 == UnsignedLong.stored(2) && frac.1 == UnsignedLong.stored(3))
    }
}
