import Index
import JSON
import Query

/// ⌊d / interval⌋ as a bucket index, nil when not a finite Int64 (NaN, infinities, huge values).
/// No libm call: truncate, then step down for negative fractions.
@inline(__always) func bucketIndex(_ d: Double, _ interval: Double) -> Int64? {
    let q = d / interval
    guard q.isFinite, abs(q) < 9.0e18 else { return nil }
    var idx = Int64(q)
    if Double(idx) > q { idx &-= 1 }
    return idx
}

/// histogram: bucket index ⌊(v − offset) / interval⌋ per value, hashed with the owner.
final class HistogramCollector: BucketCollector {
    let source: FieldSource
    let interval: Double
    let offset: Double
    let hardMin: Double?
    let hardMax: Double?
    let spec: HistogramSpec
    let ords = BucketOrds()
    /// Bucket indexes are stored relative to this one (the column's lowest), so that a narrow
    /// column's buckets are array slots rather than hash entries.
    let indexBase: Int64
    /// Without sub-aggregations under a single owner, a narrow column counts straight into
    /// per-index slots; they become buckets in `finish`.
    private let slots: UnsafeMutablePointer<Int64>?
    private let slotCount: Int
    /// The slots are kept `lanes` times over and consecutive values count into different
    /// copies: most values fall into a few buckets, and increments of one memory slot in a row
    /// wait for each other.
    static let lanes = 4

    init(_ spec: HistogramSpec, source: FieldSource, subs: [Collector], singleOwner: Bool = false) {
        self.source = source
        self.spec = spec
        interval = spec.interval
        offset = spec.offset
        hardMin = spec.hardBounds?.min
        hardMax = spec.hardBounds?.max
        var base: Int64 = 0
        var space = 0
        if let col = source.numeric, col.valueCount > 0, source.missingRaw == nil {
            func index(_ raw: Int64) -> Double {
                let v = source.isDouble ? NumericColumn.double(fromSortable: raw) : source.isUnsigned ? UnsignedLong.double(raw) : Double(raw)
                return ((v - spec.offset) / spec.interval).rounded(.down)
            }
            let lo = index(col.minValue), hi = index(col.maxValue)
            if lo.isFinite, hi.isFinite, abs(lo) < 9.0e18, hi - lo < 65_536 {
                base = Int64(lo)
                ords.enableDense(keySpace: Int(hi - lo) + 1)
                space = Int(hi - lo) + 1
            }
        }
        indexBase = base
        if singleOwner && subs.isEmpty && space > 0 {
            let p = UnsafeMutablePointer<Int64>.allocate(capacity: space * HistogramCollector.lanes)
            p.initialize(repeating: 0, count: space * HistogramCollector.lanes)
            slots = p
            slotCount = space
        } else {
            slots = nil
            slotCount = 0
        }
        super.init(subs: subs)
    }

    /// Decoded values of one batch (single-valued fast path).
    private var scratch = UnsafeMutablePointer<Double>.allocate(capacity: 0)
    private var scratchCapacity = 0

    deinit {
        slots?.deallocate()
        scratch.deallocate()
    }

    override func finish() throws(OpenSearchError) {
        if let slots {
            for k in 0..<slotCount {
                var total: Int64 = 0
                for lane in 0..<HistogramCollector.lanes {
                    total &+= slots[lane * slotCount + k]
                    slots[lane * slotCount + k] = 0
                }
                if total > 0 { addCount(ords.add(0, Int64(k)), total) }
            }
        }
        try super.finish()
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        let interval = self.interval, offset = self.offset
        let isDouble = src.isDouble, isUnsigned = src.isUnsigned
        let bounded = hardMin != nil || hardMax != nil
        var lastDoc = -1, lastIndex = Int64.min
        let base = indexBase
        if let slots, !bounded {
            let count = UInt64(slotCount)
            if scratchCapacity < docs.count {
                scratch.deallocate()
                scratchCapacity = Swift.max(1024, docs.count)
                scratch = .allocate(capacity: scratchCapacity)
            }
            if let decoded = src.sharedDoubles(docs, into: scratch), let buf = decoded.baseAddress ?? UnsafePointer(scratch) as UnsafePointer<Double>? {
                // Single-valued: one value per doc, no per-doc dedup; the values' slots are in
                // range by construction (the column's min/max made the slot space).
                let n = decoded.count
                var overflow: [Int64] = []
                // ⌊(v − offset) / interval⌋ with the same IEEE division OpenSearch does. Four
                // independent values per step keep the divider busy, and nothing here branches on
                // the data except negative fractions and out-of-range quotients.
                let skip = Int64.min
                @inline(__always) func slot(_ v: Double) -> Int64 {
                    let q = (v - offset) / interval
                    guard abs(q) < 9.0e18 else { return skip }
                    var idx = Int64(q)
                    if Double(idx) > q { idx &-= 1 }
                    return idx &- base
                }
                @inline(__always) func tally(_ s: Int64, into lane: UnsafeMutablePointer<Int64>) {
                    if UInt64(bitPattern: s) < count { lane[Int(s)] &+= 1 } else if s != skip { overflow.append(s) }
                }
                let lane1 = slots + slotCount, lane2 = slots + 2 * slotCount, lane3 = slots + 3 * slotCount
                var k = 0
                while k &+ 4 <= n {
                    let a = slot(buf[k]), b = slot(buf[k &+ 1]), c = slot(buf[k &+ 2]), e = slot(buf[k &+ 3])
                    tally(a, into: slots)
                    tally(b, into: lane1)
                    tally(c, into: lane2)
                    tally(e, into: lane3)
                    k &+= 4
                }
                while k < n {
                    tally(slot(buf[k]), into: slots)
                    k &+= 1
                }
                for slot in overflow { addCount(ords.add(0, slot), 1) }
                return
            }
            src.forEachValue(docs) { i, raw in
                let v = isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw)
                guard let idx = bucketIndex(v - offset, interval) else { return }
                if i == lastDoc && idx == lastIndex { return }
                lastDoc = i; lastIndex = idx
                let slot = idx &- base
                if UInt64(bitPattern: slot) < count {
                    slots[Int(slot)] &+= 1
                } else {
                    emit(docs[i], ords.add(owners[i], slot))
                }
            }
            return
        }
        src.forEachValue(docs) { i, raw in
            let v = isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw)
            guard let idx = bucketIndex(v - offset, interval) else { return }
            if i == lastDoc && idx == lastIndex { return }  // one count per doc and bucket
            lastDoc = i; lastIndex = idx
            if bounded {
                let key = Double(idx) * interval + offset
                if let lo = hardMin, key < lo { return }
                if let hi = hardMax, key > hi { return }
            }
            emit(docs[i], ords.add(owners[i], idx &- base))
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.format = source.format.isRaw ? .raw : source.format
        for b in ords.ords(of: owner) {
            let idx = ords.keys[Int(b)] &+ indexBase
            s.buckets.append(Bucket(key: .double(Double(idx) * interval + offset), docCount: docCount(b), subs: subStates(b)))
        }
        s.extendedMin = spec.extendedBounds?.min
        s.extendedMax = spec.extendedBounds?.max
        s.hardMin = hardMin
        s.hardMax = hardMax
        return .buckets(s)
    }
}

/// date_histogram: rounds each date with a `PreparedRounding` (calendar or fixed interval, time
/// zone, offset).
final class DateHistogramCollector: BucketCollector {
    let source: FieldSource
    let rounding: PreparedRounding
    let hardMin: Int64?
    let hardMax: Int64?
    let extendedMin: Int64?
    let extendedMax: Int64?
    let ords = BucketOrds()

    init(_ spec: DateHistogramSpec, source: FieldSource, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        self.source = source
        let rounding = PreparedRounding(interval: spec.interval, zone: spec.zone, offset: spec.offset)
        self.rounding = rounding
        func date(_ v: JSONValue?, roundUp: Bool = false) throws(OpenSearchError) -> Int64? {
            guard let v else { return nil }
            return try FieldSource.stored(v, isDate: true, isBoolean: false, isDouble: false, format: source.dateFormat, zone: spec.zone,
                                          now: ctx.ctx.now, field: source.field, roundUp: roundUp)
        }
        hardMin = try date(spec.hardBounds?.min)
        hardMax = try date(spec.hardBounds?.max)
        let emin = try date(spec.extendedBounds?.min), emax = try date(spec.extendedBounds?.max)
        if let a = emin, let b = emax, a > b {
            throw OpenSearchError.illegalArgument("[extended_bounds.min][\(a)] cannot be greater than [extended_bounds.max][\(b)]")
        }
        extendedMin = emin.map { rounding.round($0) }
        extendedMax = emax.map { rounding.round($0) }
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        let rounding = self.rounding
        let ords = self.ords
        let lo = hardMin ?? .min, hi = hardMax ?? .max
        var lastDoc = -1, lastKey = Int64.min
        if let a = rounding.arithmetic {
            // Fixed zone and unit (UTC days, hours, fixed intervals): plain arithmetic, inlined.
            let unit = a.unit, bias = a.offsetMillis &- rounding.shift
            src.forEachValue(docs) { i, raw in
                let local = raw &+ bias
                var q = local / unit
                if local % unit != 0 && local < 0 { q &-= 1 }
                let key = q &* unit &- bias
                if i == lastDoc && key == lastKey { return }
                lastDoc = i; lastKey = key
                if key < lo || key > hi { return }
                emit(docs[i], ords.add(owners[i], key))
            }
            return
        }
        src.forEachValue(docs) { i, raw in
            let key = rounding.round(raw)
            if i == lastDoc && key == lastKey { return }  // one count per doc and bucket
            lastDoc = i; lastKey = key
            if key < lo || key > hi { return }
            emit(docs[i], ords.add(owners[i], key))
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.format = source.format
        for b in ords.ords(of: owner) {
            s.buckets.append(Bucket(key: .long(ords.keys[Int(b)]), docCount: docCount(b), subs: subStates(b)))
        }
        s.extendedMin = extendedMin.map(Double.init)
        s.extendedMax = extendedMax.map(Double.init)
        s.hardMin = hardMin.map(Double.init)
        s.hardMax = hardMax.map(Double.init)
        return .buckets(s)
    }
}
