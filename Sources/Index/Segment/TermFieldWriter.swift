/// Term bytes as a dictionary key: hashed in one call, compared bytewise (never Unicode-aware,
/// so canonically equivalent spellings stay distinct terms).
struct TermKey: Hashable {
    let bytes: [UInt8]

    func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }

    static func == (a: TermKey, b: TermKey) -> Bool { a.bytes == b.bytes }
}

/// Bytewise order of byte strings (memcmp, then length).
@inline(__always)
func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.withUnsafeBytes { x in b.withUnsafeBytes { y in TermDictionary.compare(x, y) < 0 } }
}

/// Collects `(doc, term)` occurrences of one keyword or text field while a segment is written.
/// Docs must be added in ascending order; a term may occur several times per doc.
struct TermAccumulator {
    /// ASCII terms by String (fast hashing, and no canonical equivalence can merge two of them);
    /// all other terms by their bytes.
    var asciiIDs: [String: Int32] = [:]
    var otherIDs: [TermKey: Int32] = [:]
    var terms: [[UInt8]] = []
    var docs: [Int32] = []
    var termIDs: [Int32] = []

    mutating func add(doc: Int32, term: String) {
        let id: Int32
        if term.utf8.allSatisfy({ $0 < 0x80 }) {
            if let existing = asciiIDs[term] {
                id = existing
            } else {
                id = Int32(terms.count)
                asciiIDs[term] = id
                terms.append(Array(term.utf8))
            }
        } else {
            let key = TermKey(bytes: Array(term.utf8))
            if let existing = otherIDs[key] {
                id = existing
            } else {
                id = Int32(terms.count)
                otherIDs[key] = id
                terms.append(key.bytes)
            }
        }
        docs.append(doc)
        termIDs.append(id)
    }

    /// Terms sorted by bytes, the ordinal of every temporary term id, and the occurrences
    /// grouped by ordinal (docs ascending, duplicates kept): `postingDocs[postingStart[o]..<postingStart[o+1]]`.
    func sortedIndex() -> (terms: [[UInt8]], ordOf: [Int32], postingStart: [Int], postingDocs: [Int32]) {
        let order = terms.indices.sorted { bytesPrecede(terms[$0], terms[$1]) }
        var ordOf = [Int32](repeating: 0, count: terms.count)
        for (ord, id) in order.enumerated() { ordOf[id] = Int32(ord) }
        var start = [Int](repeating: 0, count: terms.count + 1)
        for id in termIDs { start[Int(ordOf[Int(id)]) + 1] += 1 }
        for o in 0..<terms.count { start[o + 1] += start[o] }
        var fill = start
        var postingDocs = [Int32](repeating: 0, count: docs.count)
        for (doc, id) in zip(docs, termIDs) {
            let o = Int(ordOf[Int(id)])
            postingDocs[fill[o]] = doc
            fill[o] += 1
        }
        return (order.map { terms[$0] }, ordOf, start, postingDocs)
    }
}

/// Encodes keyword and text sections (see `KeywordField` and `TextField` for the byte layouts).
enum TermFieldWriter {
    static func writeKeyword(_ acc: TermAccumulator, docCount: Int, into out: inout SegmentBuffer) {
        let start = out.count
        precondition(start & 7 == 0)
        let (terms, ordOf, postingStart, postingDocs) = acc.sortedIndex()
        // Per-doc distinct ordinals, ascending.
        var docStart = [Int](repeating: 0, count: docCount + 1)
        var ords: [UInt32] = []
        ords.reserveCapacity(acc.docs.count)
        var docsWithField = 0
        var multi = false
        var i = 0
        var scratch: [UInt32] = []
        for d in 0..<docCount {
            scratch.removeAll(keepingCapacity: true)
            while i < acc.docs.count && Int(acc.docs[i]) == d {
                scratch.append(UInt32(ordOf[Int(acc.termIDs[i])]))
                i += 1
            }
            if scratch.count > 1 {
                scratch.sort()
                var w = 1
                for r in 1..<scratch.count where scratch[r] != scratch[w - 1] { scratch[w] = scratch[r]; w += 1 }
                scratch.removeLast(scratch.count - w)
            }
            if !scratch.isEmpty { docsWithField += 1 }
            if scratch.count > 1 { multi = true }
            ords.append(contentsOf: scratch)
            docStart[d + 1] = ords.count
        }
        let ordBits = PackedInts.bitsRequired(UInt64(multi ? max(terms.count - 1, 0) : terms.count))

        var postings = SegmentBuffer()
        var postingOffsets: [UInt64] = [0]
        postingOffsets.reserveCapacity(terms.count + 1)
        var docs: [Int32] = []
        for o in 0..<terms.count {
            docs.removeAll(keepingCapacity: true)
            for d in postingDocs[postingStart[o]..<postingStart[o + 1]] where docs.last != d { docs.append(d) }
            PostingsWriter.write(docs: docs[...], freqs: nil, docCount: docCount, into: &postings)
            postingOffsets.append(UInt64(postings.count))
        }

        out.u64(UInt64(terms.count)); out.u64(UInt64(docsWithField)); out.u64(UInt64(ords.count))
        let offsetsBits = multi ? PackedInts.bitsRequired(UInt64(ords.count)) : 0
        out.u8(multi ? 1 : 0); out.u8(UInt8(ordBits)); out.u8(UInt8(offsetsBits))
        out.u8(UInt8(PackedInts.bitsRequired(UInt64(postings.count))))
        for _ in 0..<4 { out.u8(0) }
        let slots = out.count
        for _ in 0..<6 { out.u64(0) }

        out.patch(UInt64(out.count - start), at: slots)
        TermDictionary.write(terms, into: &out)
        out.patch(UInt64(out.count - start), at: slots + 8)
        if multi {
            out.packedInts(ords.lazy.map { UInt64($0) }, bits: ordBits)
            out.patch(UInt64(out.count - start), at: slots + 16)
            out.packedInts(docStart.lazy.map { UInt64($0) }, bits: offsetsBits)
        } else {
            out.packedInts((0..<docCount).lazy.map { d in docStart[d + 1] > docStart[d] ? UInt64(ords[docStart[d]]) + 1 : 0 }, bits: ordBits)
        }
        writePostings(postings, offsets: postingOffsets, slots: slots + 24, start: start, into: &out)
    }

    static func writeText(_ acc: TermAccumulator, docCount: Int, into out: inout SegmentBuffer) {
        let start = out.count
        precondition(start & 7 == 0)
        let (terms, _, postingStart, postingDocs) = acc.sortedIndex()
        var lengths = [UInt64](repeating: 0, count: docCount)
        for d in acc.docs { lengths[Int(d)] += 1 }
        let docsWithField = lengths.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let sum = lengths.reduce(0, +)
        let lengthBits = PackedInts.bitsRequired(lengths.max() ?? 0)

        var postings = SegmentBuffer()
        var postingOffsets: [UInt64] = [0]
        postingOffsets.reserveCapacity(terms.count + 1)
        var docs: [Int32] = [], freqs: [Int32] = []
        for o in 0..<terms.count {
            docs.removeAll(keepingCapacity: true)
            freqs.removeAll(keepingCapacity: true)
            for d in postingDocs[postingStart[o]..<postingStart[o + 1]] {
                if docs.last == d { freqs[freqs.count - 1] += 1 } else { docs.append(d); freqs.append(1) }
            }
            PostingsWriter.write(docs: docs[...], freqs: freqs[...], docCount: docCount, into: &postings)
            postingOffsets.append(UInt64(postings.count))
        }
        out.u64(UInt64(terms.count)); out.u64(UInt64(docsWithField)); out.u64(sum)
        out.u8(UInt8(lengthBits)); out.u8(UInt8(PackedInts.bitsRequired(UInt64(postings.count))))
        for _ in 0..<6 { out.u8(0) }
        let slots = out.count
        for _ in 0..<5 { out.u64(0) }

        out.patch(UInt64(out.count - start), at: slots)
        TermDictionary.write(terms, into: &out)
        out.patch(UInt64(out.count - start), at: slots + 8)
        out.packedInts(lengths, bits: lengthBits)
        writePostings(postings, offsets: postingOffsets, slots: slots + 16, start: start, into: &out)
    }

    /// Writes the postings index and data and patches their offsets (index, data, length) at `slots`.
    private static func writePostings(_ postings: SegmentBuffer, offsets: [UInt64], slots: Int, start: Int,
                                      into out: inout SegmentBuffer) {
        out.patch(UInt64(out.count - start), at: slots)
        out.packedInts(offsets, bits: PackedInts.bitsRequired(offsets.last ?? 0))
        out.patch(UInt64(out.count - start), at: slots + 8)
        out.append(postings.bytes)
        out.align()
        out.patch(UInt64(postings.count), at: slots + 16)
    }
}
