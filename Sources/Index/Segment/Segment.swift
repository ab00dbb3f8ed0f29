import Foundation
import Storage
import Synchronization

/// An open, memory-mapped segment file (format on `SegmentWriter`): stored documents, ids,
/// versioning metadata and the per-field indexes that queries and aggregations read.
///
/// Invariant that makes `@unchecked Sendable` sound: every stored property is immutable after
/// `init` and points into a read-only mapping of an immutable file that lives as long as this
/// object (and every view handed out, which retains it); the only mutable state, the last
/// inflated `_source` block, is guarded by a `Mutex`.
public final class Segment: @unchecked Sendable {
    public let path: String
    public let docCount: Int
    /// The indexed field paths, sorted.
    public let fieldNames: [String]

    let mapping: SegmentMapping
    let sources: SourceBlocks
    let ids: SegmentIDs
    let seqNos: NumericColumn
    let versions: NumericColumn
    let primaryTerms: NumericColumn
    let routingDictionary: TermDictionary?
    let routingOrds: PackedInts
    let numerics: [String: NumericColumn]
    let keywords: [String: KeywordField]
    let texts: [String: TextField]
    /// Directory entries by name, for introspection: (kind, offset, length).
    let sections: [(kind: UInt8, name: String, offset: Int, length: Int)]
    private let lastBlock = Mutex<DecodedSourceBlock?>(nil)
    /// Built on the first `docID(for:)` of a dictionary-mode segment.
    private let idFilter = Mutex<IDFilter?>(nil)

    /// Maps the file and verifies magic, version and the CRC-32 of the whole file; a damaged or
    /// truncated file throws `StorageError` with code `.corrupt`.
    public init(path: String) throws(StorageError) {
        self.path = path
        let m = try SegmentMapping(path: path)
        mapping = m
        let base = m.base, size = m.length
        func corrupt(_ why: String) -> StorageError { StorageError(.corrupt, "segment \(path): \(why)") }

        guard UnsafeRawBufferPointer(start: base, count: 8).elementsEqual(SegmentLayout.magic) else { throw corrupt("bad magic") }
        guard UnsafeRawBufferPointer(start: base + size - 8, count: 8).elementsEqual(SegmentLayout.endMagic) else {
            throw corrupt("bad trailing magic (truncated?)")
        }
        let version = base.u32(8)
        guard version == SegmentLayout.version else { throw corrupt("unsupported format version \(version)") }
        let tail = size - SegmentLayout.tailSize
        let storedCRC = base.u32(tail + 8)
        guard SegmentLayout.crc32(UnsafeRawBufferPointer(start: base, count: tail + 8)) == storedCRC else {
            throw corrupt("checksum mismatch")
        }
        guard base.u32(tail + 12) == 0 else { throw corrupt("bad tail") }
        let footerLength = base.u64(tail)
        guard footerLength >= 8, footerLength <= UInt64(tail - SegmentLayout.headerSize) else { throw corrupt("bad footer length") }
        let footerStart = tail - Int(footerLength)
        let count = base.u64(16)
        guard count < UInt64(Int32.max) else { throw corrupt("bad doc count") }
        docCount = Int(count)

        // Directory.
        let dir = SegmentCursor(base: base, start: footerStart, end: tail, what: "directory")
        let entryCount = try dir.int(0)
        var pos = 8
        var sections: [(kind: UInt8, name: String, offset: Int, length: Int)] = []
        for _ in 0..<entryCount {
            let kind = try dir.u8(pos)
            try dir.check(pos + 2, 2)
            let nameLength = Int(base.u16(footerStart + pos + 2))
            let name = String(decoding: UnsafeRawBufferPointer(start: try dir.pointer(pos + 4, nameLength), count: nameLength), as: UTF8.self)
            pos += 4 + nameLength
            let offset = try dir.int(pos), length = try dir.int(pos + 8)
            pos += 32
            guard offset >= SegmentLayout.headerSize, offset & 7 == 0, length <= footerStart - offset else {
                throw corrupt("section \(name) out of bounds")
            }
            sections.append((kind, name, offset, length))
        }
        self.sections = sections
        func cursor(_ kind: UInt8) throws(StorageError) -> SegmentCursor {
            guard let s = sections.first(where: { $0.kind == kind }) else { throw corrupt("missing section kind \(kind)") }
            return SegmentCursor(base: base, start: s.offset, end: s.offset + s.length, what: s.name)
        }
        sources = try SourceBlocks(try cursor(SegmentLayout.Kind.source), docCount: docCount)
        ids = try SegmentIDs(try cursor(SegmentLayout.Kind.id), docCount: docCount)
        seqNos = try NumericColumn(try cursor(SegmentLayout.Kind.seqNo), owner: m, docCount: docCount)
        versions = try NumericColumn(try cursor(SegmentLayout.Kind.version), owner: m, docCount: docCount)
        primaryTerms = try NumericColumn(try cursor(SegmentLayout.Kind.primaryTerm), owner: m, docCount: docCount)
        if sections.contains(where: { $0.kind == SegmentLayout.Kind.routing }) {
            let c = try cursor(SegmentLayout.Kind.routing)
            let dict = try TermDictionary(c, at: try c.int(16))
            let bits = try c.bits(8)
            guard dict.termCount == (try c.int(0)) else { throw corrupt("bad routing section") }
            routingDictionary = dict
            routingOrds = try c.packedInts(try c.int(24), count: docCount, bits: bits)
            for d in 0..<docCount where routingOrds[d] > UInt64(dict.termCount) { throw corrupt("bad routing ordinal") }
        } else {
            routingDictionary = nil
            routingOrds = PackedInts(base: base, bits: 0)
        }
        var numerics: [String: NumericColumn] = [:], keywords: [String: KeywordField] = [:], texts: [String: TextField] = [:]
        for s in sections {
            let c = SegmentCursor(base: base, start: s.offset, end: s.offset + s.length, what: s.name)
            switch s.kind {
            case SegmentLayout.Kind.numeric: numerics[s.name] = try NumericColumn(c, owner: m, docCount: docCount)
            case SegmentLayout.Kind.keyword: keywords[s.name] = try KeywordField(c, owner: m, docCount: docCount)
            case SegmentLayout.Kind.text: texts[s.name] = try TextField(c, owner: m, docCount: docCount)
            default: break
            }
        }
        self.numerics = numerics
        self.keywords = keywords
        self.texts = texts
        fieldNames = (Array(numerics.keys) + Array(keywords.keys) + Array(texts.keys)).sorted()
    }

    // MARK: ids and metadata

    /// The doc with `_id` `id` (the newest copy if the segment holds several).
    public func docID(for id: String) -> Int32? {
        guard let dictionary = ids.dictionary, dictionary.termCount >= 256 else { return ids.docID(for: id) }
        let filter = idFilter.withLock { f -> IDFilter in
            if let f { return f }
            var cursor = dictionary.cursor()
            let built = IDFilter(count: dictionary.termCount) { add in
                for ord in 0..<dictionary.termCount { cursor.withBytes(ord) { add($0) } }
            }
            f = built
            return built
        }
        var key = id
        guard key.withUTF8({ filter.mayContain(UnsafeRawBufferPointer($0)) }) else { return nil }
        return ids.docID(for: id)
    }

    // Per-doc accessors take a doc id in 0..<docCount; the segment-level ones check it, the column
    // accessors (`NumericColumn`, `KeywordField`, `TextField`) don't, for speed.

    public func id(of doc: Int32) -> String { ids.id(of: doc) }

    public func seqNo(of doc: Int32) -> Int64 { check(doc); return seqNos.value(doc) }

    public func version(of doc: Int32) -> Int64 { check(doc); return versions.value(doc) }

    public func primaryTerm(of doc: Int32) -> Int64 { check(doc); return primaryTerms.value(doc) }

    @inline(__always) func check(_ doc: Int32) {
        precondition(doc >= 0 && Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
    }

    public func routing(of doc: Int32) -> String? {
        check(doc)
        guard let routingDictionary else { return nil }
        let o = routingOrds[Int(doc)]
        return o == 0 ? nil : routingDictionary.term(Int(o) - 1)
    }

    /// The doc's `_source` bytes, as indexed.
    public func source(of doc: Int32) -> [UInt8] {
        check(doc)
        let d = Int(doc)
        let b = sources.block(of: d)
        if let cached = lastBlock.withLock({ $0 }), cached.index == b { return cached.source(of: d) }
        let decoded = sources.decode(b)  // outside the lock: readers of other blocks don't wait
        lastBlock.withLock { $0 = decoded }
        return decoded.source(of: d)
    }

    // MARK: fields

    /// The numeric doc values of a long/integer/date/boolean/double field.
    public func numeric(_ field: String) -> NumericColumn? { numerics[field] }

    /// A keyword or ip field.
    public func keyword(_ field: String) -> KeywordField? { keywords[field] }

    /// An analyzed text field.
    public func text(_ field: String) -> TextField? { texts[field] }

    /// The min and max value of a numeric field (for can-match), nil if it has no values.
    public func range(of field: String) -> (min: Int64, max: Int64)? {
        guard let c = numerics[field], c.docsWithValue > 0 else { return nil }
        return (c.minValue, c.maxValue)
    }

    /// Bytes on disk per section, for size reports.
    var sectionSizes: [(name: String, bytes: Int)] { sections.map { ($0.name, $0.length) } }
}

extension Segment {
    /// The document count recorded in a segment file's 24-byte header, read without mapping or
    /// verifying the rest: what `searchlight repair` reports as lost when the file fails its
    /// checksum. nil when the header itself is missing or not a segment header.
    public static func headerDocCount(path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: SegmentLayout.headerSize), data.count == SegmentLayout.headerSize else { return nil }
        let bytes = [UInt8](data)
        guard Array(bytes[0..<8]) == SegmentLayout.magic else { return nil }
        var count: UInt64 = 0
        for i in (16..<24).reversed() { count = count << 8 | UInt64(bytes[i]) }
        return count < UInt64(Int32.max) ? Int(count) : nil
    }
}
