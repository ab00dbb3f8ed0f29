import Foundation
import Testing
import Storage
@testable import Index

/// A fresh temporary directory for one test, removed afterwards.
func withSegmentTempDir<T>(_ body: (String) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segtest-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

/// Writes `docs` to a segment in a temp dir and opens it.
func withSegment<T>(_ docs: [SegmentDocument], _ body: (Segment) throws -> T) throws -> T {
    try withSegmentTempDir { dir in
        let path = dir + "/seg_1.seg"
        try SegmentWriter.write(docs, to: path)
        return try body(try Segment(path: path))
    }
}

func segDoc(_ id: String, _ source: String = "{}", seq: Int64 = 0, version: Int64 = 1, term: Int64 = 1, routing: String? = nil,
            _ fields: [(String, FieldValue)] = []) -> SegmentDocument {
    SegmentDocument(id: id, source: Array(source.utf8), seqNo: seq, version: version, primaryTerm: term, routing: routing,
                    fields: fields.map { (path: $0.0, value: $0.1) })
}

func segDoc(_ id: String, _ fields: [(String, FieldValue)]) -> SegmentDocument { segDoc(id, "{}", fields) }

extension Postings {
    var pairs: [[Int32]] {
        var out: [[Int32]] = []
        forEach { d, f in out.append([d, f]) }
        return out
    }
}

extension NumericColumn {
    func docs(inRange lo: Int64, _ hi: Int64) -> [Int32] {
        var out: [Int32] = []
        forEachDoc(inRange: lo, hi) { out.append($0) }
        return out
    }
}

@Suite struct SegmentTests {
    static let sample: [SegmentDocument] = [
        segDoc("b", #"{"user":"bob","n":3}"#, seq: 10, version: 2, term: 1, routing: "r1",
               [("user", .keyword("bob")), ("n", .long(3)), ("msg", .text("Hello, World! hello")), ("tags", .keyword("x")), ("tags", .keyword("y")),
                ("price", .double(2.5)), ("ok", .bool(true)), ("at", .date(1_700_000_000_000)), ("ip", .ip("10.0.0.1"))]),
        segDoc("a", #"{"user":"alice"}"#, seq: 11, version: 1, term: 2,
               [("user", .keyword("alice")), ("msg", .text("world")), ("price", .double(-1.25)), ("ok", .bool(false))]),
        segDoc("c", #"{"n":[7,1]}"#, seq: 12, version: 5, term: 2, routing: "r0",
               [("n", .long(7)), ("n", .long(1)), ("tags", .keyword("y")), ("tags", .keyword("y"))]),
    ]

    @Test func roundTripsEveryAccessor() throws {
        try withSegment(Self.sample) { s in
            #expect(s.docCount == 3)
            #expect(s.fieldNames == ["at", "ip", "msg", "n", "ok", "price", "tags", "user"])
            // ids, metadata, source
            #expect(s.docID(for: "a") == 1 && s.docID(for: "b") == 0 && s.docID(for: "c") == 2 && s.docID(for: "d") == nil)
            #expect((0..<3).map { s.id(of: Int32($0)) } == ["b", "a", "c"])
            #expect((0..<3).map { s.seqNo(of: Int32($0)) } == [10, 11, 12])
            #expect((0..<3).map { s.version(of: Int32($0)) } == [2, 1, 5])
            #expect((0..<3).map { s.primaryTerm(of: Int32($0)) } == [1, 2, 2])
            #expect((0..<3).map { s.routing(of: Int32($0)) } == ["r1", nil, "r0"])
            #expect(String(decoding: s.source(of: 1), as: UTF8.self) == #"{"user":"alice"}"#)
            #expect(String(decoding: s.source(of: 2), as: UTF8.self) == #"{"n":[7,1]}"#)
            #expect(String(decoding: s.source(of: 0), as: UTF8.self) == #"{"user":"bob","n":3}"#)

            // keyword, single-valued
            let user = try #require(s.keyword("user"))
            #expect(user.termCount == 2 && !user.isMultiValued)
            #expect(user.term(0) == "alice" && user.term(1) == "bob")
            #expect(user.ord(of: "bob") == 1 && user.ord(of: "carol") == nil)
            #expect(user.firstOrd(0) == 1 && user.firstOrd(1) == 0 && user.firstOrd(2) == -1)
            #expect(user.postings(1).docs() == [0] && user.postings(0).pairs == [[1, 1]])
            #expect(user.lowerBound("b") == 1 && user.lowerBound("") == 0 && user.lowerBound("bobby") == 2)
            #expect(user.ords(startingWith: "a") == 0..<1 && user.ords(startingWith: "") == 0..<2 && user.ords(startingWith: "c").isEmpty)
            // keyword, multi-valued with a duplicate value in one doc
            let tags = try #require(s.keyword("tags"))
            #expect(tags.isMultiValued && tags.termCount == 2)
            var ords: [Int32] = [99]
            tags.docOrds(0, into: &ords); #expect(ords == [0, 1])
            tags.docOrds(1, into: &ords); #expect(ords == [])
            tags.docOrds(2, into: &ords); #expect(ords == [1])
            #expect(tags.firstOrd(2) == 1 && tags.firstOrd(1) == -1)
            #expect(tags.postings(1).docs() == [0, 2] && tags.postings(1).contains(2) && !tags.postings(1).contains(1))
            #expect(s.keyword("ip")?.term(0) == "10.0.0.1")

            // text
            let msg = try #require(s.text("msg"))
            #expect((0..<msg.termCount).map { msg.term($0) } == ["hello", "world"])
            #expect(msg.postings(0).pairs == [[0, 2]] && msg.postings(1).pairs == [[0, 1], [1, 1]])
            #expect(msg.fieldLength(0) == 3 && msg.fieldLength(1) == 1 && msg.fieldLength(2) == 0)
            #expect(msg.docsWithField == 2 && msg.sumFieldLength == 4)
            #expect(msg.ord(of: "Hello") == nil && msg.ord(of: "hello") == 0)

            // numeric
            let n = try #require(s.numeric("n"))
            #expect(n.isMultiValued && !n.isDouble && n.minValue == 1 && n.maxValue == 7)
            var vals: [Int64] = [42]
            n.values(2, into: &vals); #expect(vals == [1, 7])
            n.values(1, into: &vals); #expect(vals == [])
            #expect(n.hasValue(0) && !n.hasValue(1) && n.value(2) == 1 && n.value(0) == 3)
            #expect(n.docs(inRange: 2, 7) == [0, 2] && n.docs(inRange: 4, 6) == [] && n.docs(inRange: .min, .max) == [0, 2])
            #expect(n.zoneMin(0) == 1 && n.zoneMax(0) == 7)
            let price = try #require(s.numeric("price"))
            #expect(price.isDouble && !price.isMultiValued && price.hasValue(1) && !price.hasValue(2))
            #expect(NumericColumn.double(fromSortable: price.value(1)) == -1.25)
            #expect(NumericColumn.double(fromSortable: price.minValue) == -1.25 && NumericColumn.double(fromSortable: price.maxValue) == 2.5)
            #expect(price.docs(inRange: NumericColumn.sortableLong(0), NumericColumn.sortableLong(3)) == [0])
            let ok = try #require(s.numeric("ok"))
            #expect(ok.value(0) == 1 && ok.value(1) == 0 && !ok.hasValue(2))
            #expect(s.numeric("at")?.value(0) == 1_700_000_000_000)
            #expect(s.range(of: "n")! == (1, 7))
            #expect(s.numeric("user") == nil && s.keyword("n") == nil && s.text("user") == nil)
        }
    }

    @Test func emptySegment() throws {
        try withSegment([]) { s in
            #expect(s.docCount == 0 && s.fieldNames.isEmpty)
            #expect(s.docID(for: "x") == nil)
            #expect(s.numeric("a") == nil && s.keyword("a") == nil && s.text("a") == nil)
        }
    }

    @Test func docsWithoutFields() throws {
        let docs = (0..<5).map { segDoc("id\($0)", "", seq: Int64($0)) }
        try withSegment(docs) { s in
            #expect(s.fieldNames.isEmpty)
            #expect((0..<5).allSatisfy { s.source(of: Int32($0)).isEmpty && s.id(of: Int32($0)) == "id\($0)" })
            #expect(s.routing(of: 3) == nil && s.seqNo(of: 4) == 4)
        }
    }

    @Test(arguments: [0, 7, 30, 100, 500, -30, -9, -1])
    func corruptFileThrows(position: Int) throws {
        try withSegmentTempDir { dir in
            let path = dir + "/seg.seg"
            try SegmentWriter.write(Self.sample, to: path)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let i = position >= 0 ? position : bytes.count + position
            bytes[i] ^= 0x10
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(throws: StorageError.self) { _ = try Segment(path: path) }
            do throws(StorageError) { _ = try Segment(path: path) } catch { #expect(error.code == .corrupt) }
        }
    }

    @Test(arguments: [0, 1, 23, 24, 100, -1, -8, -24, -25])
    func truncatedFileThrows(length: Int) throws {
        try withSegmentTempDir { dir in
            let path = dir + "/seg.seg"
            try SegmentWriter.write(Self.sample, to: path)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let n = length >= 0 ? length : bytes.count + length
            try Data(bytes[0..<n]).write(to: URL(fileURLWithPath: path))
            #expect(throws: StorageError.self) { _ = try Segment(path: path) }
        }
    }

    @Test func missingFileThrowsOpen() {
        do throws(StorageError) { _ = try Segment(path: "/nonexistent/seg.seg"); Issue.record("expected an error") } catch { #expect(error.code == .open) }
    }

    @Test func writeReplacesExistingFileAndLeavesNoTemporary() throws {
        try withSegmentTempDir { dir in
            let path = dir + "/seg.seg"
            try SegmentWriter.write(Self.sample, to: path)
            try SegmentWriter.write([segDoc("z")], to: path)
            #expect(try Segment(path: path).docCount == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["seg.seg"])
        }
    }

    @Test func autoIdsArePackedAndDuplicatesAnswerTheNewestCopy() throws {
        let ids = ["AAAAAAAAAAAAAAAAAAAA", "zzzz-___0000AAAAbbbb", "Q29va2llcyBhcmUgZ29v", "AAAAAAAAAAAAAAAAAAAA", "_-_-_-_-_-_-_-_-_-_-"]
        try withSegment(ids.enumerated().map { segDoc($1, seq: Int64($0)) }) { s in
            #expect(s.ids.packedMode)
            #expect((0..<5).map { s.id(of: Int32($0)) } == ids)
            #expect(s.docID(for: "AAAAAAAAAAAAAAAAAAAA") == 3)
            #expect(s.docID(for: "zzzz-___0000AAAAbbbb") == 1 && s.docID(for: "_-_-_-_-_-_-_-_-_-_-") == 4)
            #expect(s.docID(for: "AAAAAAAAAAAAAAAAAAAB") == nil && s.docID(for: "AAAA") == nil && s.docID(for: "AAAAAAAAAAAAAAAAAAA=") == nil)
        }
        // One non-base64 id switches to the dictionary; duplicates still answer the newest.
        try withSegment((ids + ["my-id"]).enumerated().map { segDoc($1, seq: Int64($0)) }) { s in
            #expect(!s.ids.packedMode && !s.ids.identity)
            #expect(s.docID(for: "AAAAAAAAAAAAAAAAAAAA") == 3 && s.docID(for: "my-id") == 5 && s.docID(for: "my") == nil)
            #expect((0..<6).map { s.id(of: Int32($0)) } == ids + ["my-id"])
        }
        // Ascending ids need no maps.
        try withSegment((0..<40).map { segDoc(String(format: "doc-%04d", $0)) }) { s in
            #expect(s.ids.identity)
            #expect(s.docID(for: "doc-0017") == 17 && s.id(of: 39) == "doc-0039" && s.docID(for: "doc-0040") == nil)
        }
    }

    @Test func sourceBlocksAndCacheAcrossThreads() async throws {
        // ~300 KB of source: several blocks; read concurrently in shuffled order.
        let docs = (0..<3000).map { i in segDoc("d\(i)", #"{"i":\#(i),"pad":"\#(String(repeating: "x", count: i % 150))"}"#) }
        try await withSegmentTempDirAsync { dir in
            let path = dir + "/seg.seg"
            try SegmentWriter.write(docs, to: path)
            let s = try Segment(path: path)
            #expect(s.sources.blockCount > 3)
            let ok = await withTaskGroup(of: Bool.self) { group in
                for t in 0..<4 {
                    group.addTask {
                        var rng = SegmentRNG(seed: UInt64(t))
                        for _ in 0..<2000 {
                            let d = Int.random(in: 0..<3000, using: &rng)
                            if s.source(of: Int32(d)) != docs[d].source { return false }
                        }
                        return true
                    }
                }
                return await group.allSatisfy { $0 }
            }
            #expect(ok)
        }
    }

    @Test func numericEncodings() throws {
        let n = 10_000
        func column(_ values: (Int) -> [Int64]?) throws -> (NumericColumn?, Segment) {
            let docs = (0..<n).map { d in segDoc("d\(d)", seq: Int64(d), (values(d) ?? []).map { ("f", .long($0)) }) }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segtest-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try SegmentWriter.write(docs, to: dir + "/s.seg")
            let s = try Segment(path: dir + "/s.seg")  // the mapping outlives the deleted file
            return (s.numeric("f"), s)
        }
        // _seq_no 0..<n: linear, no per-doc bits; _version constant.
        let (_, s0) = try column { _ in nil }
        #expect(s0.seqNos.isLinear && s0.seqNos.bitsPerValue == 0 && s0.versions.isLinear && s0.versions.step == 0)
        #expect(s0.numeric("f") == nil)
        // Linear with gaps and missing docs.
        let (linOpt, _) = try column { d in d % 3 == 0 ? [5_000 - Int64(d) * 7] : nil }
        let lin = try #require(linOpt)
        #expect(lin.isLinear && !lin.sorted && lin.hasValue(9) && !lin.hasValue(10) && lin.value(9) == 5_000 - 63)
        #expect(lin.docs(inRange: 5_000 - 70, 5_000 - 63) == [9] && lin.docs(inRange: .min, .max).count == 3334)
        // Multiples of 1000: gcd packs into 8 bits.
        let (gOpt, _) = try column { d in [Int64(d % 200) * 1000 + 1_000_000] }
        let g = try #require(gOpt)
        #expect(!g.isLinear && !g.isTable && g.bitsPerValue == 8 && g.step == 1000)
        #expect(g.docs(inRange: 1_050_001, 1_051_000).count == 50 && g.docs(inRange: 1_050_001, 1_050_999).isEmpty)
        // Few distinct, widely spread values: a table.
        let spread: [Int64] = [-9_000_000_000, 3, 77_777_777_777, 5]
        let (tOpt, _) = try column { d in [spread[d % 4]] }
        let t = try #require(tOpt)
        #expect(t.isTable && t.bitsPerValue == 2 && t.value(2) == 77_777_777_777 && t.docs(inRange: 0, 10).count == n / 2)
        // Extremes need 64 bits.
        let (xOpt, _) = try column { d in [d % 2 == 0 ? .min + Int64(d) : .max - Int64(d)] }
        let x = try #require(xOpt)
        #expect(x.bitsPerValue == 64 && !x.isTable && x.value(0) == .min && x.value(1) == .max - 1 && x.docs(inRange: .max - 1, .max) == [1])
        #expect(x.docs(inRange: .min, .min) == [0] && x.docs(inRange: .min, 0).count == n / 2)
        // 5,001 distinct values among 10,000 docs: a 13-bit table beats 64 bits.
        let (t2Opt, _) = try column { d in [d % 2 == 0 ? .min : .max - Int64(d)] }
        let t2 = try #require(t2Opt)
        #expect(t2.isTable && t2.bitsPerValue == 13 && t2.value(0) == .min && t2.value(9_999) == .max - 9_999)
        #expect(t2.docs(inRange: .min, .min).count == n / 2 && t2.docs(inRange: .max - 2, .max) == [1])
        // Sorted, with missing docs.
        let (srtOpt, _) = try column { d in d % 10 == 3 ? nil : [Int64(d / 7) * 3] }
        let srt = try #require(srtOpt)
        #expect(srt.sorted && !srt.isLinear)
        #expect(srt.docs(inRange: 6, 9) == (14..<28).filter { $0 % 10 != 3 }.map(Int32.init))
        #expect(srt.zoneMin(1) == Int64(4096 / 7) * 3 && srt.zoneCount == 3)
        // Zone maps skip blocks; a block without values has (max, min).
        let (zOpt, _) = try column { d in d < 4096 ? [Int64(d)] : (d >= 8192 ? [Int64(-d)] : nil) }
        let z = try #require(zOpt)
        #expect(z.zoneMin(1) == .max && z.zoneMax(1) == .min && z.zoneMax(2) == -8192)
        #expect(z.docs(inRange: -8200, -8190) == Array(8192...8200).map(Int32.init))
        // Multi-valued.
        let (mOpt, _) = try column { d in d % 5 == 0 ? [Int64(d), -Int64(d), 0] : [] }
        let m = try #require(mOpt)
        var vals: [Int64] = []
        m.values(10, into: &vals)
        #expect(m.isMultiValued && vals == [-10, 0, 10] && m.value(10) == -10 && !m.hasValue(11))
        #expect(m.docs(inRange: 0, 0).count == 2000 && m.docs(inRange: 9_995, 9_995) == [9995] && m.docs(inRange: 1, 4).isEmpty)
    }

    @Test(arguments: [0.0, -0.0, 1.5, -1.5, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, 1e300])
    func sortableDoubles(d: Double) {
        let l = NumericColumn.sortableLong(d)
        #expect(NumericColumn.double(fromSortable: l).bitPattern == d.bitPattern)
        for other in [0.0, -0.0, 1.5, -1.5, Double.infinity, -Double.infinity, 2e-300, -7.0] where other != d || other.sign != d.sign {
            #expect((d < other || (d == other && d.sign == .minus)) == (l < NumericColumn.sortableLong(other)))
        }
    }

    @Test func mixedKindsKeepTheFirst() throws {
        let docs = [segDoc("1", [("m", .long(5)), ("m", .keyword("five"))]),
                    segDoc("2", [("m", .text("six")), ("m", .double(6.5)), ("m", .date(7)), ("m", .bool(true))])]
        try withSegment(docs) { s in
            #expect(s.keyword("m") == nil && s.text("m") == nil)
            let m = try #require(s.numeric("m"))
            var v: [Int64] = []
            m.values(1, into: &v)
            #expect(!m.isDouble && m.value(0) == 5 && v == [1, 7])
        }
    }

    @Test func keywordPostingsBitsetsAndBlocks() throws {
        let n = 5000
        // "dense" in every 2nd doc (bitset), "sparse" every 97th (list with skip blocks), "all".
        let docs = (0..<n).map { d -> SegmentDocument in
            var f: [(String, FieldValue)] = [("k", .keyword("all"))]
            if d % 2 == 0 { f.append(("k", .keyword("dense"))) }
            if d % 97 == 5 { f.append(("k", .keyword("sparse"))) }
            if d % 3 == 0 { f.append(("t", .text("alpha beta alpha"))) }
            return segDoc("\(d)", seq: Int64(d), f)
        }
        try withSegment(docs) { s in
            let k = try #require(s.keyword("k"))
            #expect(k.isMultiValued)
            let dense = k.postings(k.ord(of: "dense")!)
            #expect(dense.isBitset && dense.count == 2500 && dense.docs() == stride(from: 0, to: Int32(n), by: 2).map { $0 })
            #expect(dense.contains(4998) && !dense.contains(4999) && !dense.contains(5000) && !dense.contains(-1))
            let sparse = k.postings(k.ord(of: "sparse")!)
            #expect(!sparse.isBitset && sparse.count == 52)
            #expect((0..<Int32(n)).filter { sparse.contains($0) } == (0..<Int32(n)).filter { $0 % 97 == 5 })
            let t = try #require(s.text("t"))
            let alpha = t.postings(t.ord(of: "alpha")!)
            #expect(alpha.count == 1667 && alpha.skipCount == 13)
            #expect(alpha.pairs.allSatisfy { $0[0] % 3 == 0 && $0[1] == 2 })
            #expect((0..<Int32(n)).filter { alpha.contains($0) } == (0..<Int32(n)).filter { $0 % 3 == 0 })
            #expect(t.fieldLength(3) == 3 && t.fieldLength(4) == 0 && t.sumFieldLength == 3 * 1667)
        }
    }

    @Test func termDictionaryOrderAndPrefixes() throws {
        // Bytewise order: uppercase < lowercase < multi-byte; composed and decomposed é differ.
        let terms = ["", "a", "ab", "abc", "abd", "b", "B", "é", "e\u{301}", "日本", "日本語", "😀", "z\u{0}x", "zz"]
            + (0..<100).map { "pre-\($0)" }
        let docs = terms.enumerated().map { i, t in segDoc("\(i)", [("k", .keyword(t))]) }
        try withSegment(docs) { s in
            let k = try #require(s.keyword("k"))
            let expected = terms.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            #expect(k.termCount == terms.count)
            #expect((0..<k.termCount).map { k.term($0) }.map { Array($0.utf8) } == expected.map { Array($0.utf8) })
            for (i, t) in expected.enumerated() { #expect(k.ord(of: t) == i) }
            #expect(k.ord(of: "aa") == nil && k.ord(of: "zzz") == nil && k.ord(of: "e") == nil)
            func check(_ prefix: String) {
                let want = expected.indices.filter { Array(expected[$0].utf8).starts(with: Array(prefix.utf8)) }
                let got = k.ords(startingWith: prefix)
                #expect(Array(got) == want, "prefix \(prefix)")
            }
            for p in ["", "a", "ab", "abc", "abcd", "b", "pre-", "pre-1", "pre-99", "日", "e", "é", "z", "zz", "\u{0}", "~"] { check(p) }
            // One term per doc: single-valued ordinals.
            #expect(!k.isMultiValued && k.firstOrd(0) == Int32(expected.firstIndex(of: "")!))
        }
    }

    @Test func analyzer() {
        #expect(StandardAnalyzer.tokens("Hello, World! It's 2024-11-20") == ["hello", "world", "it", "s", "2024", "11", "20"])
        #expect(StandardAnalyzer.tokens("ÉCOLE naïve Straße café") == ["école", "naïve", "straße", "café"])
        #expect(StandardAnalyzer.tokens("cafe\u{301} ok") == ["cafe\u{301}", "ok"])
        #expect(StandardAnalyzer.tokens("日本語テキスト ひらがな") == ["日", "本", "語", "テキスト", "ひ", "ら", "が", "な"])
        #expect(StandardAnalyzer.tokens("  --  ") == [] && StandardAnalyzer.tokens("") == [])
        #expect(StandardAnalyzer.tokens("user_id=42;x.y") == ["user", "id", "42", "x", "y"])
        #expect(StandardAnalyzer.tokens("Ωmega ٣٤ x²") == ["ωmega", "٣٤", "x²"])
        let long = String(repeating: "a", count: 600)
        #expect(StandardAnalyzer.tokens(long).map(\.count) == [255, 255, 90])
    }
}

func withSegmentTempDirAsync(_ body: (String) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segtest-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await body(dir)
}

/// SplitMix64, seedable, for reproducible segment tests.
struct SegmentRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
