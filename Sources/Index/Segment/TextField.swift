import Storage
/// An analyzed text field of one segment: terms produced by `StandardAnalyzer`, postings with
/// term frequencies, and per-doc token counts for BM25 length normalisation.
///
/// Byte layout of a text section (8-byte aligned; offsets relative to the section start):
/// ```
/// 0   u64 termCount
/// 8   u64 docsWithField       docs with at least one token in the field
/// 16  i64 sumFieldLength      tokens over all docs
/// 24  u8  lengthBits          bits per field length
/// 25  u8  postingsIndexBits   bits per postings offset
/// 26  6 bytes zero
/// 32  u64 dictOffset          `TermDictionary`
/// 40  u64 lengthsOffset       `PackedInts`: docCount token counts (exact, not Lucene's lossy byte norms)
/// 48  u64 postingsIndexOffset `PackedInts` of termCount + 1 offsets of each term's record in the
///                             postings data
/// 56  u64 postingsOffset      `Postings` records with frequencies, by ordinal
/// 64  u64 postingsLength
/// ```
/// Positions are not stored (no phrase queries yet).
public struct TextField: @unchecked Sendable {  // pointers into `owner`'s immutable mapping
    let owner: SegmentMapping
    let docCount: Int
    let dictionary: TermDictionary
    @usableFromInline let lengths: PackedInts
    let postingsIndex: PackedInts
    let postingsData: UnsafeRawPointer

    public let termCount: Int
    public let docsWithField: Int
    public let sumFieldLength: Int64

    init(_ c: SegmentCursor, owner: SegmentMapping, docCount: Int) throws(StorageError) {
        self.owner = owner
        self.docCount = docCount
        termCount = try c.int(0)
        docsWithField = try c.int(8)
        sumFieldLength = try c.i64(16)
        let lengthBits = try c.bits(24), indexBits = try c.bits(25)
        guard docsWithField <= docCount else { throw c.fail("bad text header") }
        dictionary = try TermDictionary(c, at: try c.int(32))
        guard dictionary.termCount == termCount else { throw c.fail("text dictionary size mismatch") }
        lengths = try c.packedInts(try c.int(40), count: docCount, bits: lengthBits)
        let postingsLength = try c.int(64)
        postingsIndex = try c.packedInts(try c.int(48), count: termCount + 1, bits: indexBits)
        postingsData = try c.pointer(try c.int(56), postingsLength)
        guard postingsIndex[termCount] == UInt64(postingsLength) else { throw c.fail("bad postings index") }
        for o in 0..<termCount where postingsIndex[o] > postingsIndex[o + 1] { throw c.fail("bad postings index") }
    }

    public func term(_ ord: Int) -> String { dictionary.term(ord) }

    public func ord(of term: String) -> Int? { dictionary.ord(of: Array(term.utf8)) }

    public func ords(startingWith prefix: String) -> Range<Int> { dictionary.ords(startingWith: Array(prefix.utf8)) }

    /// The docs containing term `ord`, with the term's frequency in each.
    public func postings(_ ord: Int) -> Postings {
        precondition(ord >= 0 && ord < termCount, "term ordinal \(ord) out of range 0..<\(termCount)")
        return Postings(owner: owner, record: postingsData + Int(postingsIndex[ord]), hasFreqs: true, docCount: docCount)
    }

    /// Number of tokens of the doc in this field (0 if none).
    @inlinable @inline(__always)
    public func fieldLength(_ doc: Int32) -> Int32 { Int32(truncatingIfNeeded: lengths[Int(doc)]) }
}
