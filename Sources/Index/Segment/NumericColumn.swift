import Storage
/// Numeric doc values of one segment field (long, integer, date, boolean as 0/1, double as a
/// sortable long), read straight from the mapping with no per-document allocation.
///
/// Byte layout of a numeric section (8-byte aligned; offsets relative to the section start):
/// ```
/// 0   u8  encoding       0 linear · 1 table · 2 packed · 3 blocks
/// 1   u8  flags          1 double · 2 multi-valued · 4 sorted · 8 presence bitset
/// 2   u8  bits           bits per stored value (table, packed, blocks), else 0
/// 3   u8  offsetsBits    multi-valued: bits per value offset, else 0
/// 4   4 bytes zero
/// 8   i64 minValue       over all values (0 when there are none)
/// 16  i64 maxValue
/// 24  i64 base
/// 32  i64 step
/// 40  u64 valueCount     number of values (sum over docs)
/// 48  u64 docsWithValue
/// 56  u64 docCount
/// 64  u64 tableCount
/// 72  u64 valuesOffset   the stored values s[i], one per doc (single-valued; a doc without a
///                        value repeats the previous doc's, so a sorted column stays sorted) or
///                        valueCount (multi-valued, each doc's ascending):
///                        linear: none; value = base + doc × step (`_seq_no`, constants)
///                        table:  `PackedInts` s; value = table[s[i]]
///                        packed: `PackedInts` s; value = base + s[i] × step
///                        blocks: `BlockedInts` s; value = base + s[i] × step
///                        (packed, blocks: base = minValue, step = gcd of value − min, ≥ 1)
/// 80  u64 offsetsOffset  multi-valued: `PackedInts` of docCount + 1 value offsets; doc d has
///                        values [off[d], off[d+1])
/// 88  u64 presenceOffset single-valued with missing docs: bitset of docs with a value, else 0
/// 96  u64 zonesOffset    per 4,096 docs (i64 min, i64 max) of the block's values;
///                        (Int64.max, Int64.min) for a block without values
/// 104 u64 tableOffset    table: tableCount ascending distinct i64 values
/// ```
/// Every array starts 8-byte aligned.
public struct NumericColumn: @unchecked Sendable {  // pointers into `owner`'s immutable mapping
    /// Documents per zone-map block.
    @inlinable public static var zoneSize: Int { 4096 }
    @inlinable static var zoneShift: Int { 12 }

    enum Encoding: UInt8 { case linear = 0, table = 1, packed = 2, blocks = 3 }

    struct Flags {
        static let double: UInt8 = 1, multiValued: UInt8 = 2, sorted: UInt8 = 4, presence: UInt8 = 8
    }

    // The per-document accessors are @inlinable, so that a caller's loop inlines them (and its
    // closure into `forEachDoc`): no call, closure or dispatch per document.
    let owner: SegmentMapping
    let encoding: Encoding
    @usableFromInline let docCount: Int
    @usableFromInline let isLinear: Bool
    @usableFromInline let isTable: Bool
    @usableFromInline let hasBlocks: Bool
    @usableFromInline let base: Int64
    @usableFromInline let step: Int64
    /// table, packed: the stored values (blocks: the offsets of `blocked`).
    @usableFromInline let packed: PackedInts
    /// blocks: the stored values.
    @usableFromInline let blocked: BlockedInts
    @usableFromInline let offsets: PackedInts
    @usableFromInline let presence: UnsafeRawPointer?
    @usableFromInline let zones: UnsafeRawPointer
    @usableFromInline let table: UnsafeRawPointer
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
    @inlinable public var zoneCount: Int { (docCount + Self.zoneSize - 1) >> Self.zoneShift }

    /// Bits per stored value: for tests and size reports.
    var bitsPerValue: Int { packed.bits }

    init(_ c: SegmentCursor, owner: SegmentMapping, docCount: Int) throws(StorageError) {
        self.owner = owner
        guard let encoding = Encoding(rawValue: try c.u8(0)) else { throw c.fail("unknown numeric encoding") }
        self.encoding = encoding
        isLinear = encoding == .linear
        isTable = encoding == .table
        hasBlocks = encoding == .blocks
        let flags = try c.u8(1)
        let bits = try c.bits(2), offsetsBits = try c.bits(3)
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
        if encoding == .linear && (isMultiValued || bits != 0) { throw c.fail("bad linear numeric column") }
        if (encoding == .packed || encoding == .blocks) && step <= 0 { throw c.fail("bad numeric step") }
        let storedCount = isMultiValued ? valueCount : docCount
        let dummy = try c.pointer(0, 8)
        switch encoding {
        case .linear:
            packed = PackedInts(base: dummy, bits: 0)
            blocked = BlockedInts(bases: dummy, offsets: packed)
        case .table, .packed:
            packed = try c.packedInts(try c.int(72), count: storedCount, bits: bits)
            blocked = BlockedInts(bases: dummy, offsets: packed)
        case .blocks:
            blocked = try BlockedInts(c, at: try c.int(72), count: storedCount, bits: bits)
            packed = blocked.offsets
        }
        if isMultiValued {
            offsets = try c.packedInts(try c.int(80), count: docCount + 1, bits: offsetsBits)
            guard offsets[0] == 0, offsets[docCount] == UInt64(valueCount) else { throw c.fail("bad value offsets") }
            for d in 0..<docCount where offsets[d] > offsets[d + 1] { throw c.fail("bad value offsets") }
        } else {
            offsets = PackedInts(base: dummy, bits: 0)
        }
        presence = flags & Flags.presence != 0 ? try c.pointer(try c.int(88), bitsetWordCount(docCount) * 8) : nil
        let zoneCount = (docCount + Self.zoneSize - 1) >> Self.zoneShift
        zones = try c.pointer(try c.int(96), zoneCount * 16)
        table = try c.pointer(try c.int(104), tableCount * 8)
        if encoding == .table {
            if tableCount == 0 && valueCount > 0 { throw c.fail("empty value table") }
            // Every stored index must address the table (checked once, so lookups need no bounds check).
            for i in 0..<storedCount where packed[i] >= UInt64(tableCount) { throw c.fail("table index out of range") }
        }
    }

    // MARK: per document

    /// The stored value s[i] (a table index or a unit) at doc or value index `i`.
    @inlinable @inline(__always) func stored(_ i: Int) -> UInt64 {
        hasBlocks ? blocked[i] : packed[i]
    }

    @inlinable @inline(__always) func decode(_ s: UInt64) -> Int64 {
        isTable ? table.i64(Int(truncatingIfNeeded: s) &<< 3) : base &+ Int64(bitPattern: s &* UInt64(bitPattern: step))
    }

    @inlinable
    public func hasValue(_ doc: Int32) -> Bool {
        let d = Int(doc)
        if isMultiValued { return offsets[d &+ 1] > offsets[d] }
        if let presence { return presence.bit(d) }
        return true
    }

    /// The doc's first (smallest) value; only meaningful when `hasValue(doc)`.
    @inlinable @inline(__always)
    public func value(_ doc: Int32) -> Int64 {
        var i = Int(doc)
        if isLinear { return base &+ step &* Int64(i) }
        if isMultiValued { i = Int(truncatingIfNeeded: offsets[i]) }
        return decode(stored(i))
    }

    /// Replaces `into`'s contents with all values of the doc, ascending (duplicates kept).
    @inlinable
    public func values(_ doc: Int32, into out: inout [Int64]) {
        out.removeAll(keepingCapacity: true)
        guard hasValue(doc) else { return }
        if !isMultiValued { out.append(value(doc)); return }
        let d = Int(doc)
        for i in Int(truncatingIfNeeded: offsets[d])..<Int(truncatingIfNeeded: offsets[d &+ 1]) {
            out.append(decode(stored(i)))
        }
    }

    /// Smallest value in zone block `block` (docs `block·4096 ..< (block+1)·4096`);
    /// `Int64.max` when the block has no values.
    @inlinable public func zoneMin(_ block: Int) -> Int64 { zones.i64(block &<< 4) }

    /// Largest value in zone block `block`; `Int64.min` when the block has no values.
    @inlinable public func zoneMax(_ block: Int) -> Int64 { zones.i64(block &<< 4 &+ 8) }

    // MARK: range scan

    /// Calls `body` once, in doc-id order, for every doc having a value in `[lo, hi]`.
    @inlinable
    public func forEachDoc(inRange lo: Int64, _ hi: Int64, _ body: (Int32) -> Void) {
        guard lo <= hi, docsWithValue > 0, lo <= maxValue, hi >= minValue else { return }
        if isLinear {
            let (first, end) = linearRange(lo, hi)
            return emit(first, end, body)
        }
        guard let (plo, span) = packedRange(lo, hi) else { return }
        if sorted {
            // The matching docs form one range: the zone maps and two binary searches find it.
            let first = firstDoc(after: lo, orAt: true, stored: plo)
            return emit(first, firstDoc(after: hi, orAt: false, stored: plo &+ span), body)
        }
        for b in 0..<zoneCount {
            let zmin = zoneMin(b), zmax = zoneMax(b)
            if zmax < lo || zmin > hi { continue }
            let start = b &<< Self.zoneShift
            let end = min(docCount, start &+ Self.zoneSize)
            if isMultiValued {
                multiScan(start, end, plo, span, body)
            } else if zmin >= lo && zmax <= hi {
                emit(start, end, body)
            } else if hasBlocks {
                // Per 1,024-doc block, compare the offsets against the range shifted by the block's base.
                var from = start
                while from < end {
                    let to = min(end, from &+ BlockedInts.blockSize)
                    scan(from, to, plo &- blocked.base(from &>> BlockedInts.blockShift), span, body)
                    from = to
                }
            } else {
                scan(start, end, plo, span, body)
            }
        }
    }

    /// Docs `first..<end` that have a value.
    @inlinable @inline(__always)
    func emit(_ first: Int, _ end: Int, _ body: (Int32) -> Void) {
        guard first < end else { return }
        if let presence {
            for d in first..<end where presence.bit(d) { body(Int32(truncatingIfNeeded: d)) }
        } else {
            for d in first..<end { body(Int32(truncatingIfNeeded: d)) }
        }
    }

    /// Docs `start..<end` whose `packed` value p has `p − plo ≤ span` (wrapping).
    @inlinable @inline(__always)
    func scan(_ start: Int, _ end: Int, _ plo: UInt64, _ span: UInt64, _ body: (Int32) -> Void) {
        if let presence {
            packed.forEach(start, end) { d, p in
                if p &- plo <= span && presence.bit(d) { body(Int32(truncatingIfNeeded: d)) }
            }
        } else {
            packed.forEach(start, end) { d, p in
                if p &- plo <= span { body(Int32(truncatingIfNeeded: d)) }
            }
        }
    }

    @inlinable
    func multiScan(_ start: Int, _ end: Int, _ plo: UInt64, _ span: UInt64, _ body: (Int32) -> Void) {
        var i = Int(truncatingIfNeeded: offsets[start])
        for d in start..<end {
            let next = Int(truncatingIfNeeded: offsets[d &+ 1])
            while i < next {
                if stored(i) &- plo <= span { body(Int32(truncatingIfNeeded: d)); break }
                i &+= 1
            }
            i = next
        }
    }

    /// The stored values `[plo, plo + span]` that decode into `[lo, hi]`, or nil if none do.
    @usableFromInline
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

    /// In a sorted column: the first doc whose value is ≥ `bound` (`orAt`) or > `bound`, given
    /// its stored form `packedBound`; `docCount` if none.
    @usableFromInline
    func firstDoc(after bound: Int64, orAt: Bool, stored packedBound: UInt64) -> Int {
        var zone = 0
        while zone < zoneCount && (orAt ? zoneMax(zone) < bound : zoneMax(zone) <= bound) { zone &+= 1 }
        var a = min(docCount, zone &<< Self.zoneShift), b = min(docCount, a &+ Self.zoneSize)
        while a < b {
            let m = (a + b) >> 1
            if orAt ? stored(m) < packedBound : stored(m) <= packedBound { a = m + 1 } else { b = m }
        }
        return a
    }

    /// `value = base + doc × step`: the docs `first..<end` whose value is in `[lo, hi]`.
    @usableFromInline
    func linearRange(_ lo: Int64, _ hi: Int64) -> (Int, Int) {
        var first = 0, last = docCount - 1
        let b = Int128(base), s = Int128(step)
        if s > 0 {
            first = max(first, Int(clamping: ceilDiv(Int128(lo) - b, s)))
            last = min(last, Int(clamping: floorDiv(Int128(hi) - b, s)))
        } else if s < 0 {
            first = max(first, Int(clamping: ceilDiv(b - Int128(hi), -s)))
            last = min(last, Int(clamping: floorDiv(b - Int128(lo), -s)))
        }
        return (first, max(first, last + 1))
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
