import Foundation
import Index
import JSON

/// Pipeline aggregations, run on the reduced tree, and `buckets_path` resolution (shared with
/// terms ordering by sub-aggregation).
enum Pipelines {
    // MARK: values

    /// The number at `path` inside `bucket` (whose sub-aggregations are `node.subs`); nil when the
    /// path does not lead to a number.
    static func value(_ bucket: Bucket, node: AggNode, path: [AggPath.Element]) -> Double? {
        value(bucket, subs: node.subs, pipelines: node.pipelines, path: path)
    }

    static func value(_ bucket: Bucket, subs: [AggNode], pipelines: [PipelineNode], path: [AggPath.Element]) -> Double? {
        guard let e = path.first else { return Double(bucket.docCount) }
        if e.name == "_count" || e.name == "doc_count" { return Double(bucket.docCount) }
        if e.name == "_key" { return bucket.key.number }
        if let j = subs.firstIndex(where: { $0.name == e.name }), j < bucket.subs.count {
            let sub = subs[j], state = bucket.subs[j]
            if path.count == 1 { return metricValue(state, sub, key: e.key) }
            // Through a single-bucket aggregation: `filter>avg`, `filter.doc_count`.
            guard case .single(let inner) = state else { return nil }
            return value(inner, subs: sub.subs, pipelines: sub.pipelines, path: Array(path.dropFirst()))
        }
        if let r = bucket.pipelineResults.first(where: { $0.name == e.name }) {
            return pipelineValue(r.state, key: e.key)
        }
        return nil
    }

    static func metricValue(_ state: AggState, _ node: AggNode, key: String?) -> Double? {
        switch state {
        case .metric(let m):
            switch node.kind {
            case .metric(let kind, _):
                switch kind {
                case .avg: return m.avg
                case .sum: return m.sum
                case .min: return m.count == 0 ? .infinity : m.min
                case .max: return m.count == 0 ? -.infinity : m.max
                case .valueCount: return Double(m.count)
                case .stats, .extendedStats:
                    guard let key else { return nil }
                    return statsValue(m, key, node: node)
                }
            case .weightedAvg: return m.weight == 0 ? .nan : m.sum / m.weight
            default: return nil
            }
        case .cardinality(let c): return Double(c.estimate)
        case .digest(let d, _):
            switch node.kind {
            case .percentiles(_, let percents, _, _):
                let p = key.flatMap(Double.init) ?? percents.first ?? 50
                return d.isEmpty ? .nan : d.quantile(p / 100)
            case .medianAbsoluteDeviation:
                return Renderer.medianAbsoluteDeviation(d)
            case .percentileRanks(_, let values, _, _):
                let v = key.flatMap(Double.init) ?? values.first ?? 0
                return d.isEmpty ? .nan : Swift.min(1, Swift.max(0, d.cdf(v))) * 100
            default: return nil
            }
        case .single(let b):
            if key == nil || key == "doc_count" || key == "_count" { return Double(b.docCount) }
            return nil
        default:
            return pipelineValue(state, key: key)
        }
    }

    static func statsValue(_ m: MetricState, _ key: String, node: AggNode? = nil, sigma: Double? = nil) -> Double? {
        var s = sigma ?? 2
        if let n = node, case .metric(.extendedStats(let sg), _) = n.kind { s = sg }
        let std = m.variancePopulation.squareRoot()
        switch key {
        case "count": return Double(m.count)
        case "sum": return m.sum
        case "min": return m.count == 0 ? .infinity : m.min
        case "max": return m.count == 0 ? -.infinity : m.max
        case "avg": return m.avg
        case "sum_of_squares": return m.sumOfSquares
        case "variance", "variance_population": return m.variancePopulation
        case "variance_sampling": return m.varianceSampling
        case "std_deviation", "std_deviation_population": return std
        case "std_deviation_sampling": return m.varianceSampling.squareRoot()
        case "std_upper", "std_deviation_bounds.upper": return m.avg + s * std
        case "std_lower", "std_deviation_bounds.lower": return m.avg - s * std
        default: return nil
        }
    }

    static func pipelineValue(_ state: AggState, key: String?) -> Double? {
        switch state {
        case .simpleValue(let v, _): return v
        case .derivative(let v, let n, _): return key == "normalized_value" ? n : v
        case .bucketMetricValue(let v, _, _): return v
        case .statsBucket(let m): return statsValue(m, key ?? "avg")
        case .percentilesBucket(let ps, let vs, _):
            let p = key.flatMap(Double.init) ?? ps.first ?? 50
            return ps.firstIndex(of: p).map { vs[$0] }
        default: return nil
        }
    }

    /// OpenSearch's `BucketHelpers.resolveBucketValue`: nil when the bucket has nothing at the
    /// path (e.g. the first bucket of a derivative); empty buckets and non-finite values are gaps,
    /// handled by the gap policy (NaN = skip) — except `_count`, which is never a gap.
    static func resolve(_ bucket: Bucket, node: AggNode, path: AggPath, gap: GapPolicy) throws(OpenSearchError) -> Double? {
        let els = path.elements
        guard let first = els.first else { return Double(bucket.docCount) }
        let special = ["_count", "_key", "doc_count"].contains(first.name)
        if !special {
            if let sub = node.subs.first(where: { $0.name == first.name }) {
                if els.count == 1 && first.key == nil, case .metric(let k, _) = sub.kind, k == .stats || { if case .extendedStats = k { return true }; return false }() {
                    throw OpenSearchError("aggregation_execution_exception",
                                          "buckets_path must reference either a number value or a single value numeric metric aggregation, but [\(first.name)] contains multiple values. Please specify which to use.",
                                          status: 500)
                }
            } else if !node.pipelines.contains(where: { $0.name == first.name }) {
                throw AggregationErrors.validation("No aggregation found for path [\(path.text)]")
            }
        }
        guard let v = value(bucket, node: node, path: els) else { return nil }
        let isCount = els.count == 1 && first.name == "_count"
        if !v.isFinite || (bucket.docCount == 0 && !isCount) {
            switch gap {
            case .insertZeros: return 0
            case .keepValues: return v.isFinite ? v : .nan
            case .skip: return .nan
            }
        }
        return v
    }

    // MARK: running pipelines

    /// Runs pipelines bottom-up: inside every bucket of every sub-aggregation first, then this
    /// level's pipelines in the order they were declared.
    static func apply(_ bucket: inout Bucket, nodes: [AggNode], pipelines: [PipelineNode]) throws(OpenSearchError) {
        for (j, sub) in nodes.enumerated() where j < bucket.subs.count {
            try applyWithin(&bucket.subs[j], sub)
        }
        for p in pipelines where !p.kind.isParent {
            bucket.pipelineResults.append((p.name, try sibling(p, bucket, nodes: nodes)))
        }
    }

    /// Pipelines declared inside `node`: sibling ones run in each of its buckets, parent ones
    /// across its buckets.
    static func applyWithin(_ state: inout AggState, _ node: AggNode) throws(OpenSearchError) {
        switch state {
        case .single(var b):
            try apply(&b, nodes: node.subs, pipelines: node.pipelines)
            state = .single(b)
        case .buckets(var s):
            for i in s.buckets.indices {
                for (j, sub) in node.subs.enumerated() where j < s.buckets[i].subs.count {
                    try applyWithin(&s.buckets[i].subs[j], sub)
                }
            }
            for p in node.pipelines {
                if p.kind.isParent {
                    try parent(p, &s.buckets, node)
                } else {
                    for i in s.buckets.indices {
                        let r = try sibling(p, s.buckets[i], nodes: node.subs)
                        s.buckets[i].pipelineResults.append((p.name, r))
                    }
                }
            }
            state = .buckets(s)
        default:
            break
        }
    }

    static func format(_ p: PipelineNode) -> ValueFormat {
        p.format.flatMap { NumberText.DecimalPattern($0) }.map { .decimal($0) } ?? .raw
    }

    /// Derivative, cumulative sum, moving function, serial diff, bucket script/selector/sort.
    static func parent(_ p: PipelineNode, _ buckets: inout [Bucket], _ node: AggNode) throws(OpenSearchError) {
        let fmt = format(p)
        switch p.kind {
        case .derivative(let path, let gap, let unit):
            // OpenSearch adds a derivative to every bucket after the first that resolves, NaN
            // (shown as null) when either side is a gap.
            var last: (value: Double, key: Double)? = nil
            for i in buckets.indices {
                let v = try resolve(buckets[i], node: node, path: path, gap: gap)
                let key = buckets[i].key.number ?? 0
                if let l = last, let v {
                    let d = v - l.value
                    var normalized: Double? = nil
                    if let u = unit, u > 0 { normalized = d / ((key - l.key) / Double(u)) }
                    buckets[i].pipelineResults.append((p.name, .derivative(d, normalized: normalized, fmt)))
                } else {
                    buckets[i].pipelineResults.append((p.name, .none))
                }
                last = v.map { ($0, key) }
            }
        case .cumulativeSum(let path):
            var sum = 0.0
            for i in buckets.indices {
                if let v = try resolve(buckets[i], node: node, path: path, gap: .insertZeros), v.isFinite { sum += v }
                buckets[i].pipelineResults.append((p.name, .simpleValue(sum, fmt)))
            }
        case .movingFn(let path, let window, let shift, let script, let gap):
            var vals: [Double?] = []
            for b in buckets {
                let v = try resolve(b, node: node, path: path, gap: gap)
                vals.append(v.flatMap { $0.isNaN ? nil : $0 })
            }
            let values = vals.compactMap { $0 }
            var index = 0
            for i in buckets.indices {
                guard vals[i] != nil else { buckets[i].pipelineResults.append((p.name, .none)); continue }
                let from = Swift.max(0, Swift.min(index - window + shift, values.count))
                let to = Swift.max(0, Swift.min(index + shift, values.count))
                let windowValues = from < to ? Array(values[from..<to]) : []
                let r = try script.evaluate([:], values: windowValues)
                buckets[i].pipelineResults.append((p.name, .simpleValue(r.number ?? .nan, fmt)))
                index += 1
            }
        case .serialDiff(let path, let lag, let gap):
            // The lag window counts buckets, gaps included (OpenSearch's SerialDiffPipelineAggregator).
            var history: [Double] = []
            for i in buckets.indices {
                let v = try resolve(buckets[i], node: node, path: path, gap: gap) ?? .nan
                let lagged = history.count >= lag ? history[history.count - lag] : .nan
                if !v.isNaN && !lagged.isNaN {
                    buckets[i].pipelineResults.append((p.name, .simpleValue(v - lagged, fmt)))
                } else {
                    buckets[i].pipelineResults.append((p.name, .none))
                }
                history.append(v)
            }
        case .bucketScript(let vars, let script, let gap):
            for i in buckets.indices {
                var env: [String: Double?] = [:]
                var skip = false
                for (name, path) in vars {
                    let v = try resolve(buckets[i], node: node, path: path, gap: gap)
                    if gap == .skip && (v == nil || v!.isNaN) { skip = true; break }
                    env[name] = v
                }
                if skip { buckets[i].pipelineResults.append((p.name, .none)); continue }
                let r = try script.evaluate(env)
                if let d = r.number {
                    buckets[i].pipelineResults.append((p.name, .simpleValue(d, fmt)))
                } else {
                    buckets[i].pipelineResults.append((p.name, .none))
                }
            }
        case .bucketSelector(let vars, let script, let gap):
            var kept: [Bucket] = []
            for b in buckets {
                var env: [String: Double?] = [:]
                for (name, path) in vars { env[name] = try resolve(b, node: node, path: path, gap: gap) }
                let r = try script.evaluate(env)
                guard case .bool(let keep) = r else {
                    throw OpenSearchError("script_exception", "runtime error", status: 400,
                                          causedBy: .illegalArgument("bucket_selector script must return a boolean: [\(script.source)]"))
                }
                if keep { kept.append(b) }
            }
            buckets = kept
        case .bucketSort(let sort, let from, let size, let gap):
            if from >= buckets.count { buckets = []; break }
            if sort.isEmpty {
                buckets = Array(buckets[from..<(from + Swift.min(buckets.count - from, size ?? buckets.count))])
                break
            }
            // Per bucket, its sort values (nil: skipped under the gap policy); buckets with no
            // value at all are dropped, like OpenSearch's BucketSortPipelineAggregator.
            var rows: [(bucket: Bucket, values: [BucketKey?])] = []
            for b in buckets {
                var row: [BucketKey?] = []
                for (path, _) in sort {
                    if path.elements.count == 1 && path.elements[0].name == "_key" && path.elements[0].key == nil {
                        row.append(b.key)
                    } else {
                        let v = try resolve(b, node: node, path: path, gap: gap)
                        row.append(v.flatMap { gap == .skip && $0.isNaN ? nil : .double($0) })
                    }
                }
                if row.contains(where: { $0 != nil }) { rows.append((b, row)) }
            }
            let order = rows.indices.sorted { i, j in
                for (k, (_, asc)) in sort.enumerated() {
                    switch (rows[i].values[k], rows[j].values[k]) {
                    case (nil, nil): continue
                    case (nil, _): return false
                    case (_, nil): return true
                    case (let a?, let b?):
                        if BucketKey.less(a, b) { return asc }
                        if BucketKey.less(b, a) { return !asc }
                    }
                }
                return i < j
            }
            let limit = from + Swift.min(rows.count - from, size ?? rows.count)  // no from + size: size may be Int.max
            buckets = from < limit ? order[from..<limit].map { rows[$0].bucket } : []
        case .bucketMetric:
            break
        }
    }

    /// avg/max/min/sum/stats/extended_stats/percentiles_bucket over a sibling's buckets.
    static func sibling(_ p: PipelineNode, _ bucket: Bucket, nodes: [AggNode]) throws(OpenSearchError) -> AggState {
        guard case .bucketMetric(let kind, let path, let gap) = p.kind else { return .none }
        let fmt = format(p)
        let first = path.elements[0]
        guard let j = nodes.firstIndex(where: { $0.name == first.name }), j < bucket.subs.count,
              case .buckets(let target) = bucket.subs[j] else {
            throw AggregationErrors.validation("[buckets_path] aggregation does not exist for aggregation [\(p.name)]: \(path.text)")
        }
        let targetNode = nodes[j]
        // `sales>avg` or `sales.avg`: the rest of the path inside each bucket.
        var rest = Array(path.elements.dropFirst())
        if let k = first.key { rest.insert(AggPath.Element(name: k, key: nil), at: 0) }
        let restPath = AggPath(elements: rest, text: path.text)
        var values: [(Double, String)] = []
        for (i, b) in target.buckets.enumerated() {
            let v = rest.isEmpty ? Double(b.docCount) : try resolve(b, node: targetNode, path: restPath, gap: gap)
            if let v, !v.isNaN { values.append((v, Renderer.keyString(b, i, target, targetNode))) }
        }
        switch kind {
        case .avg:
            return .simpleValue(values.isEmpty ? .nan : values.reduce(0) { $0 + $1.0 } / Double(values.count), fmt)
        case .sum:
            return .simpleValue(values.reduce(0) { $0 + $1.0 }, fmt)
        case .max, .min:
            var best = kind == .max ? -Double.infinity : Double.infinity
            var keys: [String] = []
            for (v, k) in values {
                if v == best { keys.append(k) }
                else if kind == .max ? v > best : v < best { best = v; keys = [k] }
            }
            return .bucketMetricValue(values.isEmpty ? .nan : best, keys: keys, fmt)
        case .stats, .extendedStats:
            var m = MetricState()
            m.format = fmt
            for (v, _) in values { m.add(v, squares: true) }
            return .statsBucket(m)
        case .percentiles(let percents, let keyed):
            let sorted = values.map(\.0).sorted()
            let out = percents.map { p -> Double in
                guard !sorted.isEmpty else { return .nan }
                // OpenSearch's PercentilesBucket: the value at index round(p/100 × (n − 1)).
                let index = Int((p / 100 * Double(sorted.count - 1) + 0.5).rounded(.down))
                return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
            }
            return .percentilesBucket(percents, values: out, keyed: keyed)
        }
    }
}
