import Index
import JSON
import Query

/// Parses and validates pipeline aggregations (`derivative`, `bucket_script`, `avg_bucket`, …).
enum PipelineParser {
    static func gapPolicy(_ type: String, _ v: String?) throws(OpenSearchError) -> GapPolicy {
        switch v {
        case nil, "skip"?: return .skip
        case "insert_zeros"?: return .insertZeros
        case "keep_values"?: return .keepValues
        case let s?: throw AggregationErrors.field(type, "gap_policy", "Unknown GapPolicy: [\(s)]")
        }
    }

    static func singlePath(_ name: String, _ type: String, _ b: inout AggregationParser.Body) throws(OpenSearchError) -> AggPath {
        guard let v = b.take("buckets_path") else {
            throw OpenSearchError.parsing("Missing required field [buckets_path] for \(type) aggregation [\(name)]")
        }
        switch v {
        case .string(let s): return try AggPath.parse(s)
        case .array(let a) where a.count == 1: if let s = a[0].stringValue { return try AggPath.parse(s) }
        case .object(let o) where o.count == 1: if let s = o.values[0].stringValue { return try AggPath.parse(s) }
        default: break
        }
        throw AggregationErrors.validation("[buckets_path] must contain a single entry for aggregation [\(name)]")
    }

    static func pathMap(_ name: String, _ type: String, _ b: inout AggregationParser.Body) throws(OpenSearchError) -> [(String, AggPath)] {
        guard let v = b.take("buckets_path") else {
            throw OpenSearchError.parsing("Missing required field [buckets_path] for \(type) aggregation [\(name)]")
        }
        switch v {
        case .string(let s): return [("_value0", try AggPath.parse(s))]
        case .array(let a):
            var out: [(String, AggPath)] = []
            for (i, e) in a.enumerated() {
                guard let s = e.stringValue else { throw OpenSearchError.parsing("[buckets_path] entries must be strings") }
                out.append(("_value\(i)", try AggPath.parse(s)))
            }
            return out
        case .object(let o):
            var out: [(String, AggPath)] = []
            for (k, e) in o {
                guard let s = e.stringValue else { throw OpenSearchError.parsing("[buckets_path] entries must be strings") }
                out.append((k, try AggPath.parse(s)))
            }
            return out
        default:
            throw OpenSearchError.parsing("[buckets_path] must be a string, an array or an object")
        }
    }

    static func script(_ name: String, _ type: String, _ b: inout AggregationParser.Body) throws(OpenSearchError) -> ScriptExpression {
        guard let s = b.take("script") else {
            throw OpenSearchError.parsing("Missing required field [script] for \(type) aggregation [\(name)]")
        }
        return try ScriptExpression.parse(s)
    }

    static func parse(name: String, type: String, body: JSONValue, meta: JSONValue?) throws(OpenSearchError) -> PipelineNode {
        var b = try AggregationParser.Body(type, body)
        let kind: PipelineKind
        var known = ["buckets_path", "gap_policy", "format"]
        let format = try b.string("format")
        switch type {
        case "derivative":
            let path = try singlePath(name, type, &b)
            let gap = try gapPolicy(type, try b.string("gap_policy"))
            var unit: Int64? = nil
            if let u = try b.string("unit") {
                // java.time's estimated durations: a month is 1/12 of 365.2425 days.
                switch DateInterval.calendarNames[u] {
                case .month?: unit = 2_629_746_000
                case .quarter?: unit = 7_889_238_000
                case .year?: unit = 31_556_952_000
                case let c?: unit = DateInterval.calendar(c).approximateLength
                case nil: unit = DateInterval.timeValue(u)
                }
                guard unit != nil else { throw AggregationErrors.field(type, "unit", "failed to parse setting [unit] with value [\(u)] as a time value") }
            }
            kind = .derivative(path: path, gap: gap, unit: unit)
            known.append("unit")
        case "cumulative_sum":
            kind = .cumulativeSum(path: try singlePath(name, type, &b))
        case "moving_fn":
            let path = try singlePath(name, type, &b)
            guard let w = try b.int("window"), w > 0 else {
                throw OpenSearchError.illegalArgument("[window] must be a positive, non-zero integer.")
            }
            let shift = try b.int("shift") ?? 0
            let s = try script(name, type, &b)
            kind = .movingFn(path: path, window: w, shift: shift, script: s, gap: try gapPolicy(type, try b.string("gap_policy")))
            known += ["window", "shift", "script"]
        case "serial_diff":
            let path = try singlePath(name, type, &b)
            let lag = try b.int("lag") ?? 1
            if lag <= 0 { throw OpenSearchError.illegalArgument("[lag] must be a positive integer: [\(name)]") }
            kind = .serialDiff(path: path, lag: lag, gap: try gapPolicy(type, try b.string("gap_policy")))
            known.append("lag")
        case "bucket_script":
            let vars = try pathMap(name, type, &b)
            kind = .bucketScript(vars: vars, script: try script(name, type, &b), gap: try gapPolicy(type, try b.string("gap_policy")))
            known.append("script")
        case "bucket_selector":
            let vars = try pathMap(name, type, &b)
            kind = .bucketSelector(vars: vars, script: try script(name, type, &b), gap: try gapPolicy(type, try b.string("gap_policy")))
            known.append("script")
        case "bucket_sort":
            var sort: [(AggPath, Bool)] = []
            if let s = b.take("sort") {
                let items: [JSONValue]
                if case .array(let a) = s { items = a } else { items = [s] }
                for item in items {
                    switch item {
                    case .string(let f): sort.append((try AggPath.parse(f), false))
                    case .object(let o):
                        for (k, v) in o {
                            let dir = v.stringValue ?? v["order"]?.stringValue ?? "asc"
                            guard dir == "asc" || dir == "desc" else { throw OpenSearchError.parsing("Unknown order direction [\(dir)]") }
                            sort.append((try AggPath.parse(k), dir == "asc"))
                        }
                    default: throw OpenSearchError.parsing("[sort] must be a string, an object or an array")
                    }
                }
            }
            let from = try b.int("from") ?? 0
            if from < 0 { throw AggregationErrors.field(type, "from", "[from] must be a non-negative integer: [\(from)]") }
            let size = try b.int("size")
            if let s = size, s <= 0 { throw AggregationErrors.field(type, "size", "[size] must be a positive integer: [\(s)]") }
            kind = .bucketSort(sort: sort, from: from, size: size, gap: try gapPolicy(type, try b.string("gap_policy")))
            known = ["sort", "from", "size", "gap_policy"]
        case "avg_bucket", "max_bucket", "min_bucket", "sum_bucket", "stats_bucket", "extended_stats_bucket", "percentiles_bucket":
            let path = try singlePath(name, type, &b)
            let gap = try gapPolicy(type, try b.string("gap_policy"))
            var metric: BucketMetricKind
            switch type {
            case "avg_bucket": metric = .avg
            case "max_bucket": metric = .max
            case "min_bucket": metric = .min
            case "sum_bucket": metric = .sum
            case "stats_bucket": metric = .stats
            case "extended_stats_bucket":
                let sigma = try b.double("sigma") ?? 2
                if sigma < 0 { throw AggregationErrors.field(type, "sigma", "[sigma] must be greater than or equal to 0. Found [\(NumberText.java(sigma))] in [\(name)]") }
                metric = .extendedStats(sigma: sigma)
                known.append("sigma")
            default:
                var percents: [Double] = [1, 5, 25, 50, 75, 95, 99]
                if case .array(let a)? = b.take("percents") {
                    percents = []
                    for v in a {
                        guard let d = v.doubleValue, d >= 0, d <= 100 else {
                            throw AggregationErrors.field(type, "percents", "[percents] must only contain non-null doubles from 0.0-100.0 inclusive")
                        }
                        percents.append(d)
                    }
                }
                metric = .percentiles(percents, keyed: try b.bool("keyed") ?? true)
                known += ["percents", "keyed"]
            }
            kind = .bucketMetric(metric, path: path, gap: gap)
        default:
            throw AggregationErrors.unknownType(type)
        }
        try b.finish(known: known)
        return PipelineNode(name: name, type: type, kind: kind, meta: meta, format: format)
    }

    /// OpenSearch's request validation of pipelines against their place in the tree.
    static func validate(_ pipelines: [PipelineNode], siblings: [AggNode], parent: AggNode?) throws(OpenSearchError) {
        for p in pipelines {
            switch p.kind {
            case .derivative, .cumulativeSum, .movingFn, .serialDiff:
                guard let parent else {
                    throw AggregationErrors.validation("\(p.type) aggregation [\(p.name)] must be declared inside of another aggregation")
                }
                switch parent.kind {
                case .histogram, .dateHistogram: break
                default:
                    throw AggregationErrors.validation("\(p.type) aggregation [\(p.name)] must have a histogram, date_histogram or auto_date_histogram as parent")
                }
            case .bucketScript, .bucketSelector, .bucketSort:
                guard let parent, parent.isMultiBucket else {
                    throw AggregationErrors.validation("\(p.type) aggregation [\(p.name)] must be declared inside of another aggregation")
                }
            case .bucketMetric(_, let path, _):
                let first = path.elements[0].name
                guard let target = siblings.first(where: { $0.name == first }) else {
                    throw AggregationErrors.validation("[buckets_path] aggregation does not exist for aggregation [\(p.name)]: \(path.text)")
                }
                if !target.isMultiBucket {
                    throw AggregationErrors.validation("The first aggregation in buckets_path must be a multi-bucket aggregation for aggregation [\(p.name)] found :\(target.type) for buckets path: \(path.text)")
                }
            }
        }
    }
}
