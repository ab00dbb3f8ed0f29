import Dispatch
import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an immutable segment file: the unit `Segment` memory-maps for search.
///
/// Byte layout (all integers little-endian; every section starts 8-byte aligned, zero padded):
/// ```
/// header   0   8 bytes  magic "SLSEG001"
///          8   u32      format version (2; only this version is read)
///          12  u32      zero
///          16  u64      docCount
/// sections, in this order (each one's layout is in the doc comment of its reader):
///          _source        `SourceBlocks`   ~64 KB blocks, column-wise (`SourceColumns`), raw deflate
///                                          (zlib level 1) + block index
///          _id            `SegmentIDs`     sorted dictionary (or packed base64url ids) + id ↔ doc maps
///          _seq_no        `NumericColumn`  (single-valued, every doc)
///          _version       `NumericColumn`
///          _primary_term  `NumericColumn`
///          _routing       routing dictionary, present only if some doc has a routing:
///                           0 u64 termCount · 8 u8 ordBits, 7 zero · 16 u64 dictOffset
///                           (`TermDictionary`) · 24 u64 ordsOffset (`PackedInts`: docCount ×
///                           (ordinal + 1), 0 = none)
///          fields         one section per field path, sorted by path:
///                           `NumericColumn` (long, integer, date, boolean 0/1, double as sortable long)
///                           `KeywordField`  (keyword and ip)
///                           `TextField`     (text, analysed by `StandardAnalyzer`)
/// footer   directory      u64 entryCount, then per section (unaligned):
///                           u8 kind, u8 zero, u16 nameLength, name (UTF-8),
///                           u64 offset, u64 length, i64 min, i64 max (numeric fields: their
///                           min / max value, for can-match; otherwise 0)
///                         kinds: 1 numeric · 2 keyword · 3 text · 16 _source · 17 _id ·
///                           18 _seq_no · 19 _version · 20 _primary_term · 21 _routing
///                         zero padding to 8
///          tail (24 bytes) u64 footerLength (the directory with its padding)
///                         u32 CRC-32 (zlib) of every byte before this field
///                         u32 zero
///                         8 bytes magic "SLSEGEND"
/// ```
/// Integer arrays throughout the file are bit-packed (`PackedInts`, `BlockedInts`), so a column
/// costs the bits of its values' range, not the next power-of-two bytes.
///
/// A field path holds values of one kind: numeric integer (long/date/bool), numeric double,
/// keyword (keyword/ip) or text. If documents give one path values of different kinds, the kind
/// seen first (in doc order, then field order) wins and values of the other kinds are dropped.
public enum SegmentWriter {
    /// Serialises `docs` (doc id = array index) and writes the file durably: to `path.tmp`,
    /// fsync, rename to `path`, fsync of the directory.
    public static func write(_ docs: [SegmentDocument], to path: String) throws(StorageError) {
        let bytes = try serialize(docs)
        try FileIO.writeDurably(bytes, to: path)
    }

    /// The bytes of the segment file for `docs`.
    public static func serialize(_ docs: [SegmentDocument], parallelAbove threshold: Int = parallelThreshold) throws(StorageError) -> [UInt8] {
        guard docs.count < Int(Int32.max) else { throw StorageError(.io, "segment has too many documents (\(docs.count))") }
        let docCount = docs.count
        // `_source` (encoding + deflate) and everything else take about the same time and share
        // nothing: build them on two threads. Every section is position-independent (offsets
        // inside it are relative to its start), so each half is written to its own buffer.
        let halves = SerializeHalves()
        let work: @Sendable (Int) -> Void = { half in
            if half == 0 {
                var o = SegmentBuffer()
                halves.source = Result { () throws(StorageError) in try SourceBlocks.write(docs, into: &o); o.align(); return o }
            } else {
                halves.rest = Result { () throws(StorageError) in try serializeFields(docs) }
            }
        }
        if docCount >= threshold {
            DispatchQueue.concurrentPerform(iterations: 2, execute: work)
        } else {
            work(0); work(1)
        }
        let source = try halves.source!.get()
        let (rest, restDirectory) = try halves.rest!.get()

        var out = SegmentBuffer()
        out.bytes.reserveCapacity(64 + source.count + rest.count + restDirectory.count * 48)
        out.append(SegmentLayout.magic)
        out.u32(SegmentLayout.version)
        out.u32(0)
        out.u64(UInt64(docCount))
        var directory: [SectionEntry] = []
        out.align()
        directory.append(SectionEntry(kind: SegmentLayout.Kind.source, name: "_source", offset: out.count, length: source.count, min: 0, max: 0))
        out.append(source.bytes)
        out.align()
        let base = out.count
        out.append(rest.bytes)
        for e in restDirectory { directory.append(SectionEntry(kind: e.kind, name: e.name, offset: base + e.offset, length: e.length, min: e.min, max: e.max)) }

        // Footer.
        out.align()
        let footerStart = out.count
        out.u64(UInt64(directory.count))
        for e in directory {
            let name = Array(e.name.utf8)
            guard name.count <= Int(UInt16.max) else { throw StorageError(.io, "field name too long for a segment: \(e.name.prefix(64))…") }
            out.u8(e.kind); out.u8(0); out.u16(UInt16(name.count)); out.append(name)
            out.u64(UInt64(e.offset)); out.u64(UInt64(e.length)); out.i64(e.min); out.i64(e.max)
        }
        out.align()
        out.u64(UInt64(out.count - footerStart))
        out.u32(SegmentLayout.crc32(out.bytes))
        out.u32(0)
        out.append(SegmentLayout.endMagic)
        return out.bytes
    }

    /// Documents below this count are serialised on one thread.
    public static let parallelThreshold = 2048

    struct SectionEntry {
        var kind: UInt8
        var name: String
        var offset: Int
        var length: Int
        var min: Int64
        var max: Int64
    }

    /// The two halves of `serialize`, filled by `concurrentPerform`'s iterations (each writes
    /// only its own property, and the caller reads them after both return).
    final class SerializeHalves: @unchecked Sendable {
        var source: Result<SegmentBuffer, StorageError>?
        var rest: Result<(SegmentBuffer, [SectionEntry]), StorageError>?
    }

    /// Every section after `_source`, in file order, into a buffer of its own starting at 0
    /// (8-aligned), with a directory whose offsets are relative to that buffer.
    static func serializeFields(_ docs: [SegmentDocument]) throws(StorageError) -> (SegmentBuffer, [SectionEntry]) {
        let docCount = docs.count
        var out = SegmentBuffer()
        out.bytes.reserveCapacity(max(4096, docCount * 48))
        var directory: [SectionEntry] = []
        func section(_ kind: UInt8, _ name: String, _ body: (inout SegmentBuffer) throws(StorageError) -> (Int64, Int64)) throws(StorageError) {
            out.align()
            let start = out.count
            let (lo, hi) = try body(&out)
            out.align()
            directory.append(SectionEntry(kind: kind, name: name, offset: start, length: out.count - start, min: lo, max: hi))
        }

        try section(SegmentLayout.Kind.id, "_id") { o in SegmentIDs.write(docs.map { $0.id }, into: &o); return (0, 0) }
        let allDocs = (0..<docCount).map { Int32($0) }
        try section(SegmentLayout.Kind.seqNo, "_seq_no") { o in
            NumericColumnWriter.write(docs: allDocs, values: docs.map { $0.seqNo }, docCount: docCount, isDouble: false, into: &o)
        }
        try section(SegmentLayout.Kind.version, "_version") { o in
            NumericColumnWriter.write(docs: allDocs, values: docs.map { $0.version }, docCount: docCount, isDouble: false, into: &o)
        }
        try section(SegmentLayout.Kind.primaryTerm, "_primary_term") { o in
            NumericColumnWriter.write(docs: allDocs, values: docs.map { $0.primaryTerm }, docCount: docCount, isDouble: false, into: &o)
        }
        if docs.contains(where: { $0.routing != nil }) {
            try section(SegmentLayout.Kind.routing, "_routing") { o in writeRouting(docs, into: &o); return (0, 0) }
        }

        // Per-field accumulation, doc by doc: one dictionary lookup per value.
        // Docs usually list their fields in the same order, so the field at the same position in
        // the previous doc is tried before the dictionary.
        var fieldIndex: [String: Int] = [:]
        var fields: [FieldAccumulator] = []
        var byPosition: [Int] = []
        for d in docs.indices {
            let doc32 = Int32(d)
            for (position, (path, value)) in docs[d].fields.enumerated() {
                let kind = FieldKind(value)
                let acc: FieldAccumulator
                if position < byPosition.count, fields[byPosition[position]].path == path {
                    acc = fields[byPosition[position]]
                    if acc.kind != kind { continue }
                } else if let i = fieldIndex[path] {
                    acc = fields[i]
                    if position < byPosition.count { byPosition[position] = i } else { byPosition.append(i) }
                    if acc.kind != kind { continue }
                } else {
                    acc = FieldAccumulator(path: path, kind: kind)
                    fieldIndex[path] = fields.count
                    if position < byPosition.count { byPosition[position] = fields.count } else { byPosition.append(fields.count) }
                    fields.append(acc)
                }
                switch value {
                case .long(let v), .date(let v): acc.add(doc32, v)
                case .bool(let b): acc.add(doc32, b ? 1 : 0)
                case .double(let x): acc.add(doc32, NumericColumn.sortableLong(x))
                case .keyword(let s), .ip(let s): acc.terms.add(doc: doc32, term: s)
                case .text(let s): for token in StandardAnalyzer.tokens(s) { acc.terms.add(doc: doc32, term: token) }
                }
            }
        }
        fields.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        for f in fields {
            switch f.kind {
            case .integer, .double:
                try section(SegmentLayout.Kind.numeric, f.path) { o in
                    NumericColumnWriter.write(docs: f.docs, values: f.values, docCount: docCount, isDouble: f.kind == .double, into: &o)
                }
            case .keyword:
                try section(SegmentLayout.Kind.keyword, f.path) { o in TermFieldWriter.writeKeyword(f.terms, docCount: docCount, into: &o); return (0, 0) }
            case .text:
                // A text value without tokens still creates the field (every doc length 0).
                try section(SegmentLayout.Kind.text, f.path) { o in TermFieldWriter.writeText(f.terms, docCount: docCount, into: &o); return (0, 0) }
            }
        }

        return (out, directory)
    }

    enum FieldKind: Equatable {
        case integer, double, keyword, text

        init(_ v: FieldValue) {
            switch v {
            case .long, .date, .bool: self = .integer
            case .double: self = .double
            case .keyword, .ip: self = .keyword
            case .text: self = .text
            }
        }
    }

    /// The values of one field path while a segment is written (a class, so appends never copy).
    final class FieldAccumulator {
        let path: String
        let kind: FieldKind
        var docs: [Int32] = []
        var values: [Int64] = []
        var terms = TermAccumulator()

        init(path: String, kind: FieldKind) {
            self.path = path
            self.kind = kind
        }

        @inline(__always) func add(_ doc: Int32, _ value: Int64) {
            docs.append(doc)
            values.append(value)
        }
    }

    static func writeRouting(_ docs: [SegmentDocument], into out: inout SegmentBuffer) {
        let start = out.count
        var ordOf: [TermKey: Int] = [:]
        for doc in docs { if let r = doc.routing { ordOf[TermKey(bytes: Array(r.utf8))] = 0 } }
        let terms = ordOf.keys.map(\.bytes).sorted(by: bytesPrecede)
        for (o, t) in terms.enumerated() { ordOf[TermKey(bytes: t)] = o }
        let bits = PackedInts.bitsRequired(UInt64(terms.count))
        out.u64(UInt64(terms.count))
        out.u8(UInt8(bits)); for _ in 0..<7 { out.u8(0) }
        out.u64(32)
        out.u64(0)
        TermDictionary.write(terms, into: &out)
        out.patch(UInt64(out.count - start), at: start + 24)
        out.packedInts(docs.lazy.map { doc in doc.routing.map { UInt64(ordOf[TermKey(bytes: Array($0.utf8))]! + 1) } ?? 0 }, bits: bits)
    }
}
