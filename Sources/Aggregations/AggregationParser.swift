import Index
import JSON
import Query

/// Parses the request's `aggs` object into `AggNode`s, with OpenSearch's parse-time validation.
enum AggregationParser {
    static let bucketTypes = ["terms", "histogram", "date_histogram", "range", "date_range", "filter", "filters", "missing",
                              "global", "composite"]
    static let metricTypes = ["avg", "sum", "min", "max", "value_count", "stats", "extended_stats", "cardinality",
                              "percentiles", "percentile_ranks", "top_hits", "weighted_avg"]
    static let pipelineTypes = ["derivative", "cumulative_sum", "moving_fn", "serial_diff", "bucket_script", "bucket_selector",
                                "bucket_sort", "avg_bucket", "max_bucket", "min_bucket", "sum_bucket", "stats_bucket",
                                "extended_stats_bucket", "percentiles_bucket"]
    /// OpenSearch types Searchlight does not implement: a clear 400 instead of "unknown type".
    static let unsupportedTypes = ["adjacency_matrix", "auto_date_histogram", "diversified_sampler", "geo_bounds", "geo_centroid",
                                   "geo_distance", "geohash_grid", "geotile_grid", "ip_range", "matrix_stats",
                                   "median_absolute_deviation", "multi_terms", "nested", "rare_terms", "reverse_nested",
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
            if let p = parent {
                if case .global = kind {
                    throw OpenSearchError("aggregation_execution_exception", "Aggregation [\(p.name)] cannot have a global sub-aggregation [\(name)]. Global aggregations can only be defined as top level aggregations", status: 400)
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

    static func order(_ type: String, _ v: JSONValue) throws(OpenSearchError) -> [BucketOrder] {
        var out: [BucketOrder] = []
        let items: [JSONValue]
        if case .array(let a) = v { items = a } else { items = [v] }
        for item in items {
            guard case .object(let o) = item else { throw AggregationErrors.field(type, "order", "[order] must be an object or an array of objects") }
            for (k, dir) in o {
                let d = dir.stringValue?.lowercased()
                guard d == "asc" || d == "desc" else {
                    throw OpenSearchError.parsing("Unknown order direction [\(QueryValues.text(dir) ?? dir.tokenName)]")
                }
                let asc = d == "asc"
                switch k {
                case "_count": out.append(.count(asc: asc))
                case "_key", "_term", "_time": out.append(.key(asc: asc))
                default: out.append(.path(try AggPath.parse(k), asc: asc))
                }
            }
        }
        return out
    }

    static func termsFilter(_ type: String, _ key: String, _ v: JSONValue) throws(OpenSearchError) -> TermsFilter {
        switch v {
        case .string(let s): return .regex(try RegexpPattern(s))
        case .array(let a): return .values(a)
        case .object(let o):
            if let p = o["partition"]?.int64Value, let n = o["num_partitions"]?.int64Value {
                guard n > 0, p >= 0, p < n else { throw AggregationErrors.field(type, key, "[partition] must be in [0, num_partitions)") }
                return .partition(Int(p), of: Int(n))
            }
            if let pattern = o["pattern"]?.stringValue { return .regex(try RegexpPattern(pattern)) }
            throw AggregationErrors.field(type, key, "[\(key)] must be a regex string, an array of values or a partition object")
        default:
            return .values([v])
        }
    }

    static func terms(_ name: String, _ b: inout Body) throws(OpenSearchError) -> TermsSpec {
        var t = TermsSpec()
        t.source = try valueSource(name, &b)
        if let s = try b.int("size") {
            if s <= 0 { throw AggregationErrors.field("terms", "size", "[size] must be greater than 0. Found [\(s)] in [\(name)]") }
            t.size = s
        }
        if let s = try b.int("shard_size") {
            if s <= 0 && s != -1 { throw AggregationErrors.field("terms", "shard_size", "[shardSize] must be greater than 0. Found [\(s)] in [\(name)]") }
            t.shardSize = s > 0 ? s : nil
        }
        if let m = try b.int("min_doc_count") {
            if m < 0 { throw AggregationErrors.field("terms", "min_doc_count", "[minDocCount] must be greater than or equal to 0. Found [\(m)] in [\(name)]") }
            t.minDocCount = Int64(m)
        }
        _ = try b.int("shard_min_doc_count")
        if let o = b.take("order") {
            var list = try order("terms", o)
            // OpenSearch breaks ties by key, ascending, unless the key already decides.
            if !list.contains(where: { if case .key = $0 { return true }; return false }) { list.append(.key(asc: true)) }
            t.order = list
        }
        if let i = b.take("include") { t.include = try termsFilter("terms", "include", i) }
        if let e = b.take("exclude") { t.exclude = try termsFilter("terms", "exclude", e) }
        if case .partition? = t.exclude { throw AggregationErrors.field("terms", "exclude", "[exclude] cannot use partitions") }
        _ = b.take("execution_hint"); _ = b.take("collect_mode")
        t.showTermDocCountError = try b.bool("show_term_doc_count_error") ?? false
        return t
    }

    static func bounds(_ type: String, _ key: String, _ v: JSONValue) throws(OpenSearchError) -> (min: JSONValue?, max: JSONValue?) {
        guard case .object(let o) = v else { throw AggregationErrors.field(type, key, "[\(key)] must be an object with [min] and [max]") }
        for k in o.keys where k != "min" && k != "max" { throw AggregationErrors.unknownField(key, k, candidates: ["min", "max"]) }
        let mn = o["min"].flatMap { $0.isNull ? nil : $0 }, mx = o["max"].flatMap { $0.isNull ? nil : $0 }
        return (mn, mx)
    }

    static func histogram(_ name: String, _ b: inout Body) throws(OpenSearchError) -> HistogramSpec {
        var h = HistogramSpec()
        h.source = try valueSource(name, &b)
        guard let interval = try b.double("interval") else {
            throw OpenSearchError.illegalArgument("[interval] must be >0 for histogram aggregation [\(name)]")
        }
        if !(interval > 0) { throw AggregationErrors.field("histogram", "interval", "[interval] must be >0 for histogram aggregation [\(name)]") }
        h.interval = interval
        h.offset = try b.double("offset") ?? 0
        if let m = try b.int("min_doc_count") {
            if m < 0 { throw AggregationErrors.field("histogram", "min_doc_count", "[minDocCount] must be greater than or equal to 0. Found [\(m)] in [\(name)]") }
            h.minDocCount = Int64(m)
        }
        if let e = b.take("extended_bounds") {
            let (mn, mx) = try bounds("histogram", "extended_bounds", e)
            h.extendedBounds = (mn?.doubleValue, mx?.doubleValue)
        }
        if let e = b.take("hard_bounds") {
            let (mn, mx) = try bounds("histogram", "hard_bounds", e)
            h.hardBounds = (mn?.doubleValue, mx?.doubleValue)
        }
        if let ext = h.extendedBounds, let mn = ext.min, let mx = ext.max, mn > mx {
            throw OpenSearchError.illegalArgument("[extended_bounds.min][\(NumberText.java(mn))] cannot be greater than [extended_bounds.max][\(NumberText.java(mx))] for histogram aggregation [\(name)]")
        }
        if let o = b.take("order") { h.order = try order("histogram", o) }
        h.keyed = try b.bool("keyed") ?? false
        return h
    }

    static func dateInterval(_ name: String, _ b: inout Body) throws(OpenSearchError) -> DateInterval {
        let cal = try b.string("calendar_interval"), fixed = try b.string("fixed_interval")
        let legacy = b.take("interval")
        if cal != nil && fixed != nil {
            throw AggregationErrors.field("date_histogram", "fixed_interval", "Cannot use [fixed_interval] with [calendar_interval] configuration option.")
        }
        if legacy != nil && (cal != nil || fixed != nil) {
            throw AggregationErrors.field("date_histogram", "interval", "Cannot use [interval] with [fixed_interval] or [calendar_interval] configuration options.")
        }
        if let c = cal {
            guard let u = DateInterval.calendarNames[c] else {
                throw AggregationErrors.field("date_histogram", "calendar_interval", "The supplied interval [\(c)] could not be parsed as a calendar interval.")
            }
            return .calendar(u)
        }
        if let f = fixed {
            guard let ms = DateInterval.timeValue(f) else {
                throw AggregationErrors.field("date_histogram", "fixed_interval", "failed to parse setting [date_histogram.fixedInterval] with value [\(f)] as a time value: unit is missing or unrecognized")
            }
            if ms <= 0 { throw OpenSearchError.illegalArgument("Zero or negative time interval not supported") }
            return .fixed(ms)
        }
        if let l = legacy {
            if let s = l.stringValue {
                if let u = DateInterval.calendarNames[s] { return .calendar(u) }
                guard let ms = DateInterval.timeValue(s) else {
                    throw AggregationErrors.field("date_histogram", "interval", "failed to parse setting [date_histogram.interval] with value [\(s)] as a time value: unit is missing or unrecognized")
                }
                if ms <= 0 { throw OpenSearchError.illegalArgument("Zero or negative time interval not supported") }
                return .fixed(ms)
            }
            guard let ms = l.int64Value, ms > 0 else { throw OpenSearchError.illegalArgument("Zero or negative time interval not supported") }
            return .fixed(ms)
        }
        throw OpenSearchError.illegalArgument("Invalid interval specified, must be non-null and non-empty")
    }

    static func zone(_ type: String, _ b: inout Body) throws(OpenSearchError) -> DateZone? {
        guard let z = try b.string("time_zone") else { return nil }
        return try DateZone(z)
    }

    static func offset(_ type: String, _ v: JSONValue?) throws(OpenSearchError) -> Int64 {
        guard let v else { return 0 }
        if let i = v.int64Value, v.stringValue == nil { return i }
        guard let s = v.stringValue, let ms = DateInterval.offset(s) else {
            throw AggregationErrors.field(type, "offset", "failed to parse setting [\(type).offset] with value [\(QueryValues.text(v) ?? v.tokenName)] as a time value: unit is missing or unrecognized")
        }
        return ms
    }

    static func dateHistogram(_ name: String, _ b: inout Body) throws(OpenSearchError) -> DateHistogramSpec {
        var h = DateHistogramSpec()
        h.source = try valueSource(name, &b)
        h.interval = try dateInterval(name, &b)
        h.zone = try zone("date_histogram", &b) ?? .utc
        h.offset = try offset("date_histogram", b.take("offset"))
        if let m = try b.int("min_doc_count") {
            if m < 0 { throw AggregationErrors.field("date_histogram", "min_doc_count", "[minDocCount] must be greater than or equal to 0. Found [\(m)] in [\(name)]") }
            h.minDocCount = Int64(m)
        }
        if let e = b.take("extended_bounds") { h.extendedBounds = try bounds("date_histogram", "extended_bounds", e) }
        if let e = b.take("hard_bounds") { h.hardBounds = try bounds("date_histogram", "hard_bounds", e) }
        if let o = b.take("order") { h.order = try order("date_histogram", o) }
        h.keyed = try b.bool("keyed") ?? false
        return h
    }

    static func range(_ name: String, _ type: String, _ b: inout Body) throws(OpenSearchError) -> RangeSpec {
        var r = RangeSpec()
        r.isDate = type == "date_range"
        r.source = try valueSource(name, &b)
        r.keyed = try b.bool("keyed") ?? false
        r.zone = try zone(type, &b)
        guard case .array(let list)? = b.take("ranges") else {
            throw OpenSearchError.illegalArgument("No [ranges] specified for the [\(name)] aggregation")
        }
        if list.isEmpty { throw OpenSearchError.illegalArgument("No [ranges] specified for the [\(name)] aggregation") }
        for item in list {
            var rb = try Body("range", item)
            var e = RangeSpec.Entry()
            e.key = try rb.string("key")
            e.from = rb.take("from")
            e.to = rb.take("to")
            if !r.isDate {
                for (k, v) in [("from", e.from), ("to", e.to)] {
                    if let v, v.doubleValue == nil { throw AggregationErrors.field("range", k, "[\(k)] must be a number, got [\(QueryValues.text(v) ?? v.tokenName)]") }
                }
            }
            try rb.finish(known: ["key", "from", "to"])
            r.ranges.append(e)
        }
        return r
    }

    static func filters(_ b: inout Body) throws(OpenSearchError) -> FiltersSpec {
        var f = FiltersSpec()
        guard let v = b.take("filters") else { throw OpenSearchError.illegalArgument("[filters] cannot be empty.") }
        switch v {
        case .object(let o):
            if o.isEmpty { throw OpenSearchError.illegalArgument("[filters] cannot be empty.") }
            var named: [(name: String?, query: Query)] = []
            for (k, q) in o { named.append((k, try Query.parse(q))) }
            named.sort { $0.name!.utf8.lexicographicallyPrecedes($1.name!.utf8) }
            f.filters = named
        case .array(let a):
            if a.isEmpty { throw OpenSearchError.illegalArgument("[filters] cannot be empty.") }
            for q in a { f.filters.append((nil, try Query.parse(q))) }
        default:
            throw OpenSearchError.parsing("Unknown key for a \(v.tokenName) in [filters].")
        }
        if let key = try b.string("other_bucket_key") { f.otherKey = key; f.otherBucket = true }
        if let o = try b.bool("other_bucket") { f.otherBucket = o }
        f.keyed = try b.bool("keyed") ?? true
        return f
    }

    static func composite(_ name: String, _ b: inout Body) throws(OpenSearchError) -> CompositeSpec {
        var c = CompositeSpec()
        guard b.has("sources") else { throw OpenSearchError.illegalArgument("Required [sources]") }
        guard case .array(let list)? = b.take("sources"), !list.isEmpty else {
            throw OpenSearchError.illegalArgument("Composite [sources] cannot be null or empty")
        }
        var seen: Set<String> = []
        for item in list {
            guard case .object(let o) = item, o.count == 1, case .object = o.values[0] else {
                throw OpenSearchError.parsing("[composite] sources must be objects with one named source")
            }
            let sourceName = o.keys[0]
            if !seen.insert(sourceName).inserted {
                throw OpenSearchError.illegalArgument("Composite source names must be unique, found duplicates: [\(sourceName)]")
            }
            guard case .object(let def) = o.values[0], def.count == 1 else {
                throw OpenSearchError.parsing("[composite] source [\(sourceName)] must have exactly one type")
            }
            let type = def.keys[0]
            var sb = try Body(type, def.values[0])
            var s: CompositeSpec.Source
            var known = valueSourceKeys + ["missing_bucket", "missing_order", "order"]
            switch type {
            case "terms":
                s = CompositeSpec.Source(name: sourceName, kind: .terms)
            case "histogram":
                guard let i = try sb.double("interval"), i > 0 else {
                    throw OpenSearchError.illegalArgument("[interval] must be greater than 0 for [histogram] source")
                }
                s = CompositeSpec.Source(name: sourceName, kind: .histogram(interval: i))
                known.append("interval")
            case "date_histogram":
                let interval = try dateInterval(name, &sb)
                let z = try zone(type, &sb) ?? .utc
                let off = try offset(type, sb.take("offset"))
                s = CompositeSpec.Source(name: sourceName, kind: .dateHistogram(interval, zone: z, offset: off))
                known += ["calendar_interval", "fixed_interval", "interval", "time_zone", "offset"]
            default:
                throw OpenSearchError.parsing("Unknown [composite] source type [\(type)] for [\(sourceName)], expected [terms], [histogram] or [date_histogram]")
            }
            s.value = try valueSource(name, &sb)
            if s.value.missing != nil { throw OpenSearchError.illegalArgument("[missing] is not supported in [composite] sources, use [missing_bucket]") }
            s.missingBucket = try sb.bool("missing_bucket") ?? false
            if let mo = try sb.string("missing_order") {
                switch mo {
                case "first": s.missingFirst = true
                case "last": s.missingFirst = false
                case "default": s.missingFirst = nil
                default: throw OpenSearchError.illegalArgument("Unknown MissingOrder: [\(mo)]")
                }
                if mo != "default" && !s.missingBucket {
                    throw OpenSearchError.illegalArgument("missingOrder can only be set if missingBucket is true")
                }
            }
            if let ord = try sb.string("order") {
                guard ord == "asc" || ord == "desc" else { throw OpenSearchError.parsing("Unknown order direction [\(ord)]") }
                s.ascending = ord == "asc"
            }
            try sb.finish(known: known)
            c.sources.append(s)
        }
        if let size = try b.int("size") {
            if size <= 0 { throw OpenSearchError.illegalArgument("[size] must be greater than 0. Found [\(size)] in [\(name)]") }
            c.size = size
        }
        if let a = b.take("after") {
            guard case .object(let ao) = a else { throw OpenSearchError.parsing("[after] must be an object") }
            c.after = ao
            if ao.count != c.sources.count {
                throw OpenSearchError.illegalArgument("[after] has \(ao.count) value(s) but [sources] has \(c.sources.count)")
            }
            for s in c.sources where ao[s.name] == nil {
                throw OpenSearchError.illegalArgument("Missing value for [after.\(s.name)]")
            }
        }
        return c
    }

    static func topHits(_ b: inout Body) throws(OpenSearchError) -> TopHitsSpec {
        var t = TopHitsSpec()
        t.from = try b.int("from") ?? 0
        t.size = try b.int("size") ?? 3
        if t.from < 0 { throw OpenSearchError.illegalArgument("[from] parameter cannot be negative") }
        if t.size < 0 { throw OpenSearchError.illegalArgument("[size] parameter cannot be negative") }
        if t.from + t.size > 100 {
            throw OpenSearchError.illegalArgument("Top hits result window is too large, the top hits aggregator [top_hits]'s from + size must be less than or equal to: [100] but was [\(t.from + t.size)]. This limit can be set by changing the [index.max_inner_result_window] index level setting.")
        }
        if let s = b.take("sort") { t.sort = try topHitsSort(s) }
        if let src = b.take("_source") { t.source = try sourceSpec(src) }
        t.version = try b.bool("version") ?? false
        t.seqNoPrimaryTerm = try b.bool("seq_no_primary_term") ?? false
        t.trackScores = try b.bool("track_scores") ?? false
        for ignored in ["explain", "docvalue_fields", "stored_fields", "highlight", "script_fields", "fields"] { _ = b.take(ignored) }
        return t
    }

    static func topHitsSort(_ v: JSONValue) throws(OpenSearchError) -> [TopHitsSpec.Sort] {
        func one(_ name: String) -> TopHitsSpec.Sort {
            switch name {
            case "_score": return .init(target: .score, descending: true)
            case "_doc": return .init(target: .doc, descending: false)
            default: return .init(target: .field(name), descending: false)
            }
        }
        switch v {
        case .string(let s): return [one(s)]
        case .array(let a):
            var out: [TopHitsSpec.Sort] = []
            for e in a { out += try topHitsSort(e) }
            return out
        case .object(let o):
            var out: [TopHitsSpec.Sort] = []
            for (k, body) in o {
                var s = one(k)
                if let d = body.stringValue {
                    guard d == "asc" || d == "desc" else { throw OpenSearchError.parsing("[\(k)] unknown sort order [\(d)]") }
                    s.descending = d == "desc"
                } else if case .object(let opts) = body {
                    if let d = opts["order"]?.stringValue {
                        guard d == "asc" || d == "desc" else { throw OpenSearchError.parsing("[field_sort] unknown sort order [\(d)]") }
                        s.descending = d == "desc"
                    }
                    if let m = opts["missing"]?.stringValue { s.missingFirst = m == "_first" ? true : (m == "_last" ? false : nil) }
                }
                out.append(s)
            }
            return out
        default:
            throw OpenSearchError.parsing("[sort] must be a string, an object or an array")
        }
    }

    static func sourceSpec(_ v: JSONValue) throws(OpenSearchError) -> SourceSpec {
        func strings(_ x: JSONValue?) -> [String] {
            switch x {
            case .string(let s)?: return [s]
            case .array(let a)?: return a.compactMap(\.stringValue)
            default: return []
            }
        }
        switch v {
        case .bool(let b): return b ? .all : .none
        case .string, .array: return .filter(includes: strings(v), excludes: [])
        case .object(let o):
            return .filter(includes: strings(o["includes"] ?? o["include"]), excludes: strings(o["excludes"] ?? o["exclude"]))
        default:
            throw OpenSearchError.parsing("[_source] must be a boolean, a string, an array or an object")
        }
    }
}
