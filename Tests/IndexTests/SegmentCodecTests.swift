import Foundation
import Testing
@testable import Index

/// The segment's integer and `_source` codecs against brute-force references.
@Suite struct SegmentCodecTests {
    /// Writes `body` into a fresh buffer and reads it back through a cursor over its bytes.
    static func withBytes<T>(_ write: (inout SegmentBuffer) -> Void, _ read: (SegmentCursor) throws -> T) throws -> T {
        var out = SegmentBuffer()
        write(&out)
        let bytes = out.bytes
        return try bytes.withUnsafeBytes { raw in
            try read(SegmentCursor(base: raw.baseAddress!, start: 0, end: raw.count, what: "test"))
        }
    }

    // MARK: PackedInts / BlockedInts

    @Test(arguments: Array(0...57) + [64])
    func packedIntsRoundTrip(bits: Int) throws {
        var rng = SegmentRNG(seed: UInt64(bits) &* 31 &+ 7)
        let mask = bits == 64 ? UInt64.max : (1 << UInt64(bits)) - 1
        let count = Int.random(in: 0...3000, using: &rng)
        var values = (0..<count).map { _ in UInt64.random(in: 0 ... .max, using: &rng) & mask }
        if count > 2 { values[0] = mask; values[count - 1] = mask }  // widest values at both ends
        #expect(PackedInts.bitsRequired(values.max() ?? 0) <= bits)
        try Self.withBytes({ $0.packedInts(values, bits: bits) }) { c in
            #expect(c.end == (PackedInts.byteCount(count, bits: bits) + 7) / 8 * 8)
            let p = try c.packedInts(0, count: count, bits: bits)
            #expect((0..<count).allSatisfy { p[$0] == values[$0] })
            for _ in 0..<20 {
                let a = Int.random(in: 0...count, using: &rng), b = Int.random(in: a...count, using: &rng)
                var seen: [UInt64] = [], indices: [Int] = []
                p.forEach(a, b) { i, v in indices.append(i); seen.append(v) }
                #expect(indices == Array(a..<b) && seen == Array(values[a..<b]))
            }
        }
    }

    @Test(arguments: [0, 1, 1023, 1024, 1025, 5000])
    func blockedIntsRoundTrip(count: Int) throws {
        var rng = SegmentRNG(seed: UInt64(count) &+ 99)
        // Clustered: a rising sequence with noise, a few jumps back (like swapped bulk batches).
        var v: UInt64 = 1_800_000_000_000
        var values: [UInt64] = []
        for i in 0..<count {
            v &+= UInt64.random(in: 0...1000, using: &rng)
            values.append(i % 1500 == 700 ? v - 3_000_000 : v)
        }
        let bits = BlockedInts.bitsRequired(values)
        let flatBits = PackedInts.bitsRequired(values.max() ?? 0)
        #expect(bits <= flatBits)
        try Self.withBytes({ $0.blockedInts(values, bits: bits) }) { c in
            #expect(c.end == BlockedInts.byteCount(count, bits: bits))
            let b = try BlockedInts(c, at: 0, count: count, bits: bits)
            #expect((0..<count).allSatisfy { b[$0] == values[$0] })
        }
        // Extremes: a block spanning the whole UInt64 range needs 64 bits.
        let extremes: [UInt64] = [0, .max, 5, .max - 5]
        try Self.withBytes({ $0.blockedInts(extremes, bits: BlockedInts.bitsRequired(extremes)) }) { c in
            let b = try BlockedInts(c, at: 0, count: 4, bits: 64)
            #expect((0..<4).allSatisfy { b[$0] == extremes[$0] })
        }
    }

    @Test func badWidthsAreCorrupt() throws {
        try Self.withBytes({ $0.u8(58); $0.u8(65); $0.u8(64); $0.u8(0) }) { c throws in
            #expect(throws: (any Error).self) { _ = try c.bits(0) }
            #expect(throws: (any Error).self) { _ = try c.bits(1) }
            let widths = (try c.bits(2), try c.bits(3))
            #expect(widths == (64, 0))
            // 100 values of 7 bits do not fit in the 4 bytes.
            #expect(throws: (any Error).self) { _ = try c.packedInts(0, count: 100, bits: 7) }
        }
    }

    // MARK: _source columns

    /// Random JSON-ish documents, valid and not: nested values, escapes, odd whitespace,
    /// unterminated strings, control and non-ASCII bytes.
    static func randomSource(_ rng: inout SegmentRNG, depth: Int = 0) -> [UInt8] {
        func string(_ rng: inout SegmentRNG) -> [UInt8] {
            let pieces = ["a", "b", "x y", "\\\"", "\\\\", "\\n", "é", "日本", "😀", "", ":", ",", "{", "]", "\\u00e9", "0"]
            return Array("\"".utf8) + (0..<Int.random(in: 0...4, using: &rng)).flatMap { _ in Array(pieces.randomElement(using: &rng)!.utf8) } + Array("\"".utf8)
        }
        func value(_ rng: inout SegmentRNG, _ depth: Int) -> [UInt8] {
            switch Int.random(in: 0..<(depth > 2 ? 6 : 8), using: &rng) {
            case 0, 1: return string(&rng)
            case 2: return Array(String(Int.random(in: -100_000...100_000, using: &rng)).utf8)
            case 3: return Array(["true", "false", "null", "1.5e-3", "-0.0"].randomElement(using: &rng)!.utf8)
            case 4: return Array("2026-11-20T\(Int.random(in: 10...23, using: &rng)):\(Int.random(in: 10...59, using: &rng)):00.123Z".utf8).quoted
            case 5: return Array(["GET", "POST", "/api/x", "user0042"].randomElement(using: &rng)!.utf8).quoted
            case 6: return Array("[".utf8) + (0..<Int.random(in: 0...3, using: &rng)).map { _ in value(&rng, depth + 1) }.joined(separator: Array(",".utf8)) + Array("]".utf8)
            default: return randomSource(&rng, depth: depth + 1)
            }
        }
        switch Int.random(in: 0..<20, using: &rng) {
        case 0 where depth == 0: return (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }  // junk
        case 1 where depth == 0: return []
        case 2 where depth == 0: return Array("{\"open\":\"never closed".utf8)
        default:
            let ws = [" ", "", "\n", "\t", "  "]
            let keys = ["timestamp", "user", "path", "status", "a b", "é", "x\\\"y", ""]
            let members = (0..<Int.random(in: 0...6, using: &rng)).map { _ -> [UInt8] in
                Array("\(ws.randomElement(using: &rng)!)\"\(keys.randomElement(using: &rng)!)\"\(ws.randomElement(using: &rng)!):".utf8)
                    + value(&rng, depth) + Array(ws.randomElement(using: &rng)!.utf8)
            }
            return Array("{".utf8) + members.joined(separator: Array(",".utf8)) + Array("}".utf8)
        }
    }

    static func decode(_ encoded: [UInt8], docCount: Int, sourceLength: Int) -> (bytes: [UInt8], starts: [Int])? {
        let padded = encoded + [UInt8](repeating: 0, count: SourceColumns.slack)
        return padded.withUnsafeBytes {
            SourceColumns.decode(UnsafeRawBufferPointer(rebasing: $0[..<encoded.count]), docCount: docCount, sourceLength: sourceLength)
        }
    }

    @Test(arguments: Array(UInt64(1)...40))
    func sourceColumnsRoundTrip(seed: UInt64) throws {
        var rng = SegmentRNG(seed: seed)
        let docCount = [0, 1, 2, 17, 400].randomElement(using: &rng)!
        var raw: [UInt8] = [], starts: [Int] = []
        for _ in 0..<docCount {
            starts.append(raw.count)
            raw += Self.randomSource(&rng)
        }
        starts.append(raw.count)
        let encoded = SourceColumns.encode(raw, starts: starts)
        #expect(encoded.first == SourceColumns.columns)  // the split is exact for any bytes: no plain fallback
        let decoded = try #require(Self.decode(encoded, docCount: docCount, sourceLength: raw.count))
        #expect(decoded.bytes == raw && decoded.starts == starts)
        // Flipped and dropped bytes decode to nil or to something, never past the buffers.
        for _ in 0..<200 where !encoded.isEmpty {
            var bad = encoded
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bad[Int.random(in: 0..<bad.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 1: bad.removeLast(Int.random(in: 1...bad.count, using: &rng))
            default: bad[Int.random(in: 0..<bad.count, using: &rng)] = 0xFF
            }
            if let d = Self.decode(bad, docCount: docCount, sourceLength: raw.count) {
                #expect(d.bytes.count == raw.count && d.starts.count == docCount + 1)
            }
        }
    }

    @Test func requestEventsUseColumns() throws {
        let sources = SegmentDailySizeTests.benchDay(300, seed: 5).map { Array($0.utf8) }
        var raw: [UInt8] = [], starts: [Int] = []
        for s in sources { starts.append(raw.count); raw += s }
        starts.append(raw.count)
        let encoded = SourceColumns.encode(raw, starts: starts)
        #expect(encoded.first == SourceColumns.columns && encoded.count < raw.count / 2)
        #expect(Self.decode(encoded, docCount: sources.count, sourceLength: raw.count)?.bytes == raw)
        // The wrong doc count or length is refused.
        #expect(Self.decode(encoded, docCount: sources.count - 1, sourceLength: raw.count) == nil)
        #expect(Self.decode(encoded, docCount: sources.count, sourceLength: raw.count + 1) == nil)
    }
}

private extension Array where Element == UInt8 {
    var quoted: [UInt8] { [0x22] + self + [0x22] }
}
