import Testing
@testable import JSON

@Suite struct JSONParserBasicsTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("\"\"", .string("")),
        ("\"abc\"", .string("abc")),
        ("[]", .array([])),
        ("{}", .object(JSONObject())),
        (" \t\r\n[ 1 , \"a\" , null ]\n ", .array([.int(1), .string("a"), .null])),
        ("{\"a\":{\"b\":[true,{\"c\":null}]}}", ["a": ["b": [true, ["c": nil]]]] as JSONValue),
    ])
    func parsesValues(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
        // The byte-collection entry point must agree with the String one.
        #expect(try JSONParser.parse(Array(text.utf8)) == expected)
    }

    @Test func objectKeyOrderIsPreserved() throws {
        let text = #"{"zeta":1,"alpha":2,"mid":{"y":true,"b":false},"a":[]}"#
        let v = try JSONParser.parse(text)
        let o = try #require(v.objectValue)
        #expect(o.keys == ["zeta", "alpha", "mid", "a"])
        #expect(v["mid"]?.objectValue?.keys == ["y", "b"])
        #expect(JSONWriter.string(v) == text)
    }

    @Test func parsesFromSlicesAndNonContiguousCollections() throws {
        let padded = Array("xx[1,{\"k\":\"v\"}]".utf8)
        let slice = padded[2...]  // non-zero start index
        let expected: JSONValue = [1, ["k": "v"]]
        #expect(try JSONParser.parse(slice) == expected)
        // A lazily mapped collection has no contiguous storage: exercises the copying path.
        let lazy = Array("[1,{\"k\":\"v\"}]".utf8).lazy.map { $0 }
        #expect(try JSONParser.parse(lazy) == expected)
        #expect(parseError(bytes: Array("[1,".utf8)) != nil)
        #expect(throws: JSONError.self) { try JSONParser.parse(Array("[1,".utf8).lazy.map { $0 }) }
    }

    @Test(arguments: ["", " ", "\n\t\r "])
    func emptyInputIsRejected(text: String) {
        let e = parseError(text)
        #expect(e != nil)
        #expect(e?.message.contains("No content") == true)
    }

    @Test(arguments: [
        "{} x", "1 2", "[1]]", "nullx", "truefalse", "{}{}", "\"a\"\"b\"", "[] ,", "0 0", "{\"a\":1}}", "1/",
    ])
    func trailingGarbageIsRejected(text: String) {
        let e = parseError(text)
        #expect(e != nil, "accepted \(text)")
        #expect(e?.message.contains("expected end of input") == true)
    }

    @Test func trailingGarbageOffsetPointsAtTheGarbage() throws {
        let e = try #require(parseError("[1]  x"))
        #expect(e.offset == 5)
        #expect(e.message.contains("expected end of input"))
        #expect(e.description.hasSuffix("at position 5"))
    }

    @Test(arguments: [
        "\"abc", "[1,2", "{\"a\":1", "{\"a\"", "{\"a\":}", "[1,]", "{,}", "{\"a\":1,}", "[,1]", "{1:2}",
        "{'a':1}", "['a']", "[1 2]", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[", "{", "]", "}", ":", ",",
        "tru", "nul", "fals", "True", "NULL", "undefined", "{\"a\":1]", "[1}", "\"\\", "\"\\u", "\"\\u00",
    ])
    func malformedDocumentsAreRejected(text: String) {
        #expect(parseError(text) != nil, "accepted \(text)")
    }

    @Test(arguments: ["\u{0C}1", "1\u{0B}", "\u{A0}1", "[1,\u{0C}2]"])
    func onlyJSONWhitespaceIsSkipped(text: String) {
        #expect(parseError(text) != nil)
    }
}

@Suite struct JSONStringTests {
    @Test func standardEscapes() throws {
        let v = try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#)
        #expect(v == .string("\"\\/\u{08}\u{0C}\n\r\t"))
    }

    @Test func escapesAfterPlainTextAndPlainTextAfterEscapes() throws {
        #expect(try JSONParser.parse(#""abc\ndef\"ghi""#) == .string("abc\ndef\"ghi"))
        #expect(try JSONParser.parse(#""é\té""#) == .string("é\té"))
    }

    @Test(arguments: [
        (#""\u0041""#, "A"),
        (#""\u00e9""#, "é"),
        (#""\u00E9""#, "é"),
        (#""\u20AC""#, "€"),
        (#""\uFFFD""#, "\u{FFFD}"),
        (#""\u0000""#, "\u{0}"),
        (#""\uD83D\uDE00""#, "😀"),
        (#""\ud834\udd1e""#, "𝄞"),
        (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
        (#""\uD800\uDC00""#, "\u{10000}"),
        (#""x\uD83D\uDE00y""#, "x😀y"),
    ])
    func unicodeEscapes(text: String, expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test func rawMultibyteUTF8IsAccepted() throws {
        let s = "héllo wörld € 😀 𝄞 中文"
        #expect(try JSONParser.parse("\"\(s)\"") == .string(s))
        #expect(try JSONParser.parse("{\"\(s)\":1}")[s] == .int(1))
    }

    @Test(arguments: [
        #""\uD800""#,           // lone high surrogate at the end
        #""\uD800x""#,          // high surrogate followed by text
        #""\uD800\n""#,         // followed by another escape
        #""\uD800\u0041""#,     // followed by a non-surrogate escape
        #""\uD800\uD800""#,     // two high surrogates
        #""\uDC00""#,           // lone low surrogate
        #""\uDFFF\uD800""#,     // reversed pair
        #""\u12G4""#,           // bad hex
        #""\u12""#,             // truncated
        #""\x41""#,             // unknown escape
        #""\U0041""#,           // escapes are case-sensitive
        #""\'""#,
        #""\""#,
    ])
    func invalidEscapesAreRejected(text: String) {
        #expect(parseError(text) != nil, "accepted \(text)")
    }

    @Test func everyRawControlCharacterIsRejectedInStrings() {
        for c in UInt8(0)..<0x20 {
            // In the fast path (no escapes before it)…
            #expect(parseError(bytes: [0x22, 0x61, c, 0x62, 0x22]) != nil, "control \(c) accepted")
            // …and in the slow path (after an escape).
            #expect(parseError(bytes: Array(#""\n"#.utf8) + [c, 0x22]) != nil, "control \(c) accepted after escape")
            // …and in keys.
            #expect(parseError(bytes: [0x7B, 0x22, c, 0x22, 0x3A, 0x31, 0x7D]) != nil)
        }
        // DEL is not a control character for JSON.
        #expect(try! JSONParser.parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    @Test func controlCharacterErrorMentionsEscaping() throws {
        let e = try #require(parseError(bytes: [0x22, 0x61, 0x01, 0x22]))
        #expect(e.offset == 2)
        #expect(e.message.contains("CTRL-CHAR"))
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],                        // never valid
        [0x22, 0xC0, 0xAF, 0x22],                  // overlong '/'
        [0x22, 0xE2, 0x82, 0x22],                  // truncated 3-byte sequence
        [0x22, 0x80, 0x22],                        // lone continuation byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],            // UTF-8-encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],      // above U+10FFFF
        [0x22, 0x5C, 0x6E, 0xFF, 0x22],            // invalid after an escape (slow path)
        [0x22, 0x61, 0x5C, 0x74, 0xC3, 0x22],      // truncated 2-byte after an escape
        [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D], // invalid key
        [0xFF],                                    // invalid outside a string
        [0x5B, 0xC3, 0xA9, 0x5D],                  // valid UTF-8 but not a JSON value
    ] as [[UInt8]])
    func invalidUTF8IsRejected(bytes: [UInt8]) {
        #expect(parseError(bytes: bytes) != nil, "accepted \(bytes)")
    }

    @Test func validUTF8BytesAreAccepted() throws {
        let v = try JSONParser.parse([0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22] as [UInt8])
        #expect(v == .string("é€😀"))
    }
}

@Suite struct JSONNumberTests {
    @Test(arguments: [
        ("9223372036854775807", JSONValue.int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("-9223372036854775807", .int(Int64.min + 1)),
        ("2147483648", .int(2_147_483_648)),
        ("123", .int(123)),
        ("-1", .int(-1)),
        ("10", .int(10)),
        ("1000000", .int(1_000_000)),
    ])
    func integersStayIntegers(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(arguments: [
        ("-9223372036854775809", -9223372036854775809.0),
        ("18446744073709551616", 18446744073709551616.0),  // overflows UInt64 too (2^63…2^64−1 stay exact: BigIntegerTests)
        ("123456789012345678901234567890", 123456789012345678901234567890.0),
        ("-123456789012345678901234567890", -123456789012345678901234567890.0),
    ])
    func integerOverflowBecomesDouble(text: String, expected: Double) throws {
        let v = try JSONParser.parse(text)
        #expect(v == .double(expected))
        #expect(v.tokenName == "VALUE_NUMBER_FLOAT")
    }

    @Test(arguments: [
        ("1.5", 1.5), ("-0.25", -0.25), ("0.0", 0.0), ("-0.0", -0.0), ("1e3", 1000.0), ("1E3", 1000.0),
        ("1e+2", 100.0), ("1E-2", 0.01), ("2.5e-3", 0.0025), ("-1.25E+10", -1.25e10), ("0e0", 0.0),
        ("1.0", 1.0), ("3.141592653589793", 3.141592653589793), ("1.7976931348623157e308", 1.7976931348623157e308),
        ("5e-324", Double.leastNonzeroMagnitude), ("0.1", 0.1), ("100e-2", 1.0), ("1e00", 1.0), ("0.000001", 0.000001),
    ])
    func floats(text: String, expected: Double) throws {
        let v = try JSONParser.parse(text)
        #expect(v == .double(expected))
        #expect(v.tokenName == "VALUE_NUMBER_FLOAT")
    }

    @Test func hugeExponentDoesNotThrow() throws {
        let v = try JSONParser.parse("1e400")
        guard case .double(let d) = v else { Issue.record("expected a double, got \(v)"); return }
        #expect(d.isInfinite || d == .greatestFiniteMagnitude)
        #expect(try JSONParser.parse("1e-400") == .double(0))
    }

    @Test(arguments: [
        "01", "-01", "00", "007", "-00", "00.5", "01e5", "1.", "-1.", ".5", "-.5", "+1", "-", "--1", "1e", "1e+",
        "1E-", "0x10", "1.e5", "NaN", "Infinity", "-Infinity", "1.5.2", "1e5e5", "- 1", "1_000", "[01]", "{\"a\":01}",
    ])
    func malformedNumbersAreRejected(text: String) {
        #expect(parseError(text) != nil, "accepted \(text)")
    }

    @Test func leadingZeroErrorMessage() throws {
        let e = try #require(parseError("[1, 012]"))
        #expect(e.message.contains("Leading zeroes"))
        #expect(e.offset == 4)
    }

    @Test func numberBoundaries() throws {
        for i: Int64 in [Int64.max, Int64.min, 0, -1, 1, 1 << 53, -(1 << 53) - 1] {
            #expect(try JSONParser.parse(String(i)) == .int(i))
            #expect(try roundTrip(.int(i)) == .int(i))
        }
    }
}

@Suite struct JSONStructureTests {
    @Test(arguments: [
        #"{"a":1,"a":2}"#,
        #"{"a":1,"b":2,"a":3}"#,
        #"{"x":{"a":1,"a":1}}"#,
        #"[{"k":null,"k":null}]"#,
        #"{"\u0061":1,"a":2}"#,  // the same key spelled with an escape
    ])
    func duplicateKeysAreRejected(text: String) throws {
        let e = try #require(parseError(text))
        #expect(e.message.contains("Duplicate field"))
    }

    @Test func duplicateErrorNamesTheKeyAndPosition() throws {
        let e = try #require(parseError(#"{"a":1, "b":2, "a":3}"#))
        #expect(e.message == "Duplicate field 'a'")
        #expect(e.offset == 15)
    }

    @Test func sameKeyInDifferentObjectsIsFine() throws {
        let v = try JSONParser.parse(#"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}"#)
        #expect(v["a"]?["a"]?["a"] == .int(1))
    }

    /// Large objects switch to set-based duplicate detection; check both sides of the switch.
    @Test(arguments: [1, 15, 16, 17, 18, 40, 200])
    func duplicateKeysInLargeObjects(size: Int) throws {
        let keys = (0..<size).map { "key\($0)" }
        let body = keys.enumerated().map { "\"\($0.element)\":\($0.offset)" }.joined(separator: ",")
        let ok = try JSONParser.parse("{\(body)}")
        #expect(ok.objectValue?.keys == keys)
        #expect(ok["key\(size - 1)"] == .int(Int64(size - 1)))
        for dup in Set([0, size / 2, size - 1]) {
            let text = "{\(body),\"key\(dup)\":true}"
            #expect(parseError(text)?.message == "Duplicate field 'key\(dup)'", "size \(size) dup \(dup)")
        }
        // A duplicate of the key that triggered the set (the 17th) is caught too.
        if size >= 17 {
            let extra = "{\(body),\"new\":1,\"key16\":2}"
            #expect(parseError(extra) != nil)
            let last = "{\(body),\"new\":1,\"new\":2}"
            #expect(parseError(last) != nil)
        }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let n = JSONParser.maxDepth
        let arrays = String(repeating: "[", count: n) + String(repeating: "]", count: n)
        var v = try JSONParser.parse(arrays)
        var depth = 0
        while case .array(let a) = v, let first = a.first { v = first; depth += 1 }
        #expect(depth == n - 1)
        let objects = String(repeating: "{\"a\":", count: n - 1) + "{}" + String(repeating: "}", count: n - 1)
        #expect(throws: Never.self) { try JSONParser.parse(objects) }
    }

    @Test(arguments: [JSONParser.maxDepth + 1, 10_000, 100_000])
    func deepNestingThrowsInsteadOfCrashing(depth: Int) throws {
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let e1 = try #require(parseError(arrays))
        #expect(e1.message.contains("nesting depth"))
        let objects = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(parseError(objects)?.message.contains("nesting depth") == true)
        let mixed = String(repeating: "[{\"k\":", count: depth / 2 + 1)
        #expect(parseError(mixed)?.message.contains("nesting depth") == true)
        // Unterminated deep input is also an error, not a crash.
        #expect(parseError(String(repeating: "[", count: depth)) != nil)
    }
}

@Suite struct JSONValueAndObjectTests {
    @Test func int64Coercions() {
        #expect(JSONValue.int(5).int64Value == 5)
        #expect(JSONValue.double(3.0).int64Value == 3)
        #expect(JSONValue.double(-3.0).int64Value == -3)
        #expect(JSONValue.double(3.5).int64Value == nil)
        #expect(JSONValue.double(1e19).int64Value == nil)
        #expect(JSONValue.double(.nan).int64Value == nil)
        #expect(JSONValue.double(.infinity).int64Value == nil)
        #expect(JSONValue.string("12").int64Value == 12)
        #expect(JSONValue.string("1.5").int64Value == nil)
        #expect(JSONValue.bool(true).int64Value == nil)
        #expect(JSONValue.null.int64Value == nil)
    }

    @Test func doubleCoercionsAndAccessors() {
        #expect(JSONValue.int(2).doubleValue == 2.0)
        #expect(JSONValue.string("2.5").doubleValue == 2.5)
        #expect(JSONValue.string("x").doubleValue == nil)
        #expect(JSONValue.array([]).doubleValue == nil)
        #expect(JSONValue.string("s").stringValue == "s")
        #expect(JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.bool(false).boolValue == false)
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.bool(false).isNull)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.int(1)["a"] == nil)
        #expect(JSONValue.number(7) == .int(7))
    }

    @Test(arguments: [
        (JSONValue.null, "VALUE_NULL"), (.bool(true), "VALUE_TRUE"), (.bool(false), "VALUE_FALSE"),
        (.int(1), "VALUE_NUMBER_INT"), (.double(1), "VALUE_NUMBER_FLOAT"), (.string(""), "VALUE_STRING"),
        (.array([]), "START_ARRAY"), (.object(JSONObject()), "START_OBJECT"),
    ])
    func tokenNames(value: JSONValue, name: String) {
        #expect(value.tokenName == name)
    }

    @Test func objectSubscriptSemantics() {
        var o = JSONObject([("b", 1), ("a", 2), ("c", 3)])
        #expect(o.keys == ["b", "a", "c"])
        o["a"] = 20                       // replace keeps position
        #expect(o.keys == ["b", "a", "c"])
        #expect(o["a"] == .int(20))
        o["b"] = nil                      // removal
        #expect(o.keys == ["a", "c"])
        #expect(o.values == [.int(20), .int(3)])
        o["z"] = nil                      // removing a missing key is a no-op
        #expect(o.count == 2)
        o["d"] = .null                    // null is a value, not a removal
        #expect(o.keys == ["a", "c", "d"])
        #expect(o.index(of: "d") == 2)
        #expect(!o.isEmpty)
        #expect(Array(o.map { $0.0 }) == ["a", "c", "d"])
    }

    @Test func duplicatePairsInInitializerKeepFirstPositionLastValue() {
        let o = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(o.keys == ["a", "b"])
        #expect(o["a"] == .int(3))
    }

    @Test func objectEqualityIsOrderSensitive() {
        let ab = JSONObject([("a", 1), ("b", 2)])
        let ba = JSONObject([("b", 2), ("a", 1)])
        #expect(ab != ba)
        #expect(ab == JSONObject([("a", 1), ("b", 2)]))
    }

    @Test func literals() {
        let v: JSONValue = ["s": "x", "i": 1, "d": 1.5, "b": true, "n": nil, "a": [1, "two"]]
        #expect(v["s"] == .string("x"))
        #expect(v["i"] == .int(1))
        #expect(v["d"] == .double(1.5))
        #expect(v["b"] == .bool(true))
        #expect(v["n"] == .null)
        #expect(v["a"] == .array([.int(1), .string("two")]))
        #expect(v.objectValue?.keys == ["s", "i", "d", "b", "n", "a"])
    }
}
