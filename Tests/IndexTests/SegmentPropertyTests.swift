import Foundation
import Testing
@testable import Index

/// Random segments checked accessor by accessor against a brute-force in-memory reference.
@Suite struct SegmentPropertyTests {
    enum Kind: Equatable { case integer, double, keyword, text }

    /// What a segment should answer, computed the obvious way.
    struct Reference {
        var kinds: [String: Kind] = [:]
        var numeric: [String: [[Int64]]] = [:]     // per doc, ascending
        var keyword: [String: [[[UInt8]]]] = [:]   // per doc, distinct terms
        var text: [String: [[[UInt8]]]] = [:]      // per doc, tokens in order

        init(_ docs: [SegmentDocument]) {
            for (d, doc) in docs.enumerated() {
                for (path, value) in doc.fields {
                    let kind: Kind
                    switch value {
                    case .long, .date, .bool: kind = .integer
                    case .double: kind = .double
                    case .keyword, .ip: kind = .keyword
                    case .text: kind = .text
                    }
                    if let k = kinds[path], k != kind { continue }
                    kinds[path] = kind
                    switch value {
                    case .long(let v), .date(let v): numeric[path, default: Array(repeating: [], count: docs.count)][d].append(v)
                    case .bool(let b): numeric[path, default: Array(repeating: [], count: docs.count)][d].append(b ? 1 : 0)
                    case .double(let x): numeric[path, default: Array(repeating: [], count: docs.count)][d].append(NumericColumn.sortableLong(x))
                    case .keyword(let s), .ip(let s):
                        var list = keyword[path, default: Array(repeating: [], count: docs.count)]
                        if !list[d].contains(Array(s.utf8)) { list[d].append(Array(s.utf8)) }
                        keyword[path] = list
                    case .text(let s):
                        text[path, default: Array(repeating: [], count: docs.count)][d] += StandardAnalyzer.tokens(s).map { Array($0.utf8) }
                    }
                }
            }
            for (k, v) in numeric { numeric[k] = v.map { $0.sorted() } }
        }
    }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

    // MARK: generation

    static let words = ["alpha", "Beta", "gamma", "δέλτα", "café", "cafe\u{301}", "日本", "x", "", "naïve", "ZZ", "a-b", "it's",
                        "😀", "123", "0.5", "über", "Straße", "k\u{0}z", "pre", "prefix", "prefixes"]

    static func randomString(_ rng: inout SegmentRNG, maxLength: Int = 12) -> String {
        let alphabet = Array("abcxyzAZ09-_. é日😀ß")
        return String((0..<Int.random(in: 0...maxLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func base64ID(_ rng: inout SegmentRNG) -> String {
        String((0..<20).map { _ in SegmentIDs.alphabet.map { Character(UnicodeScalar($0)) }.randomElement(using: &rng)! })
    }

    static func generate(seed: UInt64, docCount: Int) -> [SegmentDocument] {
        var rng = SegmentRNG(seed: seed)
        let idMode = seed % 3
        let missing = [0.0, 0.3, 0.9]
        var p: [String: (missing: Double, multi: Double)] = [:]
        for f in ["n.small", "n.gcd", "n.wide", "n.table", "n.sorted", "n.double", "n.date", "n.bool", "n.linear",
                  "k.low", "k.high", "k.ip", "t.msg", "mixed"] {
            p[f] = (missing.randomElement(using: &rng)!, f == "n.sorted" || f == "n.linear" ? 0 : [0.0, 0.0, 0.25].randomElement(using: &rng)!)
        }
        let spread: [Int64] = [-4_000_000_000_000, 17, 9_999_999_999, .max, .min]
        var sortedValue = Int64.random(in: -1000...1000, using: &rng)
        var docs: [SegmentDocument] = []
        var ids: [String] = []
        for d in 0..<docCount {
            var id: String
            switch idMode {
            case 0: id = base64ID(&rng)
            case 1: id = randomString(&rng, maxLength: 6) + "#\(Int.random(in: 0..<docCount * 2 + 1, using: &rng))"
            default: id = String(format: "%08d", d * 3)
            }
            if !ids.isEmpty && Int.random(in: 0..<20, using: &rng) == 0 { id = ids.randomElement(using: &rng)! }  // duplicates
            ids.append(id)
            var fields: [(path: String, value: FieldValue)] = []
            func add(_ f: String, _ make: (inout SegmentRNG) -> FieldValue) {
                let (miss, multi) = p[f]!
                if Double.random(in: 0..<1, using: &rng) < miss { return }
                let n = Double.random(in: 0..<1, using: &rng) < multi ? Int.random(in: 1...4, using: &rng) : 1
                for _ in 0..<n { fields.append((f, make(&rng))) }
            }
            add("n.small") { .long(Int64.random(in: -5...5, using: &$0)) }
            add("n.gcd") { .long(Int64.random(in: 0...400, using: &$0) * 1000 + 1_000_000_000) }
            add("n.wide") { r in .long(Bool.random(using: &r) ? Int64.random(in: .min ... .max, using: &r) : [Int64.min, .max, 0, -1].randomElement(using: &r)!) }
            add("n.table") { .long(spread.randomElement(using: &$0)!) }
            add("n.sorted") { r in sortedValue += Int64.random(in: 0...3, using: &r); return .long(sortedValue) }
            add("n.double") { r in
                .double([Double.random(in: -1e6...1e6, using: &r), 0.0, -0.0, .infinity, -.infinity, 1.5, -1.5].randomElement(using: &r)!)
            }
            add("n.date") { .date(1_795_000_000_000 + Int64.random(in: 0..<86_400_000, using: &$0)) }
            add("n.bool") { .bool(Bool.random(using: &$0)) }
            add("n.linear") { _ in .long(Int64(d) * 5 - 700) }
            add("k.low") { .keyword(words.randomElement(using: &$0)!) }
            add("k.high") { .keyword(randomString(&$0)) }
            add("k.ip") { .ip("10.0.\(Int.random(in: 0...3, using: &$0)).\(Int.random(in: 0...255, using: &$0))") }
            add("t.msg") { r in
                .text((0..<Int.random(in: 0...8, using: &r)).map { _ in words.randomElement(using: &r)! }.joined(separator: [" ", ", ", "! ", "-"].randomElement(using: &r)!))
            }
            add("mixed") { r in [FieldValue.long(3), .keyword("three"), .text("three 3"), .double(3.5)].randomElement(using: &r)! }
            fields.shuffle(using: &rng)
            let routing: String? = seed % 2 == 0 && Bool.random(using: &rng) ? "r\(Int.random(in: 0..<5, using: &rng))" : nil
            let source = Array("{\"doc\":\(d),\"r\":\"\(randomString(&rng, maxLength: 40))\"}".utf8)
            docs.append(SegmentDocument(id: id, source: d % 13 == 5 ? [] : source, seqNo: Int64(d) * 2 + Int64(seed),
                                        version: Int64.random(in: 1...3, using: &rng), primaryTerm: 1 + Int64(d / 100),
                                        routing: routing, fields: fields))
        }
        return docs
    }

    // MARK: checks

    @Test(arguments: [(UInt64(1), 0), (2, 1), (3, 37), (4, 150), (5, 300), (6, 420), (7, 256), (8, 9_000), (9, 5_000)])
    func matchesReference(seed: UInt64, docCount: Int) throws {
        let docs = Self.generate(seed: seed, docCount: docCount)
        let ref = Reference(docs)
        var rng = SegmentRNG(seed: seed &* 7919)
        try withSegment(docs) { s in
            #expect(s.docCount == docCount)
            #expect(s.fieldNames == ref.kinds.keys.sorted())
            checkMetadata(s, docs, &rng)
            for (field, kind) in ref.kinds {
                switch kind {
                case .integer, .double: try checkNumeric(s, field, ref.numeric[field]!, isDouble: kind == .double, &rng)
                case .keyword: try checkKeyword(s, field, ref.keyword[field]!, &rng)
                case .text: try checkText(s, field, ref.text[field] ?? Array(repeating: [], count: docCount), &rng)
                }
            }
        }
    }

    /// `_source` and the other sections are built on two threads for large segments; the file
    /// must be byte for byte the one a single thread writes.
    @Test(arguments: [(UInt64(11), 1), (12, 300), (13, 9_000)])
    func parallelSerializationIsByteIdentical(seed: UInt64, docCount: Int) throws {
        let docs = Self.generate(seed: seed, docCount: docCount)
        let sequential = try SegmentWriter.serialize(docs, parallelAbove: Int.max)
        let parallel = try SegmentWriter.serialize(docs, parallelAbove: 0)
        #expect(sequential.count == parallel.count)
        #expect(sequential == parallel)
    }

    func checkMetadata(_ s: Segment, _ docs: [SegmentDocument], _ rng: inout SegmentRNG) {
        var newest: [[UInt8]: Int] = [:]
        for (d, doc) in docs.enumerated() { newest[Array(doc.id.utf8)] = d }
        var failures = 0
        for (d, doc) in docs.enumerated() {
            let doc32 = Int32(d)
            if s.id(of: doc32).utf8.elementsEqual(doc.id.utf8) == false { failures += 1 }
            if s.docID(for: doc.id) != Int32(newest[Array(doc.id.utf8)]!) { failures += 1 }
            if s.source(of: doc32) != doc.source { failures += 1 }
            if s.seqNo(of: doc32) != doc.seqNo || s.version(of: doc32) != doc.version || s.primaryTerm(of: doc32) != doc.primaryTerm { failures += 1 }
            if s.routing(of: doc32) != doc.routing { failures += 1 }
        }
        #expect(failures == 0)
        for _ in 0..<50 {
            let probe = [Self.randomString(&rng), Self.base64ID(&rng)].randomElement(using: &rng)!
            if newest[Array(probe.utf8)] == nil { #expect(s.docID(for: probe) == nil) }
        }
    }

    func checkNumeric(_ s: Segment, _ field: String, _ expected: [[Int64]], isDouble: Bool, _ rng: inout SegmentRNG) throws {
        let c = try #require(s.numeric(field))
        let all = expected.flatMap { $0 }
        #expect(c.isDouble == isDouble)
        #expect(c.minValue == all.min()! && c.maxValue == all.max()!)
        #expect(c.isMultiValued == expected.contains { $0.count > 1 })
        let present = all.count == expected.filter { !$0.isEmpty }.count ? expected.compactMap(\.first) : []
        let sorted = !c.isMultiValued && zip(present, present.dropFirst()).allSatisfy { $0 <= $1 }
        #expect(c.sorted == sorted)
        #expect(c.docsWithValue == expected.filter { !$0.isEmpty }.count && c.valueCount == all.count)
        var values: [Int64] = [123]
        var failures = 0
        for (d, want) in expected.enumerated() {
            let doc = Int32(d)
            if c.hasValue(doc) != !want.isEmpty { failures += 1 }
            if let first = want.first, c.value(doc) != first { failures += 1 }
            c.values(doc, into: &values)
            if values != want { failures += 1 }
        }
        #expect(failures == 0, "\(field): \(failures) per-doc mismatches")
        for b in 0..<c.zoneCount {
            let zone = expected[(b * 4096)..<min(expected.count, (b + 1) * 4096)].flatMap { $0 }
            #expect(c.zoneMin(b) == (zone.min() ?? .max) && c.zoneMax(b) == (zone.max() ?? .min))
        }
        // Ranges: around real values, random, full, inverted.
        var ranges: [(Int64, Int64)] = [(.min, .max), (c.minValue, c.minValue), (c.maxValue, c.maxValue), (5, 4), (.max, .max), (.min, .min)]
        for _ in 0..<30 {
            let a = all.randomElement(using: &rng)!, b = all.randomElement(using: &rng)!
            ranges.append((min(a, b), max(a, b)))
            ranges.append((a, a))
            ranges.append((a &+ 1, a &+ Int64.random(in: 0...1000, using: &rng)))
            let x = Int64.random(in: .min ... .max, using: &rng), y = Int64.random(in: .min ... .max, using: &rng)
            ranges.append((min(x, y), max(x, y)))
        }
        for (lo, hi) in ranges {
            let want = expected.indices.filter { d in expected[d].contains { $0 >= lo && $0 <= hi } }.map(Int32.init)
            let got = c.docs(inRange: lo, hi)
            #expect(got == want, "\(field) range [\(lo), \(hi)]")
        }
    }

    /// Shared checks of a term dictionary and postings; `postings[o]` are the expected (doc, freq).
    func checkTerms(_ field: String, termCount: Int, term: (Int) -> String, ord: (String) -> Int?, prefix: (String) -> Range<Int>,
                    postings: (Int) -> Postings, expectedTerms: [[UInt8]], expectedPostings: [[[Int32]]], docCount: Int,
                    _ rng: inout SegmentRNG) {
        #expect(termCount == expectedTerms.count)
        guard termCount == expectedTerms.count else { return }
        var failures = 0
        for (o, t) in expectedTerms.enumerated() {
            if Array(term(o).utf8) != t { failures += 1 }
            if ord(String(decoding: t, as: UTF8.self)) != o { failures += 1 }
            let p = postings(o)
            if p.count != expectedPostings[o].count || p.pairs != expectedPostings[o] { failures += 1 }
            if p.docs() != expectedPostings[o].map({ $0[0] }) { failures += 1 }
            // contains: every posting, and a sample of other docs
            let set = Set(expectedPostings[o].map { $0[0] })
            for d in set where !p.contains(d) { failures += 1 }
            for _ in 0..<min(docCount, 40) {
                let d = Int32.random(in: -1...Int32(docCount), using: &rng)
                if p.contains(d) != set.contains(d) { failures += 1 }
            }
        }
        #expect(failures == 0, "\(field): \(failures) term/postings mismatches")
        var probes = ["", "zzzz", "\u{10FFFF}", "a", "pre", "é", "e", "日", "😀"]
        for _ in 0..<20 {
            if let t = expectedTerms.randomElement(using: &rng) {
                probes.append(String(decoding: t.prefix(Int.random(in: 0...t.count, using: &rng)), as: UTF8.self))
            }
            probes.append(Self.randomString(&rng, maxLength: 3))
        }
        for p in probes {
            let bytes = Array(p.utf8)
            let want = expectedTerms.indices.filter { expectedTerms[$0].starts(with: bytes) }
            let got = prefix(p)
            #expect(Array(got) == want, "\(field) prefix \(p.debugDescription)")
            if !expectedTerms.contains(bytes) { #expect(ord(p) == nil) }
        }
    }

    func checkKeyword(_ s: Segment, _ field: String, _ expected: [[[UInt8]]], _ rng: inout SegmentRNG) throws {
        let k = try #require(s.keyword(field))
        let terms = Array(Set(expected.flatMap { $0 })).sorted(by: Self.less)
        let ordOf = Dictionary(uniqueKeysWithValues: terms.enumerated().map { ($1, $0) })
        var postings = [[[Int32]]](repeating: [], count: terms.count)
        let docOrds = expected.map { $0.map { Int32(ordOf[$0]!) }.sorted() }
        for (d, ords) in docOrds.enumerated() { for o in ords { postings[Int(o)].append([Int32(d), 1]) } }
        #expect(k.isMultiValued == expected.contains { $0.count > 1 })
        #expect(k.docsWithField == expected.filter { !$0.isEmpty }.count)
        checkTerms(field, termCount: k.termCount, term: k.term, ord: k.ord(of:), prefix: k.ords(startingWith:), postings: k.postings,
                   expectedTerms: terms, expectedPostings: postings, docCount: expected.count, &rng)
        var got: [Int32] = [7]
        var failures = 0
        for (d, want) in docOrds.enumerated() {
            k.docOrds(Int32(d), into: &got)
            if got != want { failures += 1 }
            if k.firstOrd(Int32(d)) != (want.first ?? -1) { failures += 1 }
        }
        #expect(failures == 0, "\(field): \(failures) ordinal mismatches")
    }

    func checkText(_ s: Segment, _ field: String, _ expected: [[[UInt8]]], _ rng: inout SegmentRNG) throws {
        let t = try #require(s.text(field))
        let terms = Array(Set(expected.flatMap { $0 })).sorted(by: Self.less)
        var postings: [[[Int32]]] = []
        for term in terms {
            postings.append(expected.enumerated().compactMap { d, tokens in
                let f = tokens.filter { $0 == term }.count
                return f > 0 ? [Int32(d), Int32(f)] : nil
            })
        }
        checkTerms(field, termCount: t.termCount, term: t.term, ord: t.ord(of:), prefix: t.ords(startingWith:), postings: t.postings,
                   expectedTerms: terms, expectedPostings: postings, docCount: expected.count, &rng)
        #expect(t.docsWithField == expected.filter { !$0.isEmpty }.count)
        #expect(t.sumFieldLength == Int64(expected.reduce(0) { $0 + $1.count }))
        #expect(expected.indices.allSatisfy { t.fieldLength(Int32($0)) == Int32(expected[$0].count) })
    }
}
