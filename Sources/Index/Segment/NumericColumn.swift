import Storage
/// Numeric doc values of one segment field (long, integer, date, boolean as 0/1, double as a
/// sortable long), read straight from the mapping with no per-document allocation.
///
/// Byte layout of a numeric section (8-byte aligned; offsets relative to the section start):
/// ```
/// 0   u8  width          bytes per packed value: 0, 1, 2, 4 or 8
/// 1   u8  flags          1 double · 2 multi-valued · 4 sorted · 8 presence bitset · 16 table · 32 linear
/// 2   u8  offsetsWidth   multi-valued: bytes per value offset (1, 2, 4, 8), else 0
/// 3   5 bytes zero
/// 8   i64 minValue       over all values (0 when there are none)
/// 16  i64 maxValue
/// 24  i64 base
/// 32  i64 step           packed: value = base + packed × step (step = gcd of value − min, ≥ 1)
///                        table:  value = table[packed]
///                        linear: value = base + doc × step (single-valued, width 0: `_seq_no`, constants)
/// 40  u64 valueCount     number of values (sum over docs)
/// 48  u64 docsWithValue
/// 56  u64 docCount
/// 64  u64 tableCount
/// 72  u64 packedOffset   single-valued: docCount packed values (a doc without a value repeats
///                        the previous doc's, so a sorted column stays sorted); multi-valued:
///                        valueCount packed values, each doc's ascending
/// 80  u64 offsetsOffset  multi-valued: docCount + 1 value offsets; doc d has values [off[d], off[d+1])
/// 88  u64 presenceOffset single-valued with missing docs: bitset of docs with a value, else 0
/// 96  u64 zonesOffset    per 4,096 docs (i64 min, i64 max) of the block's values;
///                        (Int64.max, Int64.min) for a block without values
/// 104 u64 tableOffset    table: tableCount ascending distinct i64 values
/// ```
/// Every array starts 8-byte aligned.
public struct NumericColumn: @unchecked Sendable {  // pointers into `owner`'s immutable mapping
    /// Documents per zone-map block.
    public static let zoneSize = 4096
    static let zoneShift = 12

    struct Flags {
        static let double: UInt8 = 1, multiValued: UInt8 = 2, sorted: UInt8 = 4, presence: UInt8 = 8
        static let table: UInt8 = 16, linear: UInt8 = 32
    }

    let owner: SegmentMapping
    let docCount: Int
    let width: Int
    let base: Int64
    let step: Int64
    let isTable: Bool
    let isLinear: Bool
    let packed: UnsafeRawPointer
    let offsets: PackedInts
    let presence: UnsafeRawPointer?
    let zones: UnsafeRawPointer
    let table: UnsafeRawPointer
    let tableCount: Int

    /// Values are doubles stored with `sortableLong`.
    public let isDouble: Bool
    public let minValue: Int64
    public let maxValue: Int64
    public let isMultiValued: Bool
    /// Single-valued and non-decreasing by doc id (over the docs that have a value).
    public let sorted: Bool
    public let docsWithValue: Int
    public let valueCount: Int
    /// Number of zone-map blocks (`zoneMin` / `zoneMax` indices).
    public var zoneCount: Int { (docCount + Self.zoneSize - 1) >> Self.zoneShift }

    init(_ c: SegmentCursor, owner: SegmentMapping, docCount: Int) throws(StorageError) {
        self.owner = owner
        width = try c.width(0)
        let flags = try c.u8(1)
        let offsetsWidth = try c.width(2)
        minValue = try c.i64(8)
        maxValue = try c.i64(16)
        base = try c.i64(24)
        step = try c.i64(32)
        valueCount = try c.int(40)
        docsWithValue = try c.int(48)
        let storedDocCount = try c.int(56)
        tableCount = try c.int(64)
        guard storedDocCount == docCount, docsWithValue <= docCount, docsWithValue <= valueCount else {
            throw c.fail("numeric header does not match the segment")
        }
        self.docCount = docCount
        isDouble = flags & Flags.double != 0
        isMultiValued = flags & Flags.multiValued != 0
        sorted = flags & Flags.sorted != 0
        isTable = flags & Flags.table != 0
        isLinear = flags & Flags.linear != 0
        if isLinear && (width != 0 || isMultiValued) { throw c.fail("bad linear numeric column") }
        if !isTable && !isLinear && step <= 0 && width > 0 { throw c.fail("bad numeric step") }
        let packedCount = isMultiValued ? valueCount : docCount
        packed = try c.pointer(try c.int(72), packedCount * width)
        if isMultiValued {
            guard offsetsWidth > 0 else { throw c.fail("missing value offsets") }
            offsets = PackedInts(base: try c.pointer(try c.int(80), (docCount + 1) * offsetsWidth), width: offsetsWidth)
            guard offsets[docCount] == UInt64(valueCount) else { throw c.fail("bad value offsets") }
        } else {
            offsets = PackedInts(base: packed, width: 0)
        }
        presence = flags & Flags.presence != 0 ? try c.pointer(try c.int(88), bitsetWordCount(docCount) * 8) : nil
        let zoneCount = (docCount + Self.zoneSize - 1) >> Self.zoneShift
        zones = try c.pointer(try c.int(96), zoneCount * 16)
        table = try c.pointer(try c.int(104), tableCount * 8)
        if isTable && tableCount == 0 && valueCount > 0 { throw c.fail("empty value table") }
    }

    // MARK: per document

    @inline(__always) func decode(_ p: UInt64) -> Int64 {
        isTable ? table.i64(Int(truncatingIfNeeded: p) &<< 3) : base &+ Int64(bitPattern: p &* UInt64(bitPattern: step))
    }

    @inline(__always) func packedValue(_ i: Int) -> UInt64 {
        switch width {
        case 1: return UInt64(packed.u8(i))
        case 2: return UInt64(packed.u16(i &<< 1))
        case 4: return UInt64(packed.u32(i &<< 2))
        case 8: return packed.u64(i &<< 3)
        default: return 0
        }
    }

    public func hasValue(_ doc: Int32) -> Bool {
        let d = Int(doc)
        if isMultiValued { return offsets[d &+ 1] > offsets[d] }
        if let presence { return presence.bit(d) }
        return true
    }

    /// The doc's first (smallest) value; only meaningful when `hasValue(doc)`.
    @inline(__always)
    public func value(_ doc: Int32) -> Int64 {
        let d = Int(doc)
        if isLinear { return base &+ step &* Int64(d) }
        if isMultiValued { return decode(packedValue(Int(truncatingIfNeeded: offsets[d]))) }
        return decode(packedValue(d))
    }

    /// Replaces `into`'s contents with all values of the doc, ascending (duplicates kept).
    public func values(_ doc: Int32, into out: inout [Int64]) {
        out.removeAll(keepingCapacity: true)
        guard hasValue(doc) else { return }
        if !isMultiValued { out.append(value(doc)); return }
        let d = Int(doc)
        for i in Int(truncatingIfNeeded: offsets[d])..<Int(truncatingIfNeeded: offsets[d &+ 1]) {
            out.append(decode(packedValue(i)))
        }
    }

    /// Smallest value in zone block `block` (docs `block·4096 ..< (block+1)·4096`);
    /// `Int64.max` when the block has no values.
    public func zoneMin(_ block: Int) -> Int64 { zones.i64(block &<< 4) }

    /// Largest value in zone block `block`; `Int64.min` when the block has no values.
    public func zoneMax(_ block: Int) -> Int64 { zones.i64(block &<< 4 &+ 8) }

    // MARK: range scan

    /// Calls `body` once, in doc-id order, for every doc having a value in `[lo, hi]`.
    public func forEachDoc(inRange lo: Int64, _ hi: Int64, _ body: (Int32) -> Void) {
        guard lo <= hi, docsWithValue > 0, lo <= maxValue, hi >= minValue else { return }
        if isLinear { return linearScan(lo, hi, body) }
        guard let (plo, span) = packedRange(lo, hi) else { return }
        if sorted { return sortedScan(plo, span, body) }
        for b in 0..<zoneCount {
            let zmin = zoneMin(b), zmax = zoneMax(b)
            if zmax < lo || zmin > hi { continue }
            let start = b &<< Self.zoneShift
            let end = min(docCount, start &+ Self.zoneSize)
            if isMultiValued {
                multiScan(start, end, plo, span, body)
            } else if presence == nil && zmin >= lo && zmax <= hi {
                for d in start..<end { body(Int32(truncatingIfNeeded: d)) }
            } else {
                switch width {
                case 1: scan(UInt8.self, start, end, plo, span, body)
                case 2: scan(UInt16.self, start, end, plo, span, body)
                case 4: scan(UInt32.self, start, end, plo, span, body)
                case 8: scan(UInt64.self, start, end, plo, span, body)
                default: scanPresent(start, end, body)  // width 0: every value is `base`, in range
                }
            }
        }
    }

    /// The packed values `[plo, plo + span]` that decode into `[lo, hi]`, or nil if none do.
    func packedRange(_ lo: Int64, _ hi: Int64) -> (UInt64, UInt64)? {
        if isTable {
            var a = 0, b = tableCount
            while a < b { let m = (a + b) >> 1; if table.i64(m << 3) < lo { a = m + 1 } else { b = m } }
            let first = a
            b = tableCount
            while a < b { let m = (a + b) >> 1; if table.i64(m << 3) <= hi { a = m + 1 } else { b = m } }
            guard first < a else { return nil }
            return (UInt64(first), UInt64(a - 1 - first))
        }
        let s = Int128(UInt64(bitPattern: step))
        let low = Int128(lo) - Int128(base), high = Int128(hi) - Int128(base)
        guard high >= 0 else { return nil }
        let plo = low <= 0 ? 0 : (low + s - 1) / s
        let phi = min(high / s, Int128(UInt64.max))
        guard plo <= phi else { return nil }
        return (UInt64(plo), UInt64(phi - plo))
    }

    @inline(__always)
    private func scan<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, _ start: Int, _ end: Int, _ plo: UInt64, _ span: UInt64,
                                                               _ body: (Int32) -> Void) {
        let p = packed
        let size = MemoryLayout<T>.size
        if let presence {
            for d in start..<end {
                let v = UInt64(T(littleEndian: p.loadUnaligned(fromByteOffset: d &* size, as: T.self)))
                if v &- plo <= span && presence.bit(d) { body(Int32(truncatingIfNeeded: d)) }
            }
        } else {
            for d in start..<end {
                let v = UInt64(T(littleEndian: p.loadUnaligned(fromByteOffset: d &* size, as: T.self)))
                if v &- plo <= span { body(Int32(truncatingIfNeeded: d)) }
            }
        }
    }

    private func scanPresent(_ start: Int, _ end: Int, _ body: (Int32) -> Void) {
        for d in start..<end where presence?.bit(d) ?? true { body(Int32(truncatingIfNeeded: d)) }
    }

    private func multiScan(_ start: Int, _ end: Int, _ plo: UInt64, _ span: UInt64, _ body: (Int32) -> Void) {
        var i = Int(truncatingIfNeeded: offsets[start])
        for d in start..<end {
            let next = Int(truncatingIfNeeded: offsets[d &+ 1])
            while i < next {
                if packedValue(i) &- plo <= span { body(Int32(truncatingIfNeeded: d)); break }
                i &+= 1
            }
            i = next
        }
    }

    /// Sorted single-valued column: binary search the first doc, then stream until past `hi`.
    private func sortedScan(_ plo: UInt64, _ span: UInt64, _ body: (Int32) -> Void) {
        var a = 0, b = docCount
        while a < b { let m = (a + b) >> 1; if packedValue(m) < plo { a = m + 1 } else { b = m } }
        var d = a
        while d < docCount {
            let v = packedValue(d)
            if v &- plo > span { break }
            if presence?.bit(d) ?? true { body(Int32(truncatingIfNeeded: d)) }
            d &+= 1
        }
    }

    /// `value = base + doc × step`: the matching docs form one range.
    private func linearScan(_ lo: Int64, _ hi: Int64, _ body: (Int32) -> Void) {
        var first = 0, last = docCount - 1
        let b = Int128(base), s = Int128(step)
        if s > 0 {
            first = max(first, Int(clamping: ceilDiv(Int128(lo) - b, s)))
            last = min(last, Int(clamping: floorDiv(Int128(hi) - b, s)))
        } else if s < 0 {
            first = max(first, Int(clamping: ceilDiv(b - Int128(hi), -s)))
            last = min(last, Int(clamping: floorDiv(b - Int128(lo), -s)))
        }
        guard first <= last else { return }
        scanPresent(first, last + 1, body)
    }

    // MARK: doubles

    /// Lucene's `NumericUtils.doubleToSortableLong`: a long that sorts like the double
    /// (−0.0 before 0.0, NaN last).
    public static func sortableLong(_ d: Double) -> Int64 {
        let bits = Int64(bitPattern: (d.isNaN ? Double.nan : d).bitPattern)
        return bits ^ ((bits >> 63) & Int64.max)
    }

    /// The inverse of `sortableLong`.
    public static func double(fromSortable l: Int64) -> Double {
        Double(bitPattern: UInt64(bitPattern: l ^ ((l >> 63) & Int64.max)))
    }
}

@inline(__always) func floorDiv(_ a: Int128, _ b: Int128) -> Int128 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always) func ceilDiv(_ a: Int128, _ b: Int128) -> Int128 {
    let q = a / b
    return (a % b != 0 && (a < 0) == (b < 0)) ? q + 1 : q
}
