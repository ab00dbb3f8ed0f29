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

    mutating func reduceTree(_ tree: AggregationTree, _ partials: [PartialAggregations], typedKeys: Bool = false) throws(OpenSearchError) -> JSONValue {
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
        return .object(Renderer(typedKeys: typedKeys).level(top, nodes: tree.nodes, pipelines: tree.pipelines))
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
            if out.typedName == nil || out.typedName == "umterms" { out.typedName = s.typedName ?? out.typedName }
            out.extendedMin = out.extendedMin ?? s.extendedMin
            out.extendedMax = out.extendedMax ?? s.extendedMax
            out.hardMin = out.hardMin ?? s.hardMin
            out.hardMax = out.hardMax ?? s.hardMax
        }
        if let spec = node.termsSpec {
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
                switch b.key {
                case .long, .unsigned: hasLong = true
                case .double: hasDouble = true
                default: break
                }
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
            if let spec = node.termsSpec {
                s.buckets = s.buckets.filter { $0.docCount > 0 || spec.minDocCount == 0 }
                let shardSize = spec.effectiveShardSize
                if s.buckets.count > shardSize {
                    let total = s.buckets.reduce(0) { $0 + $1.docCount }
                    Reducer.sortBuckets(&s.buckets, spec.order, node, keep: shardSize)
                    s.sortedByKey = false
                    s.otherDocCount += total - s.buckets.reduce(0) { $0 + $1.docCount }
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
            case .terms, .multiTerms:
                let spec = node.termsSpec!
                var kept: [Bucket] = []
                for b in s.buckets where b.docCount >= spec.minDocCount { kept.append(b) }
                let total = kept.reduce(0) { $0 + $1.docCount }
                Reducer.sortBuckets(&kept, spec.order, node, keep: spec.size)
                s.otherDocCount += total - kept.reduce(0) { $0 + $1.docCount }
                s.buckets = kept
            case .adjacencyMatrix(let spec):
                s.buckets = s.buckets.filter { b in
                    guard b.docCount > 0 else { return false }
                    if spec.showOnlyIntersecting, case .bytes(let k) = b.key { return String(decoding: k, as: UTF8.self).contains(spec.separator) }
                    return true
                }
                Reducer.sortBuckets(&s.buckets, [.key(asc: true)], node)
            case .rareTerms(let spec):
                s.buckets = s.buckets.filter { $0.docCount > 0 && $0.docCount <= spec.maxDocCount }
                Reducer.sortBuckets(&s.buckets, [.count(asc: true), .key(asc: true)], node)
                s.otherDocCount = 0
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

    /// Sorts buckets by an order list (`_count`, `_key`, sub-aggregation paths); with `keep`,
    /// only the first `keep` are kept (selected without sorting the rest).
    static func sortBuckets(_ buckets: inout [Bucket], _ order: [BucketOrder], _ node: AggNode, keep: Int? = nil) {
        // Precompute path values once per bucket.
        var values: [[Double]] = []
        let paths = order.compactMap { o -> AggPath? in if case .path(let p, _) = o { return p }; return nil }
        if !paths.isEmpty {
            values = buckets.map { b in paths.map { Pipelines.value(b, node: node, path: $0.elements) ?? .nan } }
        }
        func before(_ i: Int, _ j: Int) -> Bool {
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
        let n = buckets.count
        if let k = keep, k < n, k * 16 < n {
            // Top k: a sorted window of the best so far.
            var best: [Int] = []
            best.reserveCapacity(k + 1)
            for i in 0..<n {
                if best.count == k, !before(i, best[k - 1]) { continue }
                var lo = 0, hi = best.count
                while lo < hi { let m = (lo + hi) / 2; if before(best[m], i) { lo = m + 1 } else { hi = m } }
                best.insert(i, at: lo)
                if best.count > k { best.removeLast() }
            }
            buckets = best.map { buckets[$0] }
            return
        }
        var idx = Array(buckets.indices)
        idx.sort(by: before)
        if let k = keep, k < idx.count { idx.removeLast(idx.count - k) }
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
        case (.unsigned(let a), .unsigned(let b)): c = a < b ? -1 : (a > b ? 1 : 0)
        case (.unsigned(let a), .long(let b)): c = b < 0 || a > UInt64(b) ? 1 : (a == UInt64(b) ? 0 : -1)
        case (.long(let a), .unsigned(let b)): c = a < 0 || UInt64(a) < b ? -1 : (UInt64(a) == b ? 0 : 1)
        case (.double(let a), .double(let b)): c = javaCompare(a, b)
        case (.long(let a), .double(let b)): c = javaCompare(Double(a), b)
        case (.double(let a), .long(let b)): c = javaCompare(a, Double(b))
        case (.bytes(let a), .bytes(let b)): c = a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
        default: c = 0
        }
        return s.ascending ? c : -c
    }
}
