/// The documents (and, for text, term frequencies) that contain one term of one segment field,
/// read in place from the segment mapping.
///
/// Byte layout of one postings record (records of a field are concatenated; the field keeps an
/// offset per term):
/// ```
/// varint header = count << 1 | isBitset
/// isBitset:  ceil(docCount / 64) little-endian u64 words, bit d of word d/64 set when doc d has
///            the term (keyword fields only; chosen when smaller than the list below)
/// otherwise: skip[ceil(count / 128) - 1] entries of 12 bytes (u32 lastDoc of block k,
///            u64 offset of block k+1 from the start of the list data), then the list data:
///            per posting varint(gap) for keywords or varint(gap << 1 | (freq == 1)) followed by
///            varint(freq) when freq != 1 for text, where gap = doc − previousDoc − 1 and
///            previousDoc starts at −1. Blocks of 128 postings, so `contains` decodes at most one
///            block after a binary search of the skip entries.
/// ```
public struct Postings: @unchecked Sendable {  // pointers into `owner`'s immutable mapping
    @inlinable static var blockSize: Int { 128 }

    @usableFromInline let owner: SegmentMapping?
    @usableFromInline let data: UnsafeRawPointer?
    @usableFromInline let skips: UnsafeRawPointer?
    @usableFromInline let skipCount: Int
    @usableFromInline let isBitset: Bool
    @usableFromInline let hasFreqs: Bool
    @usableFromInline let wordCount: Int
    /// Number of documents containing the term.
    public let count: Int

    static let empty = Postings(owner: nil, data: nil, skips: nil, skipCount: 0, isBitset: false, hasFreqs: false, wordCount: 0, count: 0)

    @usableFromInline
    init(owner: SegmentMapping?, data: UnsafeRawPointer?, skips: UnsafeRawPointer?, skipCount: Int, isBitset: Bool,
         hasFreqs: Bool, wordCount: Int, count: Int) {
        self.owner = owner
        self.data = data
        self.skips = skips
        self.skipCount = skipCount
        self.isBitset = isBitset
        self.hasFreqs = hasFreqs
        self.wordCount = wordCount
        self.count = count
    }

    /// Opens the record at `record` (a pointer into `owner`'s mapping).
    @inlinable
    init(owner: SegmentMapping, record: UnsafeRawPointer, hasFreqs: Bool, docCount: Int) {
        var pos = 0
        let header = record.varint(&pos)
        let count = Int(header >> 1)
        if header & 1 == 1 {
            self.init(owner: owner, data: record + pos, skips: nil, skipCount: 0, isBitset: true, hasFreqs: false,
                      wordCount: bitsetWordCount(docCount), count: count)
        } else {
            let skipCount = count == 0 ? 0 : (count - 1) / Self.blockSize
            self.init(owner: owner, data: record + pos + skipCount * 12, skips: record + pos, skipCount: skipCount,
                      isBitset: false, hasFreqs: hasFreqs, wordCount: 0, count: count)
        }
    }

    /// Calls `body(doc, freq)` for every posting in doc-id order; freq is 1 for keyword fields.
    @inlinable @inline(__always)
    public func forEach(_ body: (Int32, Int32) -> Void) {
        guard count > 0, let data else { return }
        if isBitset {
            for w in 0..<wordCount {
                var word = data.u64(w &<< 3)
                while word != 0 {
                    let bit = word.trailingZeroBitCount
                    body(Int32(truncatingIfNeeded: w &<< 6 | bit), 1)
                    word &= word &- 1
                }
            }
            return
        }
        var pos = 0
        var doc: Int64 = -1
        if hasFreqs {
            for _ in 0..<count {
                let code = data.varint(&pos)
                doc &+= Int64(truncatingIfNeeded: code >> 1) &+ 1
                let freq = code & 1 == 1 ? 1 : Int32(truncatingIfNeeded: data.varint(&pos))
                body(Int32(truncatingIfNeeded: doc), freq)
            }
        } else {
            for _ in 0..<count {
                doc &+= Int64(truncatingIfNeeded: data.varint(&pos)) &+ 1
                body(Int32(truncatingIfNeeded: doc), 1)
            }
        }
    }

    /// Whether `doc` contains the term: a bit test, or a skip-table search plus one block decode.
    @inlinable
    public func contains(_ doc: Int32) -> Bool {
        guard count > 0, let data, doc >= 0 else { return false }
        if isBitset {
            return Int(doc) < wordCount << 6 && data.bit(Int(doc))
        }
        // The last block whose preceding doc is < doc.
        var block = 0
        var lo = 0, hi = skipCount
        if let skips {
            while lo < hi {
                let mid = (lo + hi) >> 1
                if Int64(skips.u32(mid * 12)) < Int64(doc) { lo = mid + 1 } else { hi = mid }
            }
            block = lo  // skip entries before `lo` end below doc; block `lo` starts after entry lo-1
        }
        var current: Int64 = -1
        var pos = 0
        if block > 0, let skips {
            current = Int64(skips.u32((block - 1) * 12))
            pos = Int(skips.u64((block - 1) * 12 + 4))
        }
        let end = min(count, (block + 1) * Self.blockSize)
        var i = block * Self.blockSize
        let target = Int64(doc)
        while i < end {
            if hasFreqs {
                let code = data.varint(&pos)
                current &+= Int64(truncatingIfNeeded: code >> 1) &+ 1
                if code & 1 == 0 { _ = data.varint(&pos) }
            } else {
                current &+= Int64(truncatingIfNeeded: data.varint(&pos)) &+ 1
            }
            if current >= target { return current == target }
            i += 1
        }
        return false
    }

    /// All doc ids, ascending.
    public func docs() -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(count)
        forEach { d, _ in out.append(d) }
        return out
    }
}

/// Encodes postings records (see `Postings` for the byte layout).
enum PostingsWriter {
    /// Appends the record for `docs` (ascending, unique) with optional `freqs`; keyword postings
    /// (`freqs == nil`) become a bitset when that is smaller.
    static func write(docs: ArraySlice<Int32>, freqs: ArraySlice<Int32>?, docCount: Int, into out: inout SegmentBuffer) {
        var list = SegmentBuffer()
        var skips = SegmentBuffer()
        var previous: Int64 = -1
        var i = 0
        var freqIndex = freqs?.startIndex ?? 0
        for d in docs {
            if i > 0 && i % Postings.blockSize == 0 {
                skips.u32(UInt32(truncatingIfNeeded: previous))
                skips.u64(UInt64(list.count))
            }
            let gap = UInt64(Int64(d) - previous - 1)
            if let freqs {
                let f = freqs[freqIndex]
                freqIndex += 1
                list.varint(gap << 1 | (f == 1 ? 1 : 0))
                if f != 1 { list.varint(UInt64(f)) }
            } else {
                list.varint(gap)
            }
            previous = Int64(d)
            i += 1
        }
        let bitsetBytes = bitsetWordCount(docCount) * 8
        if freqs == nil && bitsetBytes < list.count + skips.count {
            out.varint(UInt64(docs.count) << 1 | 1)
            var words = [UInt64](repeating: 0, count: bitsetWordCount(docCount))
            for d in docs { words[Int(d) >> 6] |= 1 << UInt64(Int(d) & 63) }
            out.bitset(words)
        } else {
            out.varint(UInt64(docs.count) << 1)
            out.append(skips.bytes)
            out.append(list.bytes)
        }
    }
}
