import Testing
@testable import JSON

@Suite struct JSONWriterTests {
    @Test(arguments: [
        (JSONValue.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.int(0), "0"),
        (.int(-42), "-42"),
        (.int(Int64.max), "9223372036854775807"),
        (.int(Int64.min), "-9223372036854775808"),
        (.int(9), "9"),
        (.int(10), "10"),
        (.int(-1), "-1"),
        (.uint(0), "0"),
        (.uint(UInt64.max), "18446744073709551615"),
        (.array([]), "[]"),
        (.object(JSONObject()), "{}"),
        ([1, [2, [3]], ["k": []]] as JSONValue, #"[1,[2,[3]],{"k":[]}]"#),
        (["b": 1, "a": ["c": nil]] as JSONValue, #"{"b":1,"a":{"c":null}}"#),
    ])
    func compactOutput(value: JSONValue, expected: String) {
        #expect(JSONWriter.string(value) == expected)
        #expect(JSONWriter.serialize(value) == Array(expected.utf8))
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("q\"uote", #""q\"uote""#),
        ("back\\slash", #""back\\slash""#),
        ("a/b", #""a/b""#),
        ("line\nfeed", #""line\nfeed""#),
        ("cr\rtab\t", #""cr\rtab\t""#),
        ("\u{0}", #""\u0000""#),
        ("\u{1}", #""\u0001""#),
        ("\u{8}", #""\u0008""#),
        ("\u{C}", #""\u000c""#),
        ("\u{1F}", #""\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("é€😀", "\"é€😀\""),
        // Escapes at both ends and between runs that are copied in one step.
        ("\"abc\\def\n", #""\"abc\\def\n""#),
        ("\n\n", #""\n\n""#),
        ("", #""""#),
        ("a somewhat longer run of plain text before one \" quote", #""a somewhat longer run of plain text before one \" quote""#),
    ])
    func stringEscaping(value: String, expected: String) throws {
        #expect(JSONWriter.string(.string(value)) == expected)
        #expect(try JSONParser.parse(expected) == .string(value))
    }

    @Test func keysAreEscapedToo() throws {
        let v: JSONValue = ["a\"b\n": 1]
        let s = JSONWriter.string(v)
        #expect(s == #"{"a\"b\n":1}"#)
        #expect(try JSONParser.parse(s) == v)
    }

    @Test(arguments: [
        (1.0, "1.0"),
        (-2.0, "-2.0"),
        (0.5, "0.5"),
        (0.1, "0.1"),
        (123456.789, "123456.789"),
        (1e15, "1000000000000000.0"),
    ])
    func doubleFormatting(value: Double, expected: String) throws {
        #expect(JSONWriter.string(.double(value)) == expected)
        // Whole doubles keep their ".0" so they come back as floats, not ints.
        #expect(try JSONParser.parse(expected) == .double(value))
    }

    @Test(arguments: [1e16, -1e16, 1e300, 1.5e-7, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, -Double.leastNormalMagnitude,
                      9007199254740992.0, 0.30000000000000004])
    func doublesRoundTripExactly(value: Double) throws {
        let text = JSONWriter.string(.double(value))
        let back = try JSONParser.parse(text)
        guard case .double(let d) = back else { Issue.record("\(text) came back as \(back)"); return }
        #expect(d.bitPattern == value.bitPattern, "\(value) → \(text) → \(d)")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoublesBecomeNull(value: Double) throws {
        #expect(JSONWriter.string(.double(value)) == "null")
        #expect(JSONWriter.string(["x": .double(value)]) == #"{"x":null}"#)
    }

    @Test func writeRawAndIncrementalWriting() throws {
        var w = JSONWriter(capacity: 4)
        w.bytes.append(UInt8(ascii: "["))
        w.write(.int(1))
        w.bytes.append(UInt8(ascii: ","))
        w.writeRaw(Array(#"{"raw":true}"#.utf8))
        w.bytes.append(UInt8(ascii: ","))
        w.writeString("s")
        w.bytes.append(UInt8(ascii: "]"))
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"[1,{"raw":true},"s"]"#)
        #expect(try JSONParser.parse(w.bytes) == [1, ["raw": true], "s"])
    }

    @Test func deepValueSerializes() throws {
        var v: JSONValue = 1
        for _ in 0..<(JSONParser.maxDepth - 1) { v = [v] }
        let text = JSONWriter.string(v)
        #expect(text.count == 2 * (JSONParser.maxDepth - 1) + 1)
        #expect(try JSONParser.parse(text) == v)
    }
}

@Suite struct JSONPropertyTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomTreesRoundTrip(seed: UInt64) throws {
        var gen = JSONGenerator(rng: SeededRNG(seed: seed))
        for i in 0..<100 {
            let v = gen.value()
            let bytes = JSONWriter.serialize(v)
            let back: JSONValue
            do { back = try JSONParser.parse(bytes) } catch {
                Issue.record("seed \(seed) case \(i): \(error) for \(String(decoding: bytes, as: UTF8.self))")
                continue
            }
            #expect(back == v, "seed \(seed) case \(i): \(String(decoding: bytes, as: UTF8.self))")
            // Serialisation is canonical: a second trip yields identical bytes.
            #expect(JSONWriter.serialize(back) == bytes)
        }
    }

    @Test func writerOutputIsValidUTF8WithoutRawControlCharacters() {
        var gen = JSONGenerator(rng: SeededRNG(seed: 99))
        for _ in 0..<300 {
            let bytes = JSONWriter.serialize(.string(gen.scalarString(maxLength: 40)))
            #expect(String(validating: bytes, as: UTF8.self) != nil)
            #expect(!bytes.contains { $0 < 0x20 })
        }
    }

    @Test func randomDoublesRoundTripBitForBit() throws {
        var rng = SeededRNG(seed: 7)
        var checked = 0
        while checked < 2000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite, d != 0 else { continue }
            checked += 1
            let back = try JSONParser.parse(JSONWriter.string(.double(d)))
            #expect(back.doubleValue?.bitPattern == d.bitPattern, "\(d)")
        }
    }

    /// Mutated documents must either fail cleanly or parse to something that itself round-trips.
    @Test func mutatedDocumentsNeverCrash() throws {
        var gen = JSONGenerator(rng: SeededRNG(seed: 1234))
        var rng = SeededRNG(seed: 4321)
        var accepted = 0, rejected = 0
        let interesting: [UInt8] = Array("{}[]\",:\\u0123456789eE.-+ntrfalsD8C".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
        for _ in 0..<1500 {
            var bytes = JSONWriter.serialize(gen.value())
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let pos = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0...2, using: &rng) {
                case 0 where !bytes.isEmpty: bytes[pos] = interesting.randomElement(using: &rng)!
                case 1: bytes.insert(interesting.randomElement(using: &rng)!, at: pos)
                default: if !bytes.isEmpty { bytes.remove(at: pos) }
                }
            }
            let v: JSONValue
            do throws(JSONError) {
                v = try JSONParser.parse(bytes)
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count)
                continue
            }
            accepted += 1
            if v.allNumbersFinite { #expect(try roundTrip(v) == v) }
        }
        #expect(accepted > 0)
        #expect(rejected > 0)
    }
}

extension JSONValue {
    /// False when a number overflowed to infinity (e.g. `1e999`), which JSON cannot represent on output.
    var allNumbersFinite: Bool {
        switch self {
        case .double(let d): return d.isFinite
        case .array(let a): return a.allSatisfy(\.allNumbersFinite)
        case .object(let o): return o.values.allSatisfy(\.allNumbersFinite)
        default: return true
        }
    }
}
