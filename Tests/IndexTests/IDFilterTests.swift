import Testing
@testable import Index

/// The in-memory `_id` Bloom filter: never a false negative (a write must find the copy it
/// replaces), and rare false positives (which only cost the dictionary search it saves).
@Suite struct IDFilterTests {
    @Test func noFalseNegativesAndFewFalsePositives() {
        let ids = (0..<20_000).map { "evt-\($0 &* 2_654_435_761 % 1_000_003)-\($0)" }
        let filter = IDFilter(count: ids.count) { add in
            for id in ids { var s = id; s.withUTF8 { add(UnsafeRawBufferPointer($0)) } }
        }
        func contains(_ id: String) -> Bool { var s = id; return s.withUTF8 { filter.mayContain(UnsafeRawBufferPointer($0)) } }
        #expect(ids.allSatisfy(contains))
        let absent = (0..<20_000).map { "other-\($0)" }
        let falsePositives = absent.filter(contains).count
        #expect(falsePositives < 400, "false positive rate \(falsePositives) / 20000")
    }

    @Test func segmentLookupsAgreeWithTheDictionaryAcrossDuplicates() throws {
        // Non-base64 ids (dictionary mode), an id stored twice (the newer copy wins), and misses.
        var docs: [SegmentDocument] = []
        for i in 0..<1_000 { docs.append(segDoc("session-\(i)", seq: Int64(i))) }
        docs.append(segDoc("session-7", seq: 5_000, version: 2))
        try withSegment(docs) { seg in
            for i in 0..<1_000 {
                let d = try #require(seg.docID(for: "session-\(i)"))
                #expect(seg.id(of: d) == "session-\(i)")
            }
            #expect(seg.version(of: try #require(seg.docID(for: "session-7"))) == 2)
            for i in 1_000..<3_000 { #expect(seg.docID(for: "session-\(i)") == nil) }
            #expect(seg.docID(for: "") == nil)
        }
    }
}
