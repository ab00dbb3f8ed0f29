import Storage

/// A read-only view of unsigned integers of `bits` bits each, bit-packed, in a mapping.
///
/// Byte layout (the array starts 8-byte aligned):
/// ```
/// value i occupies bits [i·bits, (i+1)·bits) of the little-endian bit stream (bit k is bit k % 8
/// of byte k / 8); then ≥ 8 zero bytes, so that every value is one unaligned u64 load, shift, mask
/// ```
/// `bits` is 0…57 or 64 (a value never straddles 9 bytes). Width 0 reads as all zeros.
@usableFromInline
struct PackedInts {
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let bits: Int
    @usableFromInline let mask: UInt64

    @usableFromInline
    init(base: UnsafeRawPointer, bits: Int) {
        self.base = base
        self.bits = bits
        mask = UInt64.max >> UInt64(64 - bits)  // smart shift: 0 for bits == 0
    }

    @inlinable @inline(__always) subscript(i: Int) -> UInt64 {
        let pos = i &* bits
        return base.u64(pos &>> 3) &>> UInt64(truncatingIfNeeded: pos & 7) & mask
    }

    /// Calls `body(i, value)` for entries `from..<to` in order, unpacking 57 / bits values per load.
    @inlinable @inline(__always)
    func forEach(_ from: Int, _ to: Int, _ body: (Int, UInt64) -> Void) {
        var i = from
        guard bits > 0 else {
            while i < to { body(i, 0); i &+= 1 }
            return
        }
        let perLoad = 57 / bits  // (pos & 7) + perLoad × bits ≤ 64; 0 for 64-bit values
        let shift = UInt64(truncatingIfNeeded: bits)
        var pos = i &* bits
        while perLoad > 0 && i &+ perLoad <= to {
            var word = base.u64(pos &>> 3) &>> UInt64(truncatingIfNeeded: pos & 7)
            for _ in 0..<perLoad {
                body(i, word & mask)
                word &>>= shift
                i &+= 1
            }
            pos &+= perLoad &* bits
        }
        while i < to { body(i, self[i]); i &+= 1 }
    }

    /// Bytes of `count` values of `bits` bits, the zero tail included.
    static func byteCount(_ count: Int, bits: Int) -> Int { (count * bits + 7) / 8 + 8 }

    /// The smallest storable width (0…57 or 64) that holds `maxValue`.
    static func bitsRequired(_ maxValue: UInt64) -> Int {
        let b = 64 - maxValue.leadingZeroBitCount
        return b > 57 ? 64 : b
    }

    static func isValidWidth(_ bits: Int) -> Bool { (0...57).contains(bits) || bits == 64 }
}

/// Unsigned integers stored as a base per 1,024 entries plus bit-packed offsets from it, all of
/// one width: clustered sequences (timestamps in arrival order) need only the bits of a block's
/// range, and a read costs one more (cached) load than `PackedInts`.
///
/// Byte layout (starts 8-byte aligned; `count` and `bits` are known to the owner):
/// ```
/// ceil(count / 1024) u64 bases, then a `PackedInts` of count offsets of `bits` bits;
/// entry i = bases[i / 1024] + offsets[i]
/// ```
@usableFromInline
struct BlockedInts {
    @inlinable static var blockShift: Int { 10 }
    @inlinable static var blockSize: Int { 1 << blockShift }

    @usableFromInline let bases: UnsafeRawPointer
    @usableFromInline let offsets: PackedInts

    @inlinable @inline(__always) subscript(i: Int) -> UInt64 {
        bases.u64((i &>> Self.blockShift) &<< 3) &+ offsets[i]
    }

    /// The base of block `b` (entries `b·1024 ..< (b+1)·1024`).
    @inlinable @inline(__always) func base(_ b: Int) -> UInt64 { bases.u64(b &<< 3) }

    /// Opens the array of `count` entries of `bits` bits at `offset` of the cursor's section.
    init(_ c: SegmentCursor, at offset: Int, count: Int, bits: Int) throws(StorageError) {
        let blocks = (count + Self.blockSize - 1) >> Self.blockShift
        bases = try c.pointer(offset, blocks * 8)
        offsets = try c.packedInts(offset + blocks * 8, count: count, bits: bits)
    }

    init(bases: UnsafeRawPointer, offsets: PackedInts) {
        self.bases = bases
        self.offsets = offsets
    }

    /// The width `SegmentBuffer.blockedInts` uses for `values`.
    static func bitsRequired(_ values: [UInt64]) -> Int {
        var widest: UInt64 = 0
        var start = 0
        while start < values.count {
            let block = values[start..<min(values.count, start + blockSize)]
            widest = max(widest, block.max()! - block.min()!)
            start += blockSize
        }
        return PackedInts.bitsRequired(widest)
    }

    /// Bytes of `count` values of `bits` bits.
    static func byteCount(_ count: Int, bits: Int) -> Int {
        (count + blockSize - 1) / blockSize * 8 + (PackedInts.byteCount(count, bits: bits) + 7) / 8 * 8
    }
}

/// Writes `PackedInts` arrays.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var pending = 0  // bits in `accumulator`

    /// Bits written so far.
    var bitCount: Int { bytes.count * 8 + pending }

    mutating func append(_ value: UInt64, bits: Int) {
        guard bits > 0 else { return }
        if bits == 64 {
            append(value & 0xFFFF_FFFF, bits: 32)
            append(value >> 32, bits: 32)
            return
        }
        let v = value & (UInt64.max >> UInt64(64 - bits))
        accumulator |= v << UInt64(pending)
        pending += bits
        while pending >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            pending -= 8
        }
    }

    /// The packed bytes plus the 8-byte zero tail readers rely on.
    mutating func finish() -> [UInt8] {
        if pending > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)) }
        accumulator = 0
        pending = 0
        bytes.append(contentsOf: repeatElement(0, count: 8))
        return bytes
    }
}

extension SegmentBuffer {
    /// Appends `values` as a `PackedInts` array of `bits` bits (from `PackedInts.bitsRequired`),
    /// then pads to 8.
    mutating func packedInts<S: Sequence>(_ values: S, bits: Int) where S.Element == UInt64 {
        precondition(PackedInts.isValidWidth(bits))
        var w = BitWriter()
        for v in values { w.append(v, bits: bits) }
        append(w.finish())
        align()
    }

    /// Appends `values` as a `BlockedInts` array of `bits` (`BlockedInts.bitsRequired(values)`)
    /// bits at the buffer's 8-aligned position, then pads to 8.
    mutating func blockedInts(_ values: [UInt64], bits: Int) {
        precondition(count & 7 == 0)
        var bases: [UInt64] = []
        var start = 0
        while start < values.count {
            bases.append(values[start..<min(values.count, start + BlockedInts.blockSize)].min()!)
            start += BlockedInts.blockSize
        }
        for b in bases { u64(b) }
        packedInts(values.indices.lazy.map { values[$0] - bases[$0 >> BlockedInts.blockShift] }, bits: bits)
    }
}
