import Index
import JSON
import Query

/// histogram: bucket index ⌊(v − offset) / interval⌋ per value, hashed with the owner.
final class HistogramCollector: BucketCollector {
    let source: FieldSource
    let interval: Double
    let offset: Double
    let hardMin: Double?
    let hardMax: Double?
    let spec: HistogramSpec
    let ords = BucketOrds()

    init(_ spec: HistogramSpec, source: FieldSource, subs: [Collector]) {
        self.source = source
        self.spec = spec
        interval = spec.interval
        offset = spec.offset
        hardMin = spec.hardBounds?.min
        hardMax = spec.hardBounds?.max
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        let interval = self.interval, offset = self.offset
        for i in 0..<docs.count {
            let doc = docs[i]
            let n = src.loadNumeric(doc)
            var previous = Int64.min
            for k in 0..<n {
                let v = src.double(src.scratch[k])
                let idxD = ((v - offset) / interval).rounded(.down)
                guard idxD.isFinite, abs(idxD) < 9.0e18 else { continue }
                let idx = Int64(idxD)
                if k > 0 && idx == previous { continue }
                previous = idx
                if hardMin != nil || hardMax != nil {
                    let key = Double(idx) * interval + offset
                    if let lo = hardMin, key < lo { continue }
                    if let hi = hardMax, key > hi { continue }
                }
                emit(doc, ords.add(owners[i], idx))
            }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.format = source.format.isRaw ? .raw : source.format
        for b in ords.ords(of: owner) {
            s.buckets.append(Bucket(key: .double(Double(ords.keys[Int(b)]) * interval + offset), docCount: docCount(b), subs: subStates(b)))
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
        let bounded = hardMin != nil || hardMax != nil
        if let col = src.numeric, !col.isMultiValued, src.missingRaw == nil, !bounded {
            for i in 0..<docs.count {
                let d = docs[i]
                guard col.hasValue(d) else { continue }
                emit(d, ords.add(owners[i], rounding.round(col.value(d))))
            }
            return
        }
        for i in 0..<docs.count {
            let doc = docs[i]
            let n = src.loadNumeric(doc)
            var previous = Int64.min
            for k in 0..<n {
                let key = rounding.round(src.scratch[k])
                if k > 0 && key == previous { continue }
                previous = key
                if let lo = hardMin, key < lo { continue }
                if let hi = hardMax, key > hi { continue }
                emit(doc, ords.add(owners[i], key))
            }
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

/// range and date_range: ranges sorted by (from, to), each document counted once per range.
final class RangeCollector: BucketCollector {
    let source: FieldSource
    let resolved: [ResolvedRange]
    let lows: [Double]
    let highs: [Double]
    var hit: [Bool]

    init(_ spec: RangeSpec, source: FieldSource, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        self.source = source
        var list: [ResolvedRange] = []
        for e in spec.ranges {
            func bound(_ v: JSONValue?) throws(OpenSearchError) -> Double? {
                guard let v else { return nil }
                if source.isDate {
                    return Double(try FieldSource.stored(v, isDate: true, isBoolean: false, isDouble: false, format: source.dateFormat,
                                                         zone: spec.zone ?? .utc, now: ctx.ctx.now, field: source.field))
                }
                guard let d = v.doubleValue else { throw OpenSearchError.illegalArgument("[\(QueryValues.text(v) ?? v.tokenName)] is not a number") }
                return d
            }
            let from = try bound(e.from), to = try bound(e.to)
            let key = e.key ?? RangeCollector.key(from, to, source.format)
            list.append(ResolvedRange(key: key, from: from, to: to))
        }
        // OpenSearch sorts ranges by from, then to (stable).
        let sorted = list.enumerated().sorted { a, b in
            let fa = a.element.from ?? -.infinity, fb = b.element.from ?? -.infinity
            if fa != fb { return fa < fb }
            let ta = a.element.to ?? .infinity, tb = b.element.to ?? .infinity
            if ta != tb { return ta < tb }
            return a.offset < b.offset
        }.map(\.element)
        resolved = sorted
        lows = sorted.map { $0.from ?? -.infinity }
        highs = sorted.map { $0.to ?? .infinity }
        hit = [Bool](repeating: false, count: sorted.count)
        super.init(subs: subs)
    }

    static func key(_ from: Double?, _ to: Double?, _ format: ValueFormat) -> String {
        (from.map { format.keyText($0) } ?? "*") + "-" + (to.map { format.keyText($0) } ?? "*")
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        let n = resolved.count
        for i in 0..<docs.count {
            let doc = docs[i]
            let count = src.loadNumeric(doc)
            let base = owners[i] &* Int32(n)
            if count == 1 {
                let v = src.double(src.scratch[0])
                for r in 0..<n where v >= lows[r] && v < highs[r] { emit(doc, base &+ Int32(r)) }
            } else if count > 1 {
                // Several values: each range counts the document once.
                for r in 0..<n { hit[r] = false }
                for k in 0..<count {
                    let v = src.double(src.scratch[k])
                    for r in 0..<n where v >= lows[r] && v < highs[r] { hit[r] = true }
                }
                for r in 0..<n where hit[r] { emit(doc, base &+ Int32(r)) }
            }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.format = source.format
        s.ranges = resolved
        let n = resolved.count
        for r in 0..<n {
            let b: Int32 = owner < 0 ? -1 : owner &* Int32(n) &+ Int32(r)
            s.buckets.append(Bucket(key: .position(r), docCount: docCount(b), subs: subStates(b)))
        }
        return .buckets(s)
    }
}

/// filter: the query's documents in this segment, intersected with each incoming batch.
final class FilterCollector: BucketCollector {
    let set: DocSet

    init(_ query: Query, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        set = try ctx.ctx.docs(matching: query)
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        for i in 0..<docs.count where set.contains(docs[i]) { emit(docs[i], owners[i]) }
    }

    override func state(_ owner: Int32) -> AggState { .single(Bucket(key: .position(0), docCount: docCount(owner), subs: subStates(owner))) }
}

/// filters: one bucket per filter (plus `other`), bucket = owner × n + filter.
final class FiltersCollector: BucketCollector {
    let sets: [DocSet]
    let other: Bool
    let width: Int32

    init(_ spec: FiltersSpec, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        var sets: [DocSet] = []
        for f in spec.filters { sets.append(try ctx.ctx.docs(matching: f.query)) }
        self.sets = sets
        other = spec.otherBucket
        width = Int32(sets.count + (spec.otherBucket ? 1 : 0))
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let n = sets.count
        for i in 0..<docs.count {
            let doc = docs[i]
            var matched = false
            for f in 0..<n where sets[f].contains(doc) {
                matched = true
                emit(doc, owners[i] &* width &+ Int32(f))
            }
            if other && !matched { emit(doc, owners[i] &* width &+ Int32(n)) }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        for f in 0..<Int(width) {
            let b: Int32 = owner < 0 ? -1 : owner &* width &+ Int32(f)
            s.buckets.append(Bucket(key: .position(f), docCount: docCount(b), subs: subStates(b)))
        }
        return .buckets(s)
    }
}

/// missing: documents without a value (a `missing` parameter fills them, so none are missing).
final class MissingCollector: BucketCollector {
    let source: FieldSource

    init(source: FieldSource, subs: [Collector]) {
        self.source = source
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        if source.missingRaw != nil || source.missingBytes != nil { return }
        for i in 0..<docs.count {
            let d = docs[i]
            let has: Bool
            if let col = source.numeric { has = col.hasValue(d) }
            else if let o = source.ords { has = o.firstOrd(d) >= 0 }
            else { has = false }
            if !has { emit(d, owners[i]) }
        }
    }

    override func state(_ owner: Int32) -> AggState { .single(Bucket(key: .position(0), docCount: docCount(owner), subs: subStates(owner))) }
}

/// global: ignores the query; collects every live document of the segment once.
final class GlobalCollector: BucketCollector {
    let ctx: CollectContext

    init(subs: [Collector], ctx: CollectContext) {
        self.ctx = ctx
        super.init(subs: subs)
    }

    override func finish() throws(OpenSearchError) {
        emitAll(ctx.ctx.liveSet, 0)
        try super.finish()
    }

    override func state(_ owner: Int32) -> AggState { .single(Bucket(key: .position(0), docCount: docCount(owner), subs: subStates(owner))) }
}
