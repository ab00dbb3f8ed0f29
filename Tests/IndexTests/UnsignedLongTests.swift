import Testing
import JSON
@testable import Index

/// unsigned_long over its whole range: biased storage keeps numeric order; ingest accepts
/// 0…2^64−1 and refuses the rest like OpenSearch.
@Suite struct UnsignedLongTests {
    static let boundaries: [UInt64] = [0, 1, UInt64(Int64.max), 1 << 63, UInt64.max - 1, UInt64.max]

    @Test func storedFormRoundTripsAndKeepsOrder() {
        for u in Self.boundaries { #expect(UnsignedLong.value(UnsignedLong.stored(u)) == u) }
        let stored = Self.boundaries.map(UnsignedLong.stored)
        #expect(stored == stored.sorted())
        #expect(UnsignedLong.stored(0) == Int64.min)
        #expect(UnsignedLong.stored(UInt64.max) == Int64.max)
        #expect(UnsignedLong.double(UnsignedLong.stored(UInt64.max)) == 18446744073709551615.0)
        #expect(UnsignedLong.json(UnsignedLong.stored(UInt64.max)) == .uint(UInt64.max))
        #expect(UnsignedLong.json(UnsignedLong.stored(7)) == .int(7))
    }

    static let mapping = #"{"properties":{"u":{"type":"unsigned_long"}}}"#

    func parse(_ doc: String) throws -> ParsedDocument {
        let m = try Mapping.parse(try JSONParser.parse(Self.mapping))
        return try DocumentParser.parse(try JSONParser.parse(doc), mapping: m, id: "1")
    }

    @Test(arguments: [
        ("0", UInt64(0)),
        ("9223372036854775807", UInt64(Int64.max)),
        ("9223372036854775808", UInt64(1) << 63),
        ("18446744073709551615", UInt64.max),
        ("\"18446744073709551615\"", UInt64.max),
        ("10223372036854778000.0", UInt64(10223372036854777856)),
        ("12.7", UInt64(12)),
    ])
    func ingestsTheFullRange(value: String, expected: UInt64) throws {
        let p = try parse("{\"u\":\(value)}")
        #expect(p.values("u") == [.long(UnsignedLong.stored(expected))])
    }

    @Test(arguments: ["-1", "18446744073709551616", "\"-5\"", "\"abc\"", "true"])
    func refusesOutOfRange(value: String) throws {
        #expect(throws: OpenSearchError.self) { try parse("{\"u\":\(value)}") }
    }

    @Test func requestValues() {
        #expect(UnsignedLong.stored(request: .uint(UInt64.max)) == Int64.max)
        #expect(UnsignedLong.stored(request: .int(-3)) == nil)
        #expect(UnsignedLong.stored(request: .double(-0.5), roundUp: true) == UnsignedLong.stored(0))
        #expect(UnsignedLong.stored(request: .double(1.5), roundUp: true) == UnsignedLong.stored(2))
        #expect(UnsignedLong.stored(request: .double(1.5)) == UnsignedLong.stored(1))
    }
}
