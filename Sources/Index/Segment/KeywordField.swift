import Storage
/// A keyword (or ip) field of one segment: its sorted term dictionary, per-doc ordinals for
/// sorting and aggregations, and postings for filters.
///
/// Byte layout of a keyword section (8-byte aligned; offsets relative to the section start):
/// ```
/// 0   u64 termCount
/// 8   u64 docsWithField
/// 16  u64 ordCount            number of (doc, ordinal) pairs
/// 24  u8  flags               1 = multi-valued
/// 25  u8  ordBits             bits per ordinal entry
/// 26  u8  offsetsBits         multi-valued: bits per ordinal offset, else 0
/// 27  u8  postingsIndexBits   bits per postings offset
/// 28  4 bytes zero
/// 32  u64 dictOffset          `TermDictionary`
/// 40  u64 ordsOffset          `PackedInts` of ordBits: single-valued: docCount entries of
///                             ordinal + 1 (0 = no value); multi-valued: ordCount ordinals, each
///                             doc's ascending and distinct
/// 48  u64 offsetsOffset       multi-valued: `PackedInts` of docCount + 1 offsets into the ordinals
/// 56  u64 postingsIndexOffset `PackedInts` of termCount + 1 offsets of each term's record in the
///                             postings data
/// 64  u64 postingsOffset      `Postings` records without frequencies, by ordinal
/// 72  u64 postingsLength
/// ```
public struct KeywordField: @unchecked Sendable {  // pointers into `owner`'s immutable mapping
    @usableFromInline let owner: SegmentMapping
    @usableFromInline let docCount: Int
    let dictionary: TermDictionary
    @usableFromInline let ordinals: PackedInts
    @usableFromInline let offsets: PackedInts
    @usableFromInline let postingsIndex: PackedInts
    @usableFromInline let postingsData: UnsafeRawPointer

    public let termCount: Int
    public let isMultiValued: Bool
    public let docsWithField: Int

    init(_ c: SegmentCursor, owner: SegmentMapping, docCount: Int) throws(StorageError) {
        self.owner = owner
        self.docCount = docCount
        termCount = try c.int(0)
        docsWithField = try c.int(8)
        let ordCount = try c.int(16)
        isMultiValued = try c.u8(24) & 1 != 0
        let ordBits = try c.bits(25), offsetsBits = try c.bits(26), indexBits = try c.bits(27)
        guard docsWithField <= docCount, termCount < Int(Int32.max) else { throw c.fail("bad keyword header") }
        dictionary = try TermDictionary(c, at: try c.int(32))
        guard dictionary.termCount == termCount else { throw c.fail("keyword dictionary size mismatch") }
        if isMultiValued {
            ordinals = try c.packedInts(try c.int(40), count: ordCount, bits: ordBits)
            offsets = try c.packedInts(try c.int(48), count: docCount + 1, bits: offsetsBits)
            guard offsets[docCount] == UInt64(ordCount) else { throw c.fail("bad ordinal offsets") }
        } else {
            ordinals = try c.packedInts(try c.int(40), count: docCount, bits: ordBits)
            offsets = PackedInts(base: ordinals.base, bits: 0)
        }
        let postingsLength = try c.int(72)
        postingsIndex = try c.packedInts(try c.int(56), count: termCount + 1, bits: indexBits)
        postingsData = try c.pointer(try c.int(64), postingsLength)
        guard postingsIndex[termCount] == UInt64(postingsLength) else { throw c.fail("bad postings index") }
        for o in 0..<termCount where postingsIndex[o] > postingsIndex[o + 1] { throw c.fail("bad postings index") }
    }

    /// Term `ord` (terms sorted by UTF-8 bytes).
    public func term(_ ord: Int) -> String { dictionary.term(ord) }

    /// A cursor reading term bytes without allocating (fast in ascending ordinal order).
    public func termCursor() -> TermDictionary.Cursor { dictionary.cursor() }

    /// The ordinal of `term`, if some doc has it.
    public func ord(of term: String) -> Int? { dictionary.ord(of: Array(term.utf8)) }

    /// The ordinals of the terms starting with `prefix` (empty range if none).
    public func ords(startingWith prefix: String) -> Range<Int> { dictionary.ords(startingWith: Array(prefix.utf8)) }

    /// The first ordinal whose term is ≥ `term` (for range queries on keywords).
    public func lowerBound(_ term: String) -> Int { dictionary.lowerBound(Array(term.utf8)) }

    /// The docs containing term `ord`.
    public func postings(_ ord: Int) -> Postings {
        precondition(ord >= 0 && ord < termCount, "term ordinal \(ord) out of range 0..<\(termCount)")
        return Postings(owner: owner, record: postingsData + Int(postingsIndex[ord]), hasFreqs: false, docCount: docCount)
    }

    /// Replaces `into`'s contents with the doc's ordinals, ascending.
    @inlinable
    public func docOrds(_ doc: Int32, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        let d = Int(doc)
        if isMultiValued {
            for i in Int(offsets[d])..<Int(offsets[d &+ 1]) { out.append(Int32(truncatingIfNeeded: ordinals[i])) }
        } else {
            let o = ordinals[d]
            if o > 0 { out.append(Int32(truncatingIfNeeded: o &- 1)) }
        }
    }

    /// The doc's smallest ordinal, or −1 when it has none.
    @inlinable @inline(__always)
    public func firstOrd(_ doc: Int32) -> Int32 {
        let d = Int(doc)
        if isMultiValued {
            let from = offsets[d]
            return from < offsets[d &+ 1] ? Int32(truncatingIfNeeded: ordinals[Int(from)]) : -1
        }
        return Int32(truncatingIfNeeded: Int64(ordinals[d]) &- 1)
    }
}
