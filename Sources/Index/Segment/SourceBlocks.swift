import Storage
import CZlib
import Synchronization

/// The `_source` section: raw source bytes of consecutive docs in ~64 KB blocks, each rewritten
/// column-wise (`SourceColumns`) and compressed with raw deflate level 1 (zlib), so a hit costs
/// one block inflate (cached, since hits cluster).
///
/// Byte layout (8-byte aligned; offsets relative to the section start):
/// ```
/// 0   u64 blockCount
/// 8   u64 blockIndexOffset   blockCount entries of 24 bytes:
///                            u32 firstDoc, u32 sourceLength (bytes of its docs' sources),
///                            u32 encodedLength (of its `SourceColumns` bytes), u32 compressedLength,
///                            u64 compressedOffset (relative to the data)
/// 16  u64 dataOffset         the raw deflate streams (no zlib header) of the blocks'
///                            `SourceColumns` bytes, back to back
/// 24  u64 dataLength
/// ```
/// A block holds the docs from its firstDoc to the next block's. It is closed once it holds
/// ≥ 64 KiB of source; a doc never spans blocks.
struct SourceBlocks {
    static let targetBlockSize = 64 * 1024
    static let entrySize = 24

    let blockCount: Int
    let docCount: Int
    let index: UnsafeRawPointer
    let data: UnsafeRawPointer
    let dataLength: Int

    // MARK: writing

    static func write(_ docs: [SegmentDocument], into out: inout SegmentBuffer) throws(StorageError) {
        let start = out.count
        precondition(start & 7 == 0)
        var entries: [(first: Int, source: Int, encoded: Int, compressed: Int, offset: Int)] = []
        var data: [UInt8] = []
        var raw: [UInt8] = []
        var starts: [Int] = []
        var first = 0
        var size = 0
        func close(_ end: Int) throws(StorageError) {
            guard end > first else { return }
            raw.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            for d in first..<end {
                starts.append(raw.count)
                raw.append(contentsOf: docs[d].source)
            }
            starts.append(raw.count)
            guard raw.count <= Int(UInt32.max) else { throw StorageError(.io, "_source block too large (\(raw.count) bytes)") }
            let encoded = SourceColumns.encode(raw, starts: starts)
            guard encoded.count <= Int(UInt32.max) else { throw StorageError(.io, "_source block too large (\(encoded.count) bytes)") }
            let offset = data.count
            try compress(encoded, appendingTo: &data)
            entries.append((first, raw.count, encoded.count, data.count - offset, offset))
            first = end
            size = 0
        }
        for (d, doc) in docs.enumerated() {
            size += doc.source.count
            if size >= targetBlockSize { try close(d + 1) }
        }
        try close(docs.count)
        out.u64(UInt64(entries.count))
        out.u64(32)
        let dataOffset = (32 + entries.count * entrySize + 7) & ~7
        out.u64(UInt64(dataOffset))
        out.u64(UInt64(data.count))
        for e in entries {
            out.u32(UInt32(e.first)); out.u32(UInt32(e.source)); out.u32(UInt32(e.encoded)); out.u32(UInt32(e.compressed))
            out.u64(UInt64(e.offset))
        }
        out.align()
        precondition(out.count - start == dataOffset)
        out.append(data)
        out.align()
    }

    /// Raw deflate (no zlib header or Adler-32: the file's CRC-32 covers the bytes).
    static func compress(_ input: [UInt8], appendingTo out: inout [UInt8]) throws(StorageError) {
        var stream = z_stream()
        var rc = deflateInit2_(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw StorageError(.compression, "deflateInit failed", underlying: rc) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        let offset = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o -> Int in
                stream.next_in = i.baseAddress
                stream.avail_in = uInt(i.count)
                stream.next_out = o.baseAddress! + offset
                stream.avail_out = uInt(bound)
                rc = deflate(&stream, Z_FINISH)
                return bound - Int(stream.avail_out)
            }
        }
        guard rc == Z_STREAM_END else { throw StorageError(.compression, "deflate of a _source block failed", underlying: rc) }
        out.removeLast(bound - produced)
    }

    /// Inflates `count` bytes at `input` into exactly the first `length` bytes of `output`; false
    /// on any error.
    static func decompress(_ input: UnsafeRawPointer, count: Int, into output: inout [UInt8], length: Int) -> Bool {
        precondition(length <= output.count)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return false }
        defer { inflateEnd(&stream) }
        return output.withUnsafeMutableBufferPointer { o in
            stream.next_in = UnsafeMutablePointer(mutating: input.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(count)
            stream.next_out = o.baseAddress
            stream.avail_out = uInt(length)
            return inflate(&stream, Z_FINISH) == Z_STREAM_END && stream.avail_out == 0
        }
    }

    // MARK: reading

    init(_ c: SegmentCursor, docCount: Int) throws(StorageError) {
        self.docCount = docCount
        blockCount = try c.int(0)
        index = try c.pointer(try c.int(8), blockCount * Self.entrySize)
        dataLength = try c.int(24)
        data = try c.pointer(try c.int(16), dataLength)
        var previous = -1
        for b in 0..<blockCount {
            let e = b * Self.entrySize
            let first = Int(index.u32(e))
            guard first > previous, first < docCount, b > 0 || first == 0, index.u32(e + 8) > 0,
                  index.u64(e + 16) + UInt64(index.u32(e + 12)) <= UInt64(dataLength) else {
                throw c.fail("bad _source block index")
            }
            previous = first
        }
        guard (blockCount == 0) == (docCount == 0) else { throw c.fail("_source blocks do not cover the \(docCount) docs") }
    }

    /// The block holding `doc`.
    func block(of doc: Int) -> Int {
        var lo = 0, hi = blockCount
        while lo < hi {
            let mid = (lo + hi) >> 1
            if Int(index.u32(mid * Self.entrySize)) <= doc { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    /// Inflates and decodes block `b`. A block that does not decode (never, short of a bug: the
    /// file's CRC is checked at open) yields empty sources.
    func decode(_ b: Int) -> DecodedSourceBlock {
        let e = b * Self.entrySize
        let first = Int(index.u32(e))
        let end = b + 1 < blockCount ? Int(index.u32(e + Self.entrySize)) : docCount
        let sourceLength = Int(index.u32(e + 4)), encodedLength = Int(index.u32(e + 8))
        let compressed = Int(index.u32(e + 12)), offset = Int(index.u64(e + 16))
        var encoded = [UInt8](repeating: 0, count: encodedLength + SourceColumns.slack)
        if Self.decompress(data + offset, count: compressed, into: &encoded, length: encodedLength),
           let decoded = encoded.withUnsafeBytes({
               SourceColumns.decode(UnsafeRawBufferPointer(rebasing: $0[..<encodedLength]), docCount: end - first, sourceLength: sourceLength)
           }) {
            return DecodedSourceBlock(index: b, first: first, bytes: decoded.bytes, starts: decoded.starts)
        }
        return DecodedSourceBlock(index: b, first: first, bytes: [], starts: [Int](repeating: 0, count: end - first + 1))
    }
}

/// One inflated `_source` block, shared by readers through the segment's one-block cache.
final class DecodedSourceBlock: Sendable {
    let index: Int
    let first: Int
    let bytes: [UInt8]
    let starts: [Int]

    init(index: Int, first: Int, bytes: [UInt8], starts: [Int]) {
        self.index = index
        self.first = first
        self.bytes = bytes
        self.starts = starts
    }

    func source(of doc: Int) -> [UInt8] {
        let i = doc - first
        return Array(bytes[starts[i]..<starts[i + 1]])
    }
}
