import Testing
@testable import JSON

/// Integers above Int64.max (unsigned_long values) stay exact through parse and write.
@Suite struct BigIntegerTests {
    @Test(arguments: [
        ("9223372036854775807", JSONValue.int(Int64.max)),
        ("9223372036854775808", .uint(1 << 63)),
        ("18446744073709551615", .uint(UInt64.max)),
        ("18446744073709551616", .double(18446744073709551616.0)),
        ("-9223372036854775809", .double(-9223372036854775809.0)),
    ])
    func parsesBoundaries(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func writesExactly() throws {
        #expect(JSONWriter.string(.uint(UInt64.max)) == "18446744073709551615")
        #expect(JSONWriter.string(try JSONParser.parse("[18446744073709551615,9223372036854775808]")) == "[18446744073709551615,9223372036854775808]")
        #expect(JSONValue.unsigned(5) == .int(5))
        #expect(JSONValue.unsigned(UInt64.max) == .uint(UInt64.max))
    }

    @Test func views() {
        #expect(JSONValue.uint(UInt64.max).uint64Value == UInt64.max)
        #expect(JSONValue.uint(UInt64.max).int64Value == nil)
        #expect(JSONValue.uint(1 << 63).doubleValue == 9223372036854775808.0)
        #expect(JSONValue.int(-1).uint64Value == nil)
        #expect(JSONValue.string("18446744073709551615").uint64Value == UInt64.max)
        #expect(JSONValue.uint(1).tokenName == "VALUE_NUMBER_INT")
    }
}
