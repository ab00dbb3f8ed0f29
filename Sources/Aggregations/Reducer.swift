import Foundation
import Index
import JSON
import Query

/// Merges partial states: exactly within an index (its segments are one OpenSearch shard), then
/// shard-level truncation (terms `shard_size`), then across indices with OpenSearch's error
/// accounting, then the final touches (size, min_doc_count, order, empty buckets), the bucket
/// limit, pipelines and rendering.
struct Reducer {
    let maxBuckets: Int
    var bucketCount = 0

    init(maxBuckets: Int) { self.maxBuckets = maxBuckets }

    mutating func reduceTree(_ tree: AggregationTree, _ partials: [PartialAggregations]) throws(OpenSearchError) -> JSONValue {
        var order: [String] = []
        var groups: [String: [[AggState]]] = [:]
        for p in partials {
            if groups[p.index] == nil { order.append(p.index) }
            groups[p.index, default: []].append(p.states)
        }
        var shards: [[AggState]] = []
        for idx in order {
            let g = groups[idx]!
            var merged: [AggState] = []
            for (i, node) in tree.nodes.enumerated() {
                merged.append(shardFinish(merge(g.map { $0[i] }, node, final: false, shardCount: 1), node))
            }
            shards.append(merged)
        }
        var states: [AggState] = []
        for (i, node) in tree.nodes.enumerated() {
            let st = shards.isEmpty ? Reducer.emptyState(node) : merge(shards.map { $0[i] }, node, final: true, shardCount: shards.count)
            states.append(try finalize(st, node))
        }
        var top = Bucket(key: .position(0), docCount: 0, subs: states)
        try Pipelines.apply(&top, nodes: tree.nodes, pipelines: tree.pipelines)
        return .object(Renderer.level(top, nodes: tree.nodes, pipelines: tree.pipelines))
    }

    // MARK: merging

    func merge(_ states: [AggState], _ node: AggNode, final: Bool, shardCount: Int) -> AggState {
        let present = states.filter { if case .none = $0 { return false }; return true }
        guard var first = present.first else { return Reducer.emptyState(node) }
        switch first {
        case .metric(var m):
            for s in present.dropFirst() { if case .metric(let o) = s { m.merge(o) } }
            return .metric(m)
        case .cardinality(var c):
            for s in present.dropFirst() { if case .cardinality(let o) = s { c.merge(o) } }
            return .cardinality(c)
        case .digest(var d, var f):
            for s in present.dropFirst() {
                if case .digest(let o, let of) = s {
                    d.merge(o)
                    if f.isRaw { f = of }
                }
            }
            d.compress()
            return .digest(d, f)
        case .topHits(var t):
            guard case .topHits(let spec) = node.kind else { return first }
            for s in present.dropFirst() {
                if case .topHits(let o) = s {
                    t.hits += o.hits
                    t.total += o.total
                    t.maxScore = max(t.maxScore, o.maxScore)
                }
            }
            let sort = spec.sort.isEmpty ? [TopHitsSpec.Sort(target: .score, descending: true)] : spec.sort
            t.hits.sort { a, b in
                let c = TopHitsCollector.before(a.sortValues, b.sortValues, sort)
                if c != 0 { return c < 0 }
                if a.tiebreak.0 != b.tiebreak.0 { return a.tiebreak.0 < b.tiebreak.0 }
                return a.tiebreak.1 < b.tiebreak.1
            }
            let keep = spec.from + spec.size
            if t.hits.count > keep { t.hits.removeLast(t.hits.count - keep) }
            return .topHits(t)
        case .single(var b):
            var group: [Bucket] = []
            for s in present { if case .single(let o) = s { group.append(o) } }
            b = mergeBuckets(group, node, final: final)
            return .single(b)
        case .buckets(var bs):
            var all: [BucketsState] = []
            for s in present { if case .buckets(let o) = s { all.append(o) } }
            bs = mergeMulti(all, node, final: final, shardCount: shardCount)
            first = .buckets(bs)
            return first
        default:
            return first
        }
    }

    /// Merges buckets with the same key: doc counts add, sub-aggregations merge.
    func mergeBuckets(_ group: [Bucket], _ node: AggNode, final: Bool) -> Bucket {
        var out = group[0]
        if group.count == 1 && !final { return out }
        out.docCount = group.reduce(0) { $0 + $1.docCount }
        out.subs = node.subs.enumerated().map { j, sub in
            merge(group.map { j < $0.subs.count ? $0.subs[j] : .none }, sub, final: final, shardCount: group.count)
        }
        return out
    }

    func mergeMulti(_ all: [BucketsState], _ node: AggNode, final: Bool, shardCount: Int) -> BucketsState {
        var out = all[0]
        for s in all.dropFirst() {
            if out.format.isRaw { out.format = s.format }
            if out.ranges.isEmpty { out.ranges = s.ranges }
            if out.sourceFormats.isEmpty { out.sourceFormats = s.sourceFormats }
            out.extendedMin = out.extendedMin ?? s.extendedMin
            out.extendedMax = out.extendedMax ?? s.extendedMax
            out.hardMin = out.hardMin ?? s.hardMin
            out.hardMax = out.hardMax ?? s.hardMax
        }
        if case .terms(let spec) = node.kind {
            out.otherDocCount = all.reduce(0) { $0 + $1.otherDocCount }
            if final {
                // OpenSearch's InternalTerms.reduce error accounting, one state per shard.
                var sum: Int64 = 0
                for s in all {
                    let e: Int64
                    if s.buckets.isEmpty || s.buckets.count < spec.effectiveShardSize || spec.isKeyOrder { e = 0 }
                    else if spec.isCountDesc { e = s.docCountError > 0 ? s.docCountError : (s.buckets.map(\.docCount).min() ?? 0) }
                    else { e = -1 }
                    if sum != -1 { sum = e == -1 ? -1 : sum + e }
                }
                out.docCountError = shardCount <= 1 ? 0 : sum
            }
        }
        if all.count == 1 && !final { return out }
        // Longs and doubles from differently mapped indices merge as doubles.
        var hasLong = false, hasDouble = false
        for s in all {
            for b in s.buckets {
                if case .long = b.key { hasLong = true } else if case .double = b.key { hasDouble = true }
            }
        }
        let widen = hasLong && hasDouble
        if !widen && all.allSatisfy(\.sortedByKey) {
            out.buckets = mergeSorted(all.map(\.buckets), node, final: final)
            out.sortedByKey = true
            return out
        }
        out.sortedByKey = false
        var index: [BucketKey: Int] = [:]
        index.reserveCapacity(all.reduce(0) { max($0, $1.buckets.count) })
        var merged: [Bucket] = []
        // Buckets met more than once, when there are sub-aggregations to merge.
        var repeats: [Int: [Bucket]] = [:]
        let hasSubs = !node.subs.isEmpty
        for s in all {
            for var b in s.buckets {
                if widen { b.key = b.key.asDouble }
                if let i = index[b.key] {
                    if hasSubs { repeats[i, default: [merged[i]]].append(b) } else { merged[i].docCount += b.docCount }
                } else {
                    index[b.key] = merged.count
                    merged.append(b)
                }
            }
        }
        for (i, group) in repeats { merged[i] = mergeBuckets(group, node, final: final) }
        if final && hasSubs {
            // Buckets seen once still need their sub-aggregations' final merge (terms errors).
            for i in merged.indices where repeats[i] == nil { merged[i] = mergeBuckets([merged[i]], node, final: true) }
        }
        out.buckets = merged
        return out
    }

    /// Merges key-sorted bucket lists (one per segment or index) by walking them together.
    func mergeSorted(_ lists: [[Bucket]], _ node: AggNode, final: Bool) -> [Bucket] {
        let lists = lists.filter { !$0.isEmpty }
        if lists.count == 1 && !final { return lists[0] }
        var pos = [Int](repeating: 0, count: lists.count)
        var out: [Bucket] = []
        out.reserveCapacity(lists.map(\.count).max() ?? 0)
        var group: [Bucket] = []
        let hasSubs = !node.subs.isEmpty
        while true {
            // The smallest key among the list heads (few lists: a linear scan).
            var best = -1
            for l in lists.indices where pos[l] < lists[l].count {
                if best < 0 || BucketKey.less(lists[l][pos[l]].key, lists[best][pos[best]].key) { best = l }
            }
            if best < 0 { break }
            let key = lists[best][pos[best]].key
            group.removeAll(keepingCapacity: true)
            for l in lists.indices where pos[l] < lists[l].count && lists[l][pos[l]].key == key {
                group.append(lists[l][pos[l]])
                pos[l] += 1
            }
            if group.count == 1 && !(final && hasSubs) {
                out.append(group[0])
            } else if !hasSubs {
                var b = group[0]
                b.docCount = group.reduce(0) { $0 + $1.docCount }
                out.append(b)
            } else {
                out.append(mergeBuckets(group, node, final: final))
            }
        }
        return out
    }

    // MARK: shard level

    /// What one index returns as its shard result: terms cut to `shard_size`, recursively.
    func shardFinish(_ state: AggState, _ node: AggNode) -> AggState {
        switch state {
        case .single(var b):
            b.subs = finishSubs(b.subs, node, shardFinish)
            return .single(b)
        case .buckets(var s):
            if case .terms(let spec) = node.kind {
                s.buckets = s.buckets.filter { $0.docCount > 0 || spec.minDocCount == 0 }
                let shardSize = spec.effectiveShardSize
                if s.buckets.count > shardSize {
                    Reducer.sortBuckets(&s.buckets, spec.order, node)
                    s.sortedByKey = false
                    let removed = s.buckets[shardSize...]
                    s.otherDocCount += removed.reduce(0) { $0 + $1.docCount }
                    s.buckets.removeLast(s.buckets.count - shardSize)
                }
            }
            for i in s.buckets.indices { s.buckets[i].subs = finishSubs(s.buckets[i].subs, node, shardFinish) }
            return .buckets(s)
        default:
            return state
        }
    }

    func finishSubs(_ subs: [AggState], _ node: AggNode, _ f: (AggState, AggNode) -> AggState) -> [AggState] {
        var out = subs
        for (j, sub) in node.subs.enumerated() where j < out.count { out[j] = f(out[j], sub) }
        return out
    }

    // MARK: final

    mutating func count(_ n: Int) throws(OpenSearchError) {
        bucketCount += n
        if bucketCount > maxBuckets { throw AggregationErrors.tooManyBuckets(limit: maxBuckets, count: bucketCount) }
    }

    mutating func finalize(_ state: AggState, _ node: AggNode) throws(OpenSearchError) -> AggState {
        switch state {
        case .single(var b):
            b.subs = try finalizeSubs(b.subs, node)
            return .single(b)
        case .buckets(var s):
            switch node.kind {
            case .terms(let spec):
                var kept: [Bucket] = []
                for b in s.buckets where b.docCount >= spec.minDocCount { kept.append(b) }
                Reducer.sortBuckets(&kept, spec.order, node)
                if kept.count > spec.size {
                    s.otherDocCount += kept[spec.size...].reduce(0) { $0 + $1.docCount }
                    kept.removeLast(kept.count - spec.size)
                }
                s.buckets = kept
            case .histogram(let spec):
                try fillHistogram(&s, spec, node)
                s.buckets = s.buckets.filter { $0.docCount >= spec.minDocCount }
                if !Reducer.isKeyAsc(spec.order) { Reducer.sortBuckets(&s.buckets, spec.order + [.key(asc: true)], node) }
            case .dateHistogram(let spec):
                try fillDateHistogram(&s, spec, node)
                s.buckets = s.buckets.filter { $0.docCount >= spec.minDocCount }
                if !Reducer.isKeyAsc(spec.order) { Reducer.sortBuckets(&s.buckets, spec.order + [.key(asc: true)], node) }
            case .composite(let spec):
                if spec.size > maxBuckets { throw AggregationErrors.tooManyBuckets(limit: maxBuckets, count: spec.size) }
                s.buckets.sort { Reducer.compareComposite($0.key, $1.key, spec) < 0 }
                if s.buckets.count > spec.size { s.buckets.removeLast(s.buckets.count - spec.size) }
            default:
                break
            }
            try count(s.buckets.count)
            for i in s.buckets.indices { s.buckets[i].subs = try finalizeSubs(s.buckets[i].subs, node) }
            return .buckets(s)
        default:
            return state
        }
    }

    mutating func finalizeSubs(_ subs: [AggState], _ node: AggNode) throws(OpenSearchError) -> [AggState] {
        var out = subs
        for (j, sub) in node.subs.enumerated() where j < out.count { out[j] = try finalize(out[j], sub) }
        return out
    }

    static func isKeyAsc(_ order: [BucketOrder]) -> Bool {
        if case .key(true)? = order.first { return true }
        return false
    }

    /// Sorts buckets by an order list (`_count`, `_key`, sub-aggregation paths).
    static func sortBuckets(_ buckets: inout [Bucket], _ order: [BucketOrder], _ node: AggNode) {
        // Precompute path values once per bucket.
        var values: [[Double]] = []
        let paths = order.compactMap { o -> AggPath? in if case .path(let p, _) = o { return p }; return nil }
        if !paths.isEmpty {
            values = buckets.map { b in paths.map { Pipelines.value(b, node: node, path: $0.elements) ?? .nan } }
        }
        let idx = buckets.indices.sorted { i, j in
            var pathIndex = 0
            for o in order {
                var c = 0
                switch o {
                case .count(let asc):
                    let a = buckets[i].docCount, b = buckets[j].docCount
                    c = a == b ? 0 : ((a < b) == asc ? -1 : 1)
                case .key(let asc):
                    let a = buckets[i].key, b = buckets[j].key
                    if BucketKey.less(a, b) { c = asc ? -1 : 1 } else if BucketKey.less(b, a) { c = asc ? 1 : -1 }
                case .path(_, let asc):
                    let a = values[i][pathIndex], b = values[j][pathIndex]
                    pathIndex += 1
                    c = javaCompare(a, b)
                    if !asc { c = -c }
                }
                if c != 0 { return c < 0 }
            }
            return i < j
        }
        buckets = idx.map { buckets[$0] }
    }

    /// Java's `Double.compare`: NaN above everything.
    static func javaCompare(_ a: Double, _ b: Double) -> Int {
        if a.isNaN { return b.isNaN ? 0 : 1 }
        if b.isNaN { return -1 }
        return a < b ? -1 : (a > b ? 1 : 0)
    }

    static func compareComposite(_ a: BucketKey, _ b: BucketKey, _ spec: CompositeSpec) -> Int {
        guard case .composite(let x) = a, case .composite(let y) = b else { return 0 }
        for (i, s) in spec.sources.enumerated() where i < x.count && i < y.count {
            let c = compareValue(x[i], y[i], s)
            if c != 0 { return c }
        }
        return 0
    }

    static func compareValue(_ x: CompositeValue, _ y: CompositeValue, _ s: CompositeSpec.Source) -> Int {
        switch (x, y) {
        case (.null, .null): return 0
        case (.null, _): return s.missingSortsFirst ? -1 : 1
        case (_, .null): return s.missingSortsFirst ? 1 : -1
        default: break
        }
        var c = 0
        switch (x, y) {
        case (.long(let a), .long(let b)): c = a < b ? -1 : (a > b ? 1 : 0)
        case (.double(let a), .double(let b)): c = javaCompare(a, b)
        case (.long(let a), .double(let b)): c = javaCompare(Double(a), b)
        case (.double(let a), .long(let b)): c = javaCompare(a, Double(b))
        case (.bytes(let a), .bytes(let b)): c = a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
        default: c = 0
        }
        return s.ascending ? c : -c
    }

    // MARK: empty buckets

    mutating func fillHistogram(_ s: inout BucketsState, _ spec: HistogramSpec, _ node: AggNode) throws(OpenSearchError) {
        s.buckets.sort { BucketKey.less($0.key, $1.key) }
        guard spec.minDocCount == 0 else { return }
        func index(_ key: Double) -> Int64 { Int64(((key - spec.offset) / spec.interval).rounded(.down)) }
        var lo = s.buckets.first.flatMap { $0.key.number }.map(index)
        var hi = s.buckets.last.flatMap { $0.key.number }.map(index)
        if let m = s.extendedMin ?? spec.extendedBounds?.min { lo = min(lo ?? index(m), index(m)) }
        if let m = s.extendedMax ?? spec.extendedBounds?.max { hi = max(hi ?? index(m), index(m)) }
        guard var first = lo, var last = hi else { return }
        if let h = s.hardMin ?? spec.hardBounds?.min { first = max(first, Int64((((h - spec.offset) / spec.interval)).rounded(.up))) }
        if let h = s.hardMax ?? spec.hardBounds?.max { last = min(last, index(h)) }
        guard first <= last else { return }
        if last - first + 1 > Int64(maxBuckets - bucketCount) {
            throw AggregationErrors.tooManyBuckets(limit: maxBuckets, count: bucketCount + Int(min(last - first + 1, Int64(Int32.max))))
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
        var extMin = s.extendedMin.map { Int64($0) }, extMax = s.extendedMax.map { Int64($0) }
        var hardMin = s.hardMin.map { Int64($0) }, hardMax = s.hardMax.map { Int64($0) }
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
        guard var key = lo, let last = hi else { return }
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
            case .range, .filters:
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
        case .percentiles(_, _, _, let c), .percentileRanks(_, _, _, let c): return .digest(TDigest(compression: c), .raw)
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
        case .terms, .histogram, .composite:
            return .buckets(BucketsState())
        }
    }
}
