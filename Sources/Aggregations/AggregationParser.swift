import Index
import JSON
import Query

/// Parses the request's `aggs` object into `AggNode`s, with OpenSearch's parse-time validation.
enum AggregationParser {
    static let bucketTypes = ["terms", "multi_terms", "rare_terms", "adjacency_matrix", "histogram", "date_histogram", "range", "date_range", "ip_range", "filter", "filters",
                              "missing", "global", "composite"]
    static let metricTypes = ["avg", "sum", "min", "max", "value_count", "stats", "extended_stats", "cardinality",
                              "percentiles", "percentile_ranks", "median_absolute_deviation", "top_hits", "weighted_avg"]
    static let pipelineTypes = ["derivative", "cumulative_sum", "moving_fn", "serial_diff", "bucket_script", "bucket_selector",
                                "bucket_sort", "avg_bucket", "max_bucket", "min_bucket", "sum_bucket", "stats_bucket",
                                "extended_stats_bucket", "percentiles_bucket"]
    /// OpenSearch types Searchlight does not implement: a clear 400 instead of "unknown type".
    static let unsupportedTypes = ["auto_date_histogram", "diversified_sampler", "geo_bounds", "geo_centroid",
                                   "geo_distance", "geohash_grid", "geotile_grid", "matrix_stats", "nested", "reverse_nested",
                                   "sampler", "scripted_metric", "significant_terms", "significant_text",
                                   "variable_width_histogram", "moving_avg"]
    static var knownTypeNames: [String] { bucketTypes + metricTypes + pipelineTypes + unsupportedTypes }

    /// A JSON object being consumed key by key; leftovers are OpenSearch's "unknown field".
    struct Body {
        let type: String
        let object: JSONObject
        var used: Set<String> = []

        init(_ type: String, _ json: JSONValue) throws(OpenSearchError) {
            self.type = type
            guard case .object(let o) = json else {
                throw OpenSearchError.parsing("Expected [START_OBJECT] under [\(type)], but got a [\(json.tokenName)]")
            }
            object = o
        }

        mutating func take(_ key: String) -> JSONValue? {
            used.insert(key)
            if let v = object[key], !v.isNull { return v }
            return nil
        }

        mutating func has(_ key: String) -> Bool { used.insert(key); return object[key] != nil }

        mutating func string(_ key: String) throws(OpenSearchError) -> String? {
            guard let v = take(key) else { return nil }
            switch v {
            case .string(let s): return s
            case .int, .double, .bool: return QueryValues.text(v)
            default: throw AggregationErrors.field(type, key, "[\(key)] must be a string, got [\(v.tokenName)]")
            }
        }

        mutating func int(_ key: String) throws(OpenSearchError) -> Int? {
            guard let v = take(key) else { return nil }
            guard let i = v.int64Value, let n = Int(exactly: i) else {
                throw AggregationErrors.field(type, key, "[\(key)] must be an integer, got [\(QueryValues.text(v) ?? v.tokenName)]")
            }
            return n
        }

        mutating func double(_ key: String) throws(OpenSearchError) -> Double? {
            guard let v = take(key) else { return nil }
            guard let d = v.doubleValue else {
                throw AggregationErrors.field(type, key, "[\(key)] must be a number, got [\(QueryValues.text(v) ?? v.tokenName)]")
            }
            return d
        }

        mutating func bool(_ key: String) throws(OpenSearchError) -> Bool? {
            guard let v = take(key) else { return nil }
            if let b = v.boolValue { return b }
            if v.stringValue == "true" { return true }
            if v.stringValue == "false" { return false }
            throw AggregationErrors.field(type, key, "Failed to parse value [\(QueryValues.text(v) ?? v.tokenName)] as only [true] or [false] are allowed.")
        }

        /// Rejects keys nobody took, suggesting the closest known one.
        func finish(known: [String]) throws(OpenSearchError) {
            for k in object.keys where !used.contains(k) {
                throw AggregationErrors.unknownField(type, k, candidates: known + Array(used))
            }
        }
    }

    // MARK: the tree

    static func parse(_ json: JSONValue) throws(OpenSearchError) -> (aggs: [AggNode], pipelines: [PipelineNode]) {
        try parseLevel(json, parent: nil)
    }

    static func parseLevel(_ json: JSONValue, parent: AggNode?) throws(OpenSearchError) -> (aggs: [AggNode], pipelines: [PipelineNode]) {
        guard case .object(let o) = json else {
            throw OpenSearchError.parsing("Unexpected token \(json.tokenName) in [aggs].")
        }
        var aggs: [AggNode] = []
        var pipelines: [PipelineNode] = []
        var names: Set<String> = []
        for (name, body) in o {
            if name.contains("[") || name.contains("]") || name.contains(">") {
                throw OpenSearchError.parsing("Invalid aggregation name [\(name)]. Aggregation names can contain any character except '[', ']', and '>'")
            }
            if !names.insert(name).inserted {
                throw OpenSearchError.illegalArgument("Two sibling aggregations cannot have the same name: [\(name)]")
            }
            guard case .object(let def) = body else {
                throw OpenSearchError.parsing("Aggregation definition for [\(name) starts with a [\(body.tokenName)], expected a [START_OBJECT].")
            }
            var type: String? = nil
            var typeBody: JSONValue = .null
            var meta: JSONValue? = nil
            var subJSON: JSONValue? = nil
            for (k, v) in def {
                switch k {
                case "meta":
                    guard case .object = v else { throw OpenSearchError.parsing("Expected [START_OBJECT] under [meta], but got a [\(v.tokenName)] in [\(name)]") }
                    meta = v
                case "aggs", "aggregations":
                    if subJSON != nil { throw OpenSearchError.parsing("Found two sub aggregation definitions under [\(name)]") }
                    guard case .object = v else { throw OpenSearchError.parsing("Expected [START_OBJECT] under [\(k)], but got a [\(v.tokenName)] in [\(name)]") }
                    subJSON = v
                default:
                    if let t = type { throw OpenSearchError.parsing("Found two aggregation type definitions in [\(name)]: [\(t)] and [\(k)]") }
                    type = k
                    typeBody = v
                }
            }
            guard let t = type else { throw OpenSearchError.parsing("Missing definition for aggregation [\(name)]") }
            if pipelineTypes.contains(t) {
                if subJSON != nil {
                    throw OpenSearchError("aggregation_initialization_exception", "Aggregator [\(name)] of type [\(t)] cannot accept sub-aggregations", status: 400)
                }
                pipelines.append(try PipelineParser.parse(name: name, type: t, body: typeBody, meta: meta))
                continue
            }
            if unsupportedTypes.contains(t) {
                throw OpenSearchError.illegalArgument("aggregation type [\(t)] is not supported by Searchlight")
            }
            guard bucketTypes.contains(t) || metricTypes.contains(t) else { throw AggregationErrors.unknownType(t) }
            let kind = try parseKind(name: name, type: t, body: typeBody)
            var node = AggNode(name: name, type: t, kind: kind, meta: meta, subs: [], pipelines: [])
            if let sj = subJSON {
                if metricTypes.contains(t) {
                    throw OpenSearchError("aggregation_initialization_exception", "Aggregator [\(name)] of type [\(t)] cannot accept sub-aggregations", status: 400)
                }
                let (subs, pipes) = try parseLevel(sj, parent: node)
                node.subs = subs
                node.pipelines = pipes
            }
            try validateOrder(node)
            if let p = parent {
                if case .global = kind {
                    throw OpenSearchError("aggregation_execution_exception", "Aggregation [\(p.name)] cannot have a global sub-aggregation [\(name)]. Global aggregations can only be defined as top level aggregations", status: 500)
                }
                if case .composite = kind {
                    throw OpenSearchError.illegalArgument("[composite] aggregation cannot be used with a parent aggregation of type: [\(javaAggregatorName(p))]")
                }
            }
            aggs.append(node)
        }
        try PipelineParser.validate(pipelines, siblings: aggs, parent: parent)
        return (aggs, pipelines)
    }

    /// Bucket orders may name `_count`, `_key` or a metric (through single-bucket
    /// sub-aggregations), never a pipeline or a multi-bucket aggregation.
    static func validateOrder(_ node: AggNode) throws(OpenSearchError) {
        let order: [BucketOrder]
        switch node.kind {
        case .terms(let t): order = t.order
        case .multiTerms(let m): order = m.terms.order
        case .histogram(let h): order = h.order
        case .dateHistogram(let d): order = d.order
        default: return
        }
        for o in order {
            guard case .path(let path, _) = o else { continue }
            var subs = node.subs
            for (i, e) in path.elements.enumerated() {
                if e.name == "_count" || e.name == "_key" { break }
                guard let sub = subs.first(where: { $0.name == e.name }) else {
                    throw OpenSearchError("aggregation_execution_exception", "Invalid aggregator order path [\(path.text)]. The provided aggregation [\(e.name)] either does not exist, or is a pipeline aggregation and cannot be used to sort the buckets.", status: 500)
                }
                let last = i == path.elements.count - 1
                if sub.isMultiBucket || (!last && !sub.isSingleBucket) {
                    throw OpenSearchError("aggregation_execution_exception", "Invalid aggregation order path [\(path.text)]. Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.", status: 500)
                }
                subs = sub.subs
            }
        }
    }

    static func javaAggregatorName(_ n: AggNode) -> String {
        switch n.kind {
        case .terms: return "GlobalOrdinalsStringTermsAggregator"
        case .histogram: return "NumericHistogramAggregator"
        case .dateHistogram: return "DateHistogramAggregator"
        case .range: return "RangeAggregator"
        case .filter: return "FilterAggregator"
        case .filters: return "FiltersAggregator"
        case .missing: return "MissingAggregator"
        case .global: return "GlobalAggregator"
        default: return n.type
        }
    }

    // MARK: value sources

    static let valueSourceKeys = ["field", "missing", "format", "value_type", "valueType", "script"]

    static func valueSource(_ name: String, _ b: inout Body, requireField: Bool = true) throws(OpenSearchError) -> ValueSource {
        var vs = ValueSource()
        if b.take("script") != nil { throw AggregationErrors.script(name) }
        vs.field = try b.string("field")
        vs.missing = b.take("missing")
        vs.format = try b.string("format")
        vs.valueType = try b.string("value_type")
        if vs.valueType == nil { vs.valueType = try b.string("valueType") }
        if requireField && vs.field == nil {
            throw OpenSearchError.illegalArgument("Required one of fields [field, script], but none were specified. ")
        }
        return vs
    }

    // MARK: per type

    static func parseKind(name: String, type: String, body json: JSONValue) throws(OpenSearchError) -> AggKind {
        var b = try Body(type, json)
        let kind: AggKind
        var known = valueSourceKeys
        switch type {
        case "avg", "sum", "min", "max", "value_count", "stats":
            let m: MetricKind = ["avg": .avg, "sum": .sum, "min": .min, "max": .max, "value_count": .valueCount, "stats": .stats][type]!
            kind = .metric(m, try valueSource(name, &b))
        case "extended_stats":
            let vs = try valueSource(name, &b)
            let sigma = try b.double("sigma") ?? 2
            if sigma < 0 {
                throw AggregationErrors.field(type, "sigma", "[sigma] must be greater than or equal to 0. Found [\(NumberText.java(sigma))] in [\(name)]")
            }
            kind = .metric(.extendedStats(sigma: sigma), vs)
            known.append("sigma")
        case "cardinality":
            let vs = try valueSource(name, &b)
            let t = try b.int("precision_threshold") ?? CardinalitySketch.defaultThreshold
            if t < 0 {
                throw AggregationErrors.field(type, "precision_threshold", "[precisionThreshold] must be greater than or equal to 0. Found [\(t)] in [\(name)]")
            }
            _ = b.take("rehash"); _ = b.take("execution_hint")
            kind = .cardinality(vs, precision: CardinalitySketch.precision(threshold: t))
            known += ["precision_threshold", "rehash", "execution_hint"]
        case "percentiles", "percentile_ranks":
            let vs = try valueSource(name, &b)
            let keyed = try b.bool("keyed") ?? true
            var compression = 100.0
            if let td = b.take("tdigest") {
                var tb = try Body("tdigest", td)
                compression = try tb.double("compression") ?? 100
                try tb.finish(known: ["compression"])
                if compression < 0 {
                    throw AggregationErrors.field(type, "tdigest", "[compression] must be greater than or equal to 0. Found [\(NumberText.java(compression))] in [\(name)]")
                }
            }
            if b.take("hdr") != nil { throw OpenSearchError.illegalArgument("[hdr] percentiles are not supported by Searchlight; use [tdigest]") }
            _ = b.take("method")
            let listKey = type == "percentiles" ? "percents" : "values"
            var list: [Double] = type == "percentiles" ? [1, 5, 25, 50, 75, 95, 99] : []
            if b.has(listKey) {
                guard case .array(let a)? = b.object[listKey] else {
                    throw AggregationErrors.field(type, listKey, "[\(listKey)] must be an array of numbers")
                }
                list = []
                for v in a {
                    guard let d = v.doubleValue, v.stringValue == nil else {
                        throw AggregationErrors.field(type, listKey, "[\(listKey)] must be an array of numbers, found [\(QueryValues.text(v) ?? v.tokenName)]")
                    }
                    list.append(d)
                }
                if list.isEmpty { throw AggregationErrors.field(type, listKey, "[\(listKey)] must not be empty") }
            } else if type == "percentile_ranks" {
                throw OpenSearchError.illegalArgument("[values] must not be null: [\(name)]")
            }
            if type == "percentiles" {
                for p in list where p < 0 || p > 100 {
                    throw AggregationErrors.field(type, listKey, "percent must be in [0,100], got [\(NumberText.java(p))]: [\(name)]")
                }
                kind = .percentiles(vs, percents: list, keyed: keyed, compression: compression)
            } else {
                kind = .percentileRanks(vs, values: list.sorted(), keyed: keyed, compression: compression)
            }
            known += ["keyed", "tdigest", "hdr", "method", listKey]
        case "median_absolute_deviation":
            let vs = try valueSource(name, &b)
            let compression = try b.double("compression") ?? 1000
            if !(compression > 0) {
                throw AggregationErrors.field(type, "compression", "[compression] must be greater than 0. Found [\(NumberText.java(compression))] in [\(name)]")
            }
            kind = .medianAbsoluteDeviation(vs, compression: compression)
            known.append("compression")
        case "ip_range":
            kind = .ipRange(try ipRange(name, &b))
            known += ["ranges", "keyed"]
        case "weighted_avg":
            guard let v = b.take("value"), let w = b.take("weight") else {
                throw OpenSearchError.illegalArgument("[weighted_avg] requires both [value] and [weight] to be specified")
            }
            var vb = try Body("value", v), wb = try Body("weight", w)
            let value = try valueSource(name, &vb), weight = try valueSource(name, &wb)
            try vb.finish(known: ["field", "missing"]); try wb.finish(known: ["field", "missing"])
            kind = .weightedAvg(value: value, weight: weight, format: try b.string("format"))
            _ = b.take("value_type")
            known = ["value", "weight", "format", "value_type"]
        case "top_hits":
            kind = .topHits(try topHits(&b))
            known = ["from", "size", "sort", "_source", "version", "seq_no_primary_term", "track_scores", "explain",
                     "docvalue_fields", "stored_fields", "highlight", "script_fields", "fields"]
        case "terms":
            kind = .terms(try terms(name, &b))
            known += ["size", "shard_size", "min_doc_count", "shard_min_doc_count", "order", "include", "exclude",
                      "execution_hint", "collect_mode", "show_term_doc_count_error"]
        case "multi_terms":
            kind = .multiTerms(try multiTerms(name, &b))
            known = ["terms", "size", "shard_size", "min_doc_count", "shard_min_doc_count", "order", "collect_mode",
                     "show_term_doc_count_error", "format"]
        case "adjacency_matrix":
            var a = AdjacencyMatrixSpec()
            let f = try filters(&b)
            if f.anonymous { throw OpenSearchError.parsing("[adjacency_matrix] filters must be named") }
            a.filters = f.filters.map { ($0.name ?? "", $0.query) }
            if a.filters.count > 100 {
                throw OpenSearchError.illegalArgument("Number of filters is too large, must be less than or equal to: [100] but was [\(a.filters.count)].This limit can be set by changing the [index.max_adjacency_matrix_filters] index level setting.")
            }
            a.separator = try b.string("separator") ?? "&"
            a.showOnlyIntersecting = try b.bool("show_only_intersecting") ?? false
            kind = .adjacencyMatrix(a)
            known = ["filters", "separator", "show_only_intersecting"]
        case "rare_terms":
            kind = .rareTerms(try rareTerms(name, &b))
            known += ["max_doc_count", "include", "exclude", "precision"]
        case "histogram":
            kind = .histogram(try histogram(name, &b))
            known += ["interval", "offset", "min_doc_count", "extended_bounds", "hard_bounds", "order", "keyed"]
        case "date_histogram":
            kind = .dateHistogram(try dateHistogram(name, &b))
            known += ["calendar_interval", "fixed_interval", "interval", "time_zone", "offset", "min_doc_count",
                      "extended_bounds", "hard_bounds", "order", "keyed"]
        case "range", "date_range":
            kind = .range(try range(name, type, &b))
            known += ["ranges", "keyed", "time_zone"]
        case "missing":
            kind = .missing(try valueSource(name, &b))
        case "filter":
            return .filter(try Query.parse(json))
        case "filters":
            kind = .filters(try filters(&b))
            known = ["filters", "other_bucket", "other_bucket_key", "keyed"]
        case "global":
            kind = .global
            known = []
        case "composite":
            kind = .composite(try composite(name, &b))
            known = ["sources", "size", "after"]
        default:
            throw AggregationErrors.unknownType(type)
        }
        try b.finish(known: known)
        return kind
    }
}
