import Index
import JSON
import Query

/// The options of each aggregation type: orders, include/exclude, intervals, bounds, ranges,
/// filters, composite sources and top_hits.
extension AggregationParser {
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

    static func terms(_ name: String, _ b: inout Body, hasSource: Bool = true) throws(OpenSearchError) -> TermsSpec {
        var t = TermsSpec()
        if hasSource { t.source = try valueSource(name, &b) }
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

    static func ipRange(_ name: String, _ b: inout Body) throws(OpenSearchError) -> IPRangeSpec {
        var r = IPRangeSpec()
        r.source = try valueSource(name, &b)
        r.keyed = try b.bool("keyed") ?? false
        guard case .array(let list)? = b.take("ranges"), !list.isEmpty else {
            throw OpenSearchError.illegalArgument("No [ranges] specified for the [\(name)] aggregation")
        }
        for item in list {
            var rb = try Body("range", item)
            var e = IPRangeSpec.Entry()
            e.key = try rb.string("key")
            e.from = try rb.string("from")
            e.to = try rb.string("to")
            e.mask = try rb.string("mask")
            try rb.finish(known: ["key", "from", "to", "mask"])
            if let m = e.mask {
                guard IPAddressValue.cidr(m) != nil else { throw OpenSearchError.illegalArgument("Expected [ip/prefix] but was [\(m)]") }
                if e.from != nil || e.to != nil { throw OpenSearchError.illegalArgument("[mask] cannot be used with [from] or [to]") }
            }
            for ip in [e.from, e.to].compactMap({ $0 }) where IPAddressValue(ip) == nil {
                throw OpenSearchError.illegalArgument("'\(ip)' is not an IP string literal.")
            }
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
        let (window, overflow) = t.from.addingReportingOverflow(t.size)
        if overflow || window > 100 {
            throw OpenSearchError.illegalArgument("Top hits result window is too large, the top hits aggregator [top_hits]'s from + size must be less than or equal to: [100] but was [\(overflow ? Int.max : window)]. This limit can be set by changing the [index.max_inner_result_window] index level setting.")
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

extension AggregationParser {
    /// `multi_terms`: `terms` (at least two value sources) plus the terms options.
    static func multiTerms(_ name: String, _ b: inout Body) throws(OpenSearchError) -> MultiTermsSpec {
        var m = MultiTermsSpec()
        guard case .array(let list)? = b.take("terms") else {
            throw OpenSearchError.illegalArgument("[terms] must not be null: [\(name)]")
        }
        for t in list {
            var tb = try Body("terms", t)
            m.sources.append(try valueSource(name, &tb))
            try tb.finish(known: valueSourceKeys)
        }
        if m.sources.count < 2 {
            throw OpenSearchError.illegalArgument("The [terms] parameter in the aggregation [\(name)] must be present and have at least 2 fields or scripts.")
        }
        _ = b.take("format")
        m.terms = try terms(name, &b, hasSource: false)
        return m
    }

    /// `rare_terms`: `max_doc_count` (1…100), include/exclude, `missing`.
    static func rareTerms(_ name: String, _ b: inout Body) throws(OpenSearchError) -> RareTermsSpec {
        var r = RareTermsSpec()
        r.source = try valueSource(name, &b)
        if let m = try b.int("max_doc_count") {
            if m <= 0 { throw AggregationErrors.field("rare_terms", "max_doc_count", "[maxDocCount] must be greater than 0. Found [\(m)] in [\(name)]") }
            if m > 100 {
                throw AggregationErrors.field("rare_terms", "max_doc_count", "[max_doc_count] must be smaller or equal to [100] for aggregation [\(name)]. This limit can be set by changing the [search.max_buckets] cluster level setting.")
            }
            r.maxDocCount = Int64(m)
        }
        if let i = b.take("include") { r.include = try termsFilter("rare_terms", "include", i) }
        if let e = b.take("exclude") { r.exclude = try termsFilter("rare_terms", "exclude", e) }
        _ = try b.double("precision")
        return r
    }
}
