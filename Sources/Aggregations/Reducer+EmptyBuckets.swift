import Foundation
import Index
import JSON
import Query

/// Empty buckets: histogram gaps (`min_doc_count: 0`, `extended_bounds`, `hard_bounds`) and the
/// states of aggregations that saw no documents.
extension Reducer {
    // MARK: empty buckets

    /// A double as Int64, saturating at the ends (and NaN as 0) instead of trapping: request
    /// bounds such as 1e300 reach here.
    static func clamped(_ d: Double) -> Int64 {
        if d.isNaN { return 0 }
        if d >= 9.223372036854775807e18 { return .max }
        if d <= -9.223372036854775808e18 { return .min }
        return Int64(d)
    }

    mutating func fillHistogram(_ s: inout BucketsState, _ spec: HistogramSpec, _ node: AggNode) throws(OpenSearchError) {
        s.buckets.sort { BucketKey.less($0.key, $1.key) }
        guard spec.minDocCount == 0 else { return }
        func index(_ key: Double) -> Int64 { Reducer.clamped(((key - spec.offset) / spec.interval).rounded(.down)) }
        var lo = s.buckets.first.flatMap { $0.key.number }.map(index)
        var hi = s.buckets.last.flatMap { $0.key.number }.map(index)
        if let m = s.extendedMin ?? spec.extendedBounds?.min { lo = min(lo ?? index(m), index(m)) }
        if let m = s.extendedMax ?? spec.extendedBounds?.max { hi = max(hi ?? index(m), index(m)) }
        guard var first = lo, var last = hi else { return }
        if let h = s.hardMin ?? spec.hardBounds?.min { first = max(first, Reducer.clamped((((h - spec.offset) / spec.interval)).rounded(.up))) }
        if let h = s.hardMax ?? spec.hardBounds?.max { last = min(last, index(h)) }
        guard first <= last else { return }
        // Bounds like ±1e300 make the span overflow Int64: that is too many buckets too.
        let (span, overflow) = last.subtractingReportingOverflow(first)
        if overflow || span >= Int64(maxBuckets - bucketCount) {
            throw AggregationErrors.tooManyBuckets(limit: maxBuckets, count: bucketCount + Int(overflow ? Int64(Int32.max) : min(span + 1, Int64(Int32.max))))
        }
        var byIndex: [Int64: Bucket] = [:]
        for b in s.buckets { if let k = b.key.number { byIndex[index(k)] = b } }
        let template = s.buckets.first
        var out: [Bucket] = []
        for i in first...last {
            if let b = byIndex[i] { out.append(b) } else {
                out.append(Bucket(key: .double(Double(i) * spec.interval + spec.offset), docCount: 0, subs: Reducer.emptySubs(node, template)))
            }
        }
        s.buckets = out
    }

    mutating func fillDateHistogram(_ s: inout BucketsState, _ spec: DateHistogramSpec, _ node: AggNode) throws(OpenSearchError) {
        s.buckets.sort { BucketKey.less($0.key, $1.key) }
        guard spec.minDocCount == 0 else { return }
        let rounding = PreparedRounding(interval: spec.interval, zone: spec.zone, offset: spec.offset)
        var extMin = s.extendedMin.map(Reducer.clamped), extMax = s.extendedMax.map(Reducer.clamped)
        var hardMin = s.hardMin.map(Reducer.clamped), hardMax = s.hardMax.map(Reducer.clamped)
        if s.buckets.isEmpty && extMin == nil && extMax == nil, let eb = spec.extendedBounds {
            // No segment resolved the bounds: parse them with the default format.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            func date(_ v: JSONValue?) -> Int64? {
                v.flatMap { try? FieldSource.stored($0, isDate: true, isBoolean: false, isDouble: false, format: DateFormat.defaultDate,
                                                    zone: spec.zone, now: now, field: "") }
            }
            extMin = date(eb.min).map { rounding.round($0) }
            extMax = date(eb.max).map { rounding.round($0) }
            if let hb = spec.hardBounds { hardMin = date(hb.min); hardMax = date(hb.max) }
        }
        var lo: Int64? = nil, hi: Int64? = nil
        for b in s.buckets { if case .long(let k) = b.key { lo = min(lo ?? k, k); hi = max(hi ?? k, k) } }
        if let m = extMin { lo = min(lo ?? m, m) }
        if let m = extMax { hi = max(hi ?? m, m) }
        guard var key = lo, var last = hi else { return }
        // Walk only where hard bounds allow buckets: wide extended bounds with narrow hard
        // bounds would otherwise step through billions of keys that are all skipped.
        if let h = hardMin, key < h { key = max(key, rounding.round(h)) }
        if let h = hardMax { last = min(last, h) }
        var byKey: [Int64: Bucket] = [:]
        for b in s.buckets { if case .long(let k) = b.key { byKey[k] = b } }
        let template = s.buckets.first
        var out: [Bucket] = []
        let budget = maxBuckets - bucketCount
        while key <= last {
            let inside = (hardMin.map { key >= $0 } ?? true) && (hardMax.map { key <= $0 } ?? true)
            if inside {
                if let b = byKey[key] { out.append(b) } else {
                    out.append(Bucket(key: .long(key), docCount: 0, subs: Reducer.emptySubs(node, template)))
                }
                if out.count > budget { throw AggregationErrors.tooManyBuckets(limit: maxBuckets, count: bucketCount + out.count) }
            }
            let next = rounding.next(key)
            if next <= key { break }
            key = next
        }
        // Keys the stepping did not visit (defensive: a rounding that is not idempotent).
        let visited = Set(out.compactMap { b -> Int64? in if case .long(let k) = b.key { return k }; return nil })
        for b in s.buckets { if case .long(let k) = b.key, !visited.contains(k) { out.append(b) } }
        out.sort { BucketKey.less($0.key, $1.key) }
        s.buckets = out
    }

    // MARK: empty states

    /// Sub-aggregation states of an empty bucket, shaped like `template`'s when there is one.
    static func emptySubs(_ node: AggNode, _ template: Bucket?) -> [AggState] {
        node.subs.enumerated().map { j, sub in
            if let t = template, j < t.subs.count { return zeroed(t.subs[j], sub) }
            return emptyState(sub)
        }
    }

    /// The state of an aggregation that saw no documents, shaped like `state`.
    static func zeroed(_ state: AggState, _ node: AggNode) -> AggState {
        switch state {
        case .metric(let m):
            var z = MetricState()
            z.format = m.format
            return .metric(z)
        case .cardinality(let c): return .cardinality(CardinalitySketch(precision: c.precision))
        case .digest(let d, let f): return .digest(TDigest(compression: d.compression), f)
        case .topHits: return .topHits(TopHitsState())
        case .single(let b):
            return .single(Bucket(key: b.key, docCount: 0, subs: emptySubs(node, b)))
        case .buckets(var s):
            switch node.kind {
            case .range, .ipRange, .filters:
                s.buckets = s.buckets.map { Bucket(key: $0.key, docCount: 0, subs: emptySubs(node, $0)) }
            default:
                s.buckets = []
                s.otherDocCount = 0
                s.docCountError = 0
            }
            return .buckets(s)
        default:
            return emptyState(node)
        }
    }

    /// The state of an aggregation with no partial at all (no segment anywhere).
    static func emptyState(_ node: AggNode) -> AggState {
        switch node.kind {
        case .metric, .weightedAvg: return .metric(MetricState())
        case .cardinality(_, let p): return .cardinality(CardinalitySketch(precision: p))
        case .percentiles(_, _, _, let c), .percentileRanks(_, _, _, let c), .medianAbsoluteDeviation(_, let c):
            return .digest(TDigest(compression: c), .raw)
        case .ipRange(let spec):
            var s = BucketsState()
            s.ranges = IPRangeCollector.resolve(spec)
            s.buckets = s.ranges.indices.map { Bucket(key: .position($0), docCount: 0, subs: node.subs.map(emptyState)) }
            return .buckets(s)
        case .topHits: return .topHits(TopHitsState())
        case .filter, .missing, .global:
            return .single(Bucket(key: .position(0), docCount: 0, subs: node.subs.map(emptyState)))
        case .range(let spec):
            var s = BucketsState()
            let format: ValueFormat = spec.isDate ? .date(DateRenderer(pattern: spec.source.format ?? DateFormat.defaultDate.pattern, zone: spec.zone ?? .utc)) : .raw
            s.format = format
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            func bound(_ v: JSONValue?) -> Double? {
                guard let v else { return nil }
                if spec.isDate {
                    let f = (try? DateFormat(spec.source.format ?? DateFormat.defaultDate.pattern)) ?? DateFormat.defaultDate
                    return (try? FieldSource.stored(v, isDate: true, isBoolean: false, isDouble: false, format: f, zone: spec.zone ?? .utc,
                                                   now: now, field: "")).map(Double.init)
                }
                return v.doubleValue
            }
            var ranges = spec.ranges.map { e in
                ResolvedRange(key: e.key ?? RangeCollector.key(bound(e.from), bound(e.to), format), from: bound(e.from), to: bound(e.to))
            }
            ranges = ranges.enumerated().sorted { a, b in
                let fa = a.element.from ?? -.infinity, fb = b.element.from ?? -.infinity
                if fa != fb { return fa < fb }
                let ta = a.element.to ?? .infinity, tb = b.element.to ?? .infinity
                if ta != tb { return ta < tb }
                return a.offset < b.offset
            }.map(\.element)
            s.ranges = ranges
            s.buckets = ranges.indices.map { Bucket(key: .position($0), docCount: 0, subs: node.subs.map(emptyState)) }
            return .buckets(s)
        case .filters(let spec):
            var s = BucketsState()
            let n = spec.filters.count + (spec.otherBucket ? 1 : 0)
            s.buckets = (0..<n).map { Bucket(key: .position($0), docCount: 0, subs: node.subs.map(emptyState)) }
            return .buckets(s)
        case .dateHistogram(let spec):
            var s = BucketsState()
            s.format = .date(DateRenderer(pattern: spec.source.format ?? DateFormat.defaultDate.pattern, zone: spec.zone))
            return .buckets(s)
        case .terms, .multiTerms, .rareTerms, .adjacencyMatrix, .histogram, .composite:
            return .buckets(BucketsState())
        }
    }
}
