import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sorted, front-coded dictionary of unique byte strings (keyword and text terms, `_id`s,
/// routing values), addressed by ordinal. Terms sort by their UTF-8 bytes, like Lucene's
/// `BytesRef` order, so two canonically equivalent spellings stay two terms.
///
/// Byte layout (starts 8-byte aligned; offsets relative to the dictionary start):
/// ```
/// 0   u64 termCount
/// 8   u64 blockCount           = ceil(termCount / 16)
/// 16  u64 dataLength
/// 24  u8  restartBits          bits per restart offset, 7 bytes zero
/// 32  restart[blockCount]      `PackedInts` of restartBits: offset of block b's first term in data
///     zero padding to 8
/// D   data: for every term, varint(prefixLength) varint(suffixLength) suffix bytes, where the
///     prefix is shared with the previous term and is 0 for the first term of each 16-term block
///     (a restart point), so every block decodes on its own.
/// ```
public struct TermDictionary {
    static let blockSize = 16
    static let blockShift = 4

    let termCount: Int
    let blockCount: Int
    let restarts: PackedInts
    let data: UnsafeRawPointer

    // MARK: writing

    /// Writes `terms` (sorted by bytes, unique) at the buffer's current, 8-aligned position.
    static func write(_ terms: [[UInt8]], into out: inout SegmentBuffer) {
        precondition(out.count & 7 == 0)
        var data = SegmentBuffer()
        var restartOffsets: [UInt64] = []
        restartOffsets.reserveCapacity((terms.count + blockSize - 1) / blockSize)
        var previous: [UInt8] = []
        for (i, term) in terms.enumerated() {
            var shared = 0
            if i & (blockSize - 1) == 0 {
                restartOffsets.append(UInt64(data.count))
            } else {
                let limit = min(previous.count, term.count)
                while shared < limit && previous[shared] == term[shared] { shared += 1 }
            }
            data.varint(UInt64(shared))
            data.varint(UInt64(term.count - shared))
            data.append(contentsOf: term[shared...])
            previous = term
        }
        let bits = PackedInts.bitsRequired(restartOffsets.last ?? 0)
        out.u64(UInt64(terms.count))
        out.u64(UInt64(restartOffsets.count))
        out.u64(UInt64(data.count))
        out.u8(UInt8(bits)); for _ in 0..<7 { out.u8(0) }
        out.packedInts(restartOffsets, bits: bits)
        out.append(data.bytes)
        out.align()
    }

    // MARK: reading

    /// Opens the dictionary at `offset` of the cursor's section, validating its bounds.
    init(_ c: SegmentCursor, at offset: Int) throws(StorageError) {
        termCount = try c.int(offset)
        blockCount = try c.int(offset + 8)
        let dataLength = try c.int(offset + 16)
        let bits = try c.bits(offset + 24)
        guard blockCount == (termCount + Self.blockSize - 1) / Self.blockSize else { throw c.fail("bad term dictionary header") }
        let restartBytes = PackedInts.byteCount(blockCount, bits: bits)
        restarts = try c.packedInts(offset + 32, count: blockCount, bits: bits)
        let dataOffset = (offset + 32 + restartBytes + 7) & ~7
        data = try c.pointer(dataOffset, dataLength)
        for b in 0..<blockCount where restarts[b] >= UInt64(max(dataLength, 1)) {
            throw c.fail("term dictionary restart point out of bounds")
        }
    }

    /// The bytes of term `ord`.
    func bytes(_ ord: Int) -> [UInt8] {
        precondition(ord >= 0 && ord < termCount, "term ordinal \(ord) out of range 0..<\(termCount)")
        var buffer: [UInt8] = []
        var pos = Int(restarts[ord >> Self.blockShift])
        for _ in 0...(ord & (Self.blockSize - 1)) { next(&pos, &buffer) }
        return buffer
    }

    func term(_ ord: Int) -> String { String(decoding: bytes(ord), as: UTF8.self) }

    /// Decodes terms without allocating, cheapest in ascending ordinal order (the next term of
    /// the same block costs one step; anything else restarts at its block).
    public struct Cursor {
        let dictionary: TermDictionary
        var buffer: [UInt8] = []
        var pos = 0
        var current = -1

        init(_ dictionary: TermDictionary) {
            self.dictionary = dictionary
            buffer.reserveCapacity(64)
        }

        /// Calls `body` with the bytes of term `ord` (valid only during the call).
        public mutating func withBytes<R>(_ ord: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
            precondition(ord >= 0 && ord < dictionary.termCount, "term ordinal \(ord) out of range 0..<\(dictionary.termCount)")
            let shift = TermDictionary.blockShift
            if ord != current && !(ord > current && ord >> shift == current >> shift && current >= 0) {
                pos = Int(dictionary.restarts[ord >> shift])
                buffer.removeAll(keepingCapacity: true)
                current = ((ord >> shift) << shift) - 1
            }
            while current < ord {
                dictionary.next(&pos, &buffer)
                current += 1
            }
            return buffer.withUnsafeBytes(body)
        }
    }

    func cursor() -> Cursor { Cursor(self) }

    /// Decodes the term at `pos` onto `buffer` (which holds the previous term) and advances.
    @inline(__always)
    fileprivate func next(_ pos: inout Int, _ buffer: inout [UInt8]) {
        let shared = Int(data.varint(&pos))
        let suffix = Int(data.varint(&pos))
        buffer.removeSubrange(shared...)
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: data + pos, count: suffix))
        pos += suffix
    }

    /// The first ordinal whose term satisfies `isAfter`, a predicate that is false for a prefix of
    /// the sorted terms and true for the rest; `termCount` if none does.
    func firstOrd(where isAfter: (UnsafeRawBufferPointer) -> Bool) -> Int {
        guard termCount > 0 else { return 0 }
        // Binary search the restart terms (stored whole, so compared in place).
        var lo = 0, hi = blockCount  // first block whose restart term is after
        while lo < hi {
            let mid = (lo + hi) >> 1
            var pos = Int(restarts[mid])
            _ = data.varint(&pos)
            let len = Int(data.varint(&pos))
            if isAfter(UnsafeRawBufferPointer(start: data + pos, count: len)) { hi = mid } else { lo = mid + 1 }
        }
        if lo == 0 { return 0 }
        // The answer is inside block lo-1 (after its restart term) or the first term of block lo.
        let block = lo - 1
        let first = block << Self.blockShift
        let end = min(termCount, first + Self.blockSize)
        var pos = Int(restarts[block])
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        next(&pos, &buffer)
        for ord in (first + 1)..<max(first + 1, end) {
            next(&pos, &buffer)
            if buffer.withUnsafeBytes({ isAfter($0) }) { return ord }
        }
        return end
    }

    /// The ordinal of `key`, if present.
    func ord(of key: [UInt8]) -> Int? {
        let ord = lowerBound(key)
        guard ord < termCount else { return nil }
        return bytes(ord) == key ? ord : nil
    }

    /// The first ordinal whose term is ≥ `key`.
    func lowerBound(_ key: [UInt8]) -> Int {
        key.withUnsafeBytes { k in firstOrd { Self.compare($0, k) >= 0 } }
    }

    /// The ordinals of the terms that start with `prefix`.
    func ords(startingWith prefix: [UInt8]) -> Range<Int> {
        let start = lowerBound(prefix)
        let end = prefix.withUnsafeBytes { p in
            firstOrd { t in
                // After the prefix range: compares greater than the prefix on its first bytes.
                let n = min(t.count, p.count)
                let c = n == 0 ? 0 : memcmp(t.baseAddress!, p.baseAddress!, n)
                // Equal first bytes means t starts with the prefix (or is a shorter prefix of it).
                return c > 0
            }
        }
        return start..<max(start, end)
    }

    /// Bytewise comparison (memcmp, then length).
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }
}
