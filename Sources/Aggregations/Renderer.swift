import Index
import JSON

/// Renders reduced states as OpenSearch 2.x response JSON (with `typed_keys`, names become
/// `type#name`, e.g. `sterms#by_user`).
struct Renderer {
    let typedKeys: Bool

    /// A bucket's sub-aggregations and pipeline results, by name.
    func level(_ bucket: Bucket, nodes: [AggNode], pipelines: [PipelineNode]) -> JSONObject {
        var o = JSONObject()
        for (j, n) in nodes.enumerated() where j < bucket.subs.count {
            let key = typedKeys ? Renderer.typeName(bucket.subs[j], n) + "#" + n.name : n.name
            o[key] = render(bucket.subs[j], n)
        }
        for r in bucket.pipelineResults {
            if case .none = r.state { continue }
            guard let p = pipelines.first(where: { $0.name == r.name }) else { continue }
            o[typedKeys ? Renderer.typeName(r.state, p) + "#" + r.name : r.name] = renderPipeline(r.state, p)
        }
        return o
    }

    @inline(__always) static func number(_ d: Double) -> JSONValue { d.isFinite ? .double(d) : .null }
    @inline(__always) func number(_ d: Double) -> JSONValue { Renderer.number(d) }

    /// OpenSearch's `InternalMedianAbsoluteDeviation`: the median of the centroids' distances to
    /// the approximate median, weighted by their counts.
    static func medianAbsoluteDeviation(_ d: TDigest) -> Double {
        if d.isEmpty { return .nan }
        var c = d
        c.compress()
        let median = c.quantile(0.5)
        var deviations = TDigest(compression: c.compression)
        for (m, w) in zip(c.means, c.weights) { deviations.add(abs(median - m), weight: w) }
        return deviations.quantile(0.5)
    }

    /// The internal aggregation type name OpenSearch prints with `typed_keys`.
    static func typeName(_ state: AggState, _ node: AggNode) -> String {
        switch node.kind {
        case .metric(let k, _):
            switch k {
            case .avg: return "avg"
            case .sum: return "sum"
            case .min: return "min"
            case .max: return "max"
            case .valueCount: return "value_count"
            case .stats: return "stats"
            case .extendedStats: return "extended_stats"
            }
        case .weightedAvg: return "weighted_avg"
        case .cardinality: return "cardinality"
        case .percentiles: return "tdigest_percentiles"
        case .percentileRanks: return "tdigest_percentile_ranks"
        case .medianAbsoluteDeviation: return "median_absolute_deviation"
        case .ipRange: return "ip_range"
        case .topHits: return "top_hits"
        case .terms:
            if case .buckets(let s) = state, let t = s.typedName { return t }
            return "sterms"
        case .rareTerms:
            switch state {
            case .buckets(let s) where s.typedName == "lterms" || s.typedName == "ulterms": return "lrareterms"
            case .buckets(let s) where s.typedName == "umterms": return "umrareterms"
            case .buckets(let s) where s.typedName == "dterms": return "drareterms"
            default: return "srareterms"
            }
        case .range(let spec): return spec.isDate ? "date_range" : "range"
        default: return node.type
        }
    }

    static func typeName(_ state: AggState, _ p: PipelineNode) -> String {
        switch state {
        case .derivative: return "derivative"
        case .bucketMetricValue: return "bucket_metric_value"
        case .statsBucket:
            if case .bucketMetric(.extendedStats, _, _) = p.kind { return "extended_stats_bucket" }
            return "stats_bucket"
        case .percentilesBucket: return "percentiles_bucket"
        default: return "simple_value"
        }
    }

    static func withMeta(_ meta: JSONValue?) -> JSONObject {
        var o = JSONObject()
        if let m = meta { o["meta"] = m }
        return o
    }

    func render(_ state: AggState, _ node: AggNode) -> JSONValue {
        var o = Renderer.withMeta(node.meta)
        switch state {
        case .metric(let m):
            renderMetric(m, node, into: &o)
        case .cardinality(let c):
            o["value"] = .int(c.estimate)
        case .digest(let d, let f):
            switch node.kind {
            case .percentiles(_, let percents, let keyed, _):
                Renderer.renderPercentiles(percents, keyed: keyed, empty: d.isEmpty, format: f, into: &o) { d.quantile($0 / 100) }
            case .medianAbsoluteDeviation:
                let v = Renderer.medianAbsoluteDeviation(d)
                o["value"] = d.isEmpty ? .null : number(v)
                if !f.isRaw, !d.isEmpty, let t = f.text(v) { o["value_as_string"] = .string(t) }
            case .percentileRanks(_, let values, let keyed, _):
                Renderer.renderPercentiles(values, keyed: keyed, empty: d.isEmpty, format: .raw, into: &o) { Swift.min(1, Swift.max(0, d.cdf($0))) * 100 }
            default: break
            }
        case .topHits(let t):
            var hits = JSONObject()
            hits["total"] = ["value": .int(t.total), "relation": "eq"]
            var sortedByScore = true
            if case .topHits(let spec) = node.kind, !spec.sort.isEmpty, spec.sort.first?.target != .score, !spec.trackScores { sortedByScore = false }
            hits["max_score"] = sortedByScore && t.maxScore.isFinite ? .double(Double(t.maxScore)) : .null
            var from = 0
            if case .topHits(let spec) = node.kind { from = spec.from }
            hits["hits"] = .array(t.hits.dropFirst(from).map { .object($0.hit) })
            o["hits"] = .object(hits)
        case .single(let b):
            o["doc_count"] = .int(b.docCount)
            for (k, v) in level(b, nodes: node.subs, pipelines: node.pipelines) { o[k] = v }
        case .buckets(let s):
            renderBuckets(s, node, into: &o)
        default:
            break
        }
        return .object(o)
    }

    func renderMetric(_ m: MetricState, _ node: AggNode, into o: inout JSONObject) {
        let f = m.format
        func asString(_ key: String, _ v: Double) { if !f.isRaw, v.isFinite, let t = f.text(v) { o[key] = .string(t) } }
        switch node.kind {
        case .metric(let kind, _):
            switch kind {
            case .avg:
                o["value"] = m.count == 0 ? .null : number(m.avg)
                if m.count > 0 { asString("value_as_string", m.avg) }
            case .sum:
                o["value"] = number(m.sum)
                asString("value_as_string", m.sum)
            case .min, .max:
                let v = kind == .min ? m.min : m.max
                o["value"] = m.count == 0 ? .null : number(v)
                if m.count > 0 { asString("value_as_string", v) }
            case .valueCount:
                o["value"] = .int(m.count)
            case .stats, .extendedStats:
                Renderer.renderStats(m, sigma: { if case .extendedStats(let s) = kind { return s }; return nil }(), into: &o)
            }
        case .weightedAvg:
            let v = m.weight == 0 ? Double.nan : m.sum / m.weight
            o["value"] = m.weight == 0 ? .null : number(v)
            if m.weight != 0 { asString("value_as_string", v) }
        default:
            break
        }
    }

    /// stats, extended_stats (sigma given) and stats_bucket.
    static func renderStats(_ m: MetricState, sigma: Double?, into o: inout JSONObject) {
        let f = m.format
        o["count"] = .int(m.count)
        if m.count != 0 {
            o["min"] = number(m.min)
            o["max"] = number(m.max)
            o["avg"] = number(m.avg)
            o["sum"] = number(m.sum)
            if !f.isRaw {
                for (k, v) in [("min_as_string", m.min), ("max_as_string", m.max), ("avg_as_string", m.avg), ("sum_as_string", m.sum)] {
                    if let t = f.text(v) { o[k] = .string(t) }
                }
            }
        } else {
            o["min"] = .null
            o["max"] = .null
            o["avg"] = .null
            o["sum"] = .double(0)
        }
        guard let sigma else { return }
        let names = ["sum_of_squares", "variance", "variance_population", "variance_sampling", "std_deviation",
                     "std_deviation_population", "std_deviation_sampling"]
        let boundNames = ["upper", "lower", "upper_population", "lower_population", "upper_sampling", "lower_sampling"]
        if m.count != 0 {
            let vp = m.variancePopulation, vs = m.varianceSampling
            let values = [m.sumOfSquares, vp, vp, vs, vp.squareRoot(), vp.squareRoot(), vs.squareRoot()]
            for (k, v) in zip(names, values) { o[k] = number(v) }
            let sp = vp.squareRoot(), ss = vs.squareRoot(), avg = m.avg
            let bounds = [avg + sigma * sp, avg - sigma * sp, avg + sigma * sp, avg - sigma * sp, avg + sigma * ss, avg - sigma * ss]
            var b = JSONObject()
            for (k, v) in zip(boundNames, bounds) { b[k] = number(v) }
            o["std_deviation_bounds"] = .object(b)
            if !f.isRaw {
                for (k, v) in zip(names, values) { if let t = f.text(v) { o[k + "_as_string"] = .string(t) } }
            }
        } else {
            for k in names { o[k] = .null }
            var b = JSONObject()
            for k in boundNames { b[k] = .null }
            o["std_deviation_bounds"] = .object(b)
        }
    }

    static func renderPercentiles(_ keys: [Double], keyed: Bool, empty: Bool, format: ValueFormat, into o: inout JSONObject,
                                  _ value: (Double) -> Double) {
        if keyed {
            var values = JSONObject()
            for k in keys {
                let name = NumberText.java(k)
                let v = value(k)
                values[name] = empty ? .null : number(v)
                if !format.isRaw && !empty, let t = format.text(v) { values[name + "_as_string"] = .string(t) }
            }
            o["values"] = .object(values)
        } else {
            o["values"] = .array(keys.map { k in
                let v = value(k)
                var e = JSONObject([("key", .double(k)), ("value", empty ? .null : number(v))])
                if !format.isRaw && !empty, let t = format.text(v) { e["value_as_string"] = .string(t) }
                return .object(e)
            })
        }
    }

    // MARK: buckets

    static func keyJSON(_ key: BucketKey) -> JSONValue {
        switch key {
        case .long(let l): return .int(l)
        case .unsigned(let u): return .unsigned(u)
        case .double(let d): return .double(d)
        case .bytes(let b): return .string(String(decoding: b, as: UTF8.self))
        case .position(let p): return .int(Int64(p))
        case .composite: return .null
        }
    }

    /// The key as text (`key_as_string`, keyed buckets, max_bucket `keys`).
    static func keyString(_ b: Bucket, _ i: Int, _ s: BucketsState, _ node: AggNode) -> String {
        switch node.kind {
        case .range, .ipRange:
            if case .position(let p) = b.key, p < s.ranges.count { return s.ranges[p].key }
        case .filters(let spec):
            if case .position(let p) = b.key {
                if p < spec.filters.count { return spec.filters[p].name ?? String(p) }
                return spec.otherKey
            }
        default:
            break
        }
        switch b.key {
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .long(let l): return s.format.isRaw ? String(l) : (s.format.text(Double(l)) ?? String(l))
        case .unsigned(let u): return s.format.isRaw ? String(u) : (s.format.text(Double(u)) ?? String(u))
        case .double(let d): return s.format.isRaw ? NumberText.java(d) : (s.format.text(d) ?? NumberText.java(d))
        case .position(let p): return String(p)
        case .composite(let vs): return vs.map { v -> String in
            switch v {
            case .null: return "null"
            case .long(let l): return String(l)
            case .unsigned(let u): return String(u)
            case .double(let d): return NumberText.java(d)
            case .bytes(let b): return String(decoding: b, as: UTF8.self)
            }
        }.joined(separator: "|")
        }
    }

    func subs(_ b: Bucket, _ node: AggNode, into o: inout JSONObject) {
        for (k, v) in level(b, nodes: node.subs, pipelines: node.pipelines) { o[k] = v }
    }

    func renderBuckets(_ s: BucketsState, _ node: AggNode, into o: inout JSONObject) {
        switch node.kind {
        case .terms(let spec):
            o["doc_count_error_upper_bound"] = .int(s.docCountError)
            o["sum_other_doc_count"] = .int(s.otherDocCount)
            o["buckets"] = .array(s.buckets.map { b in
                var e = JSONObject()
                e["key"] = Renderer.keyJSON(b.key)
                if !s.format.isRaw, let n = b.key.number, let t = s.format.text(n) { e["key_as_string"] = .string(t) }
                e["doc_count"] = .int(b.docCount)
                if spec.showTermDocCountError { e["doc_count_error_upper_bound"] = .int(s.docCountError == -1 ? -1 : 0) }
                subs(b, node, into: &e)
                return .object(e)
            })
        case .multiTerms(let spec):
            o["doc_count_error_upper_bound"] = .int(s.docCountError)
            o["sum_other_doc_count"] = .int(s.otherDocCount)
            o["buckets"] = .array(s.buckets.map { b in
                var e = JSONObject()
                let (key, text) = Renderer.multiTermsKey(b.key, s.sourceFormats)
                e["key"] = key
                e["key_as_string"] = .string(text)
                e["doc_count"] = .int(b.docCount)
                if spec.terms.showTermDocCountError { e["doc_count_error_upper_bound"] = .int(s.docCountError == -1 ? -1 : 0) }
                subs(b, node, into: &e)
                return .object(e)
            })
        case .adjacencyMatrix:
            o["buckets"] = .array(s.buckets.map { b in
                var e = JSONObject()
                e["key"] = Renderer.keyJSON(b.key)
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return .object(e)
            })
        case .rareTerms:
            o["buckets"] = .array(s.buckets.map { b in
                var e = JSONObject()
                e["key"] = Renderer.keyJSON(b.key)
                if !s.format.isRaw, let n = b.key.number, let t = s.format.text(n) { e["key_as_string"] = .string(t) }
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return .object(e)
            })
        case .histogram(let spec):
            let list: [(String, JSONObject)] = s.buckets.map { b in
                var e = JSONObject()
                let k = b.key.number ?? 0
                e["key"] = .double(k)
                if !s.format.isRaw, let t = s.format.text(k) { e["key_as_string"] = .string(t) }
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return (s.format.isRaw ? NumberText.java(k) : (s.format.text(k) ?? NumberText.java(k)), e)
            }
            o["buckets"] = spec.keyed ? .object(JSONObject(list.map { ($0.0, .object($0.1)) })) : .array(list.map { .object($0.1) })
        case .dateHistogram(let spec):
            let list: [(String, JSONObject)] = s.buckets.map { b in
                var e = JSONObject()
                var text = ""
                if case .long(let k) = b.key {
                    text = s.format.text(Double(k)) ?? String(k)
                    e["key_as_string"] = .string(text)
                    e["key"] = .int(k)
                }
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return (text, e)
            }
            o["buckets"] = spec.keyed ? .object(JSONObject(list.map { ($0.0, .object($0.1)) })) : .array(list.map { .object($0.1) })
        case .range(let spec):
            let list: [(String, JSONObject)] = s.buckets.enumerated().map { i, b in
                var e = JSONObject()
                guard case .position(let p) = b.key, p < s.ranges.count else { return ("", e) }
                let r = s.ranges[p]
                if !spec.keyed { e["key"] = .string(r.key) }
                if let f = r.from {
                    e["from"] = .double(f)
                    if !s.format.isRaw, let t = s.format.text(f) { e["from_as_string"] = .string(t) }
                }
                if let t = r.to {
                    e["to"] = .double(t)
                    if !s.format.isRaw, let x = s.format.text(t) { e["to_as_string"] = .string(x) }
                }
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return (r.key, e)
            }
            o["buckets"] = spec.keyed ? .object(JSONObject(list.map { ($0.0, .object($0.1)) })) : .array(list.map { .object($0.1) })
        case .ipRange(let spec):
            let list: [(String, JSONObject)] = s.buckets.map { b in
                var e = JSONObject()
                guard case .position(let p) = b.key, p < s.ranges.count else { return ("", e) }
                let r = s.ranges[p]
                if !spec.keyed { e["key"] = .string(r.key) }
                if let f = r.fromText { e["from"] = .string(f) }
                if let t = r.toText { e["to"] = .string(t) }
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return (r.key, e)
            }
            o["buckets"] = spec.keyed ? .object(JSONObject(list.map { ($0.0, .object($0.1)) })) : .array(list.map { .object($0.1) })
        case .filters(let spec):
            let list: [(String, JSONObject)] = s.buckets.enumerated().map { i, b in
                var e = JSONObject()
                let name = Renderer.keyString(b, i, s, node)
                if !spec.keyed || spec.anonymous {
                    if !spec.anonymous { e["key"] = .string(name) }
                }
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return (name, e)
            }
            if spec.anonymous || !spec.keyed {
                o["buckets"] = .array(list.map { .object($0.1) })
            } else {
                o["buckets"] = .object(JSONObject(list.map { ($0.0, .object($0.1)) }))
            }
        case .composite(let spec):
            func keyObject(_ key: BucketKey) -> JSONValue {
                guard case .composite(let vs) = key else { return .null }
                var k = JSONObject()
                for (i, src) in spec.sources.enumerated() where i < vs.count {
                    let f = i < s.sourceFormats.count ? s.sourceFormats[i] : .raw
                    switch vs[i] {
                    case .null: k[src.name] = .null
                    case .bytes(let b): k[src.name] = .string(String(decoding: b, as: UTF8.self))
                    case .long(let l):
                        if f == .boolean { k[src.name] = .bool(l != 0) }
                        else if !f.isRaw, let t = f.text(Double(l)) { k[src.name] = .string(t) }
                        else { k[src.name] = .int(l) }
                    case .unsigned(let u): k[src.name] = .unsigned(u)
                    case .double(let d): k[src.name] = .double(d)
                    }
                }
                return .object(k)
            }
            if let last = s.buckets.last { o["after_key"] = keyObject(last.key) }
            o["buckets"] = .array(s.buckets.map { b in
                var e = JSONObject()
                e["key"] = keyObject(b.key)
                e["doc_count"] = .int(b.docCount)
                subs(b, node, into: &e)
                return .object(e)
            })
        default:
            break
        }
    }

    // MARK: pipelines

    func renderPipeline(_ state: AggState, _ p: PipelineNode) -> JSONValue {
        var o = Renderer.withMeta(p.meta)
        switch state {
        case .simpleValue(let v, let f):
            o["value"] = number(v)
            if !f.isRaw, v.isFinite, let t = f.text(v) { o["value_as_string"] = .string(t) }
        case .derivative(let v, let n, let f):
            o["value"] = number(v)
            if !f.isRaw, v.isFinite, let t = f.text(v) { o["value_as_string"] = .string(t) }
            if let n { o["normalized_value"] = number(n) }
        case .bucketMetricValue(let v, let keys, let f):
            o["value"] = number(v)
            if !f.isRaw, v.isFinite, let t = f.text(v) { o["value_as_string"] = .string(t) }
            o["keys"] = .array(keys.map { .string($0) })
        case .statsBucket(let m):
            var sigma: Double? = nil
            if case .bucketMetric(.extendedStats(let s), _, _) = p.kind { sigma = s }
            Renderer.renderStats(m, sigma: sigma, into: &o)
        case .percentilesBucket(let ps, let vs, let keyed):
            if keyed {
                var values = JSONObject()
                for (k, v) in zip(ps, vs) { values[NumberText.java(k)] = number(v) }
                o["values"] = .object(values)
            } else {
                o["values"] = .array(zip(ps, vs).map { .object(JSONObject([("key", .double($0)), ("value", number($1))])) })
            }
        default:
            break
        }
        return .object(o)
    }
}

extension Renderer {
    /// A multi_terms key: the values as JSON (dates formatted, booleans as booleans) and
    /// `key_as_string`, the values' texts joined by `|`.
    static func multiTermsKey(_ key: BucketKey, _ formats: [ValueFormat]) -> (JSONValue, String) {
        guard case .composite(let vs) = key else { return (.null, "") }
        var list: [JSONValue] = [], texts: [String] = []
        for (i, v) in vs.enumerated() {
            let f = i < formats.count ? formats[i] : .raw
            switch v {
            case .null: list.append(.null); texts.append("null")
            case .bytes(let b):
                let t = String(decoding: b, as: UTF8.self)
                list.append(.string(t)); texts.append(t)
            case .long(let l):
                if f == .boolean { list.append(.bool(l != 0)); texts.append(l != 0 ? "true" : "false") }
                else if !f.isRaw, let t = f.text(Double(l)) { list.append(.string(t)); texts.append(t) }
                else { list.append(.int(l)); texts.append(String(l)) }
            case .unsigned(let u): list.append(.unsigned(u)); texts.append(String(u))
            case .double(let d): list.append(.double(d)); texts.append(NumberText.java(d))
            }
        }
        return (.array(list), texts.joined(separator: "|"))
    }
}
