import Index
import JSON
import Query

/// One aggregation of the request tree: its name, what it computes, `meta`, and its
/// sub-aggregations (collected per bucket) and pipeline aggregations (applied at reduce).
struct AggNode: Sendable {
    let name: String
    /// The type name as the request spelled it (`terms`, `date_histogram`, …).
    let type: String
    let kind: AggKind
    let meta: JSONValue?
    var subs: [AggNode]
    var pipelines: [PipelineNode]

    var isMultiBucket: Bool {
        switch kind {
        case .terms, .multiTerms, .rareTerms, .adjacencyMatrix, .histogram, .dateHistogram, .range, .ipRange, .filters, .composite: return true
        default: return false
        }
    }

    var isSingleBucket: Bool {
        switch kind {
        case .filter, .missing, .global: return true
        default: return false
        }
    }

    /// The terms options that `terms` and `multi_terms` share (size, order, shard-level
    /// truncation, error accounting) — one reduce path serves both.
    var termsSpec: TermsSpec? {
        switch kind {
        case .terms(let t): return t
        case .multiTerms(let m): return m.terms
        default: return nil
        }
    }

    func sub(named n: String) -> (Int, AggNode)? {
        for (i, s) in subs.enumerated() where s.name == n { return (i, s) }
        return nil
    }
}

indirect enum AggKind: Sendable {
    case metric(MetricKind, ValueSource)
    case weightedAvg(value: ValueSource, weight: ValueSource, format: String?)
    case cardinality(ValueSource, precision: Int)
    case percentiles(ValueSource, percents: [Double], keyed: Bool, compression: Double)
    case percentileRanks(ValueSource, values: [Double], keyed: Bool, compression: Double)
    case medianAbsoluteDeviation(ValueSource, compression: Double)
    case topHits(TopHitsSpec)
    case terms(TermsSpec)
    case multiTerms(MultiTermsSpec)
    case rareTerms(RareTermsSpec)
    case adjacencyMatrix(AdjacencyMatrixSpec)
    case histogram(HistogramSpec)
    case dateHistogram(DateHistogramSpec)
    case range(RangeSpec)
    case ipRange(IPRangeSpec)
    case filter(Query)
    case filters(FiltersSpec)
    case missing(ValueSource)
    case global
    case composite(CompositeSpec)
}

enum MetricKind: Sendable, Equatable {
    case avg, sum, min, max, valueCount, stats
    case extendedStats(sigma: Double)
}

/// Where an aggregation reads its values: `field`, `missing`, `format`, `value_type`.
struct ValueSource: Sendable {
    var field: String?
    var missing: JSONValue?
    var format: String?
    var valueType: String?
}

enum BucketOrder: Sendable {
    case count(asc: Bool)
    case key(asc: Bool)
    case path(AggPath, asc: Bool)
}

enum TermsFilter: Sendable {
    case regex(RegexpPattern)
    case values([JSONValue])
    case partition(Int, of: Int)
}

struct TermsSpec: Sendable {
    var source = ValueSource()
    var size = 10
    var shardSize: Int?
    var minDocCount: Int64 = 1
    var order: [BucketOrder] = [.count(asc: false), .key(asc: true)]
    var include: TermsFilter?
    var exclude: TermsFilter?
    var showTermDocCountError = false

    var isKeyOrder: Bool { if case .key = order.first { return true }; return false }
    var isCountDesc: Bool { if case .count(let asc)? = order.first { return !asc }; return false }

    /// OpenSearch's `BucketUtils.suggestShardSideQueueSize`, unless given.
    var effectiveShardSize: Int {
        if let s = shardSize, s > 0 { return max(s, size) }
        if isKeyOrder { return size }
        return Int(min(Int64(Int32.max), max(Int64(size), Int64(Double(size) * 1.5 + 10))))
    }
}

/// `multi_terms`: buckets per combination of the sources' values; `terms` carries size,
/// shard_size, order and min_doc_count (its own `source` is unused).
struct MultiTermsSpec: Sendable {
    var sources: [ValueSource] = []
    var terms = TermsSpec()
}

/// `rare_terms`: the terms found in at most `maxDocCount` documents, counted exactly.
struct RareTermsSpec: Sendable {
    var source = ValueSource()
    var maxDocCount: Int64 = 1
    var include: TermsFilter?
    var exclude: TermsFilter?

    /// Collected like a terms aggregation that keeps every term.
    var collecting: TermsSpec {
        var t = TermsSpec()
        t.source = source
        t.size = Int(Int32.max)
        t.shardSize = Int(Int32.max)
        t.include = include
        t.exclude = exclude
        return t
    }
}

/// `adjacency_matrix`: named filters (sorted by name); a bucket per filter and per pair of
/// filters, keyed `a`, `a&b`; only non-empty buckets are returned.
struct AdjacencyMatrixSpec: Sendable {
    var filters: [(name: String, query: Query)] = []
    var separator = "&"
    var showOnlyIntersecting = false

    /// Bucket keys in bucket order: each filter, then its pairs with the filters after it.
    var keys: [(key: String, first: Int, second: Int?)] {
        var out: [(key: String, first: Int, second: Int?)] = []
        for i in filters.indices {
            out.append((filters[i].name, i, nil))
            for j in (i + 1)..<filters.count { out.append((filters[i].name + separator + filters[j].name, i, j)) }
        }
        return out
    }
}

struct HistogramSpec: Sendable {
    var source = ValueSource()
    var interval = 0.0
    var offset = 0.0
    var minDocCount: Int64 = 0
    var extendedBounds: (min: Double?, max: Double?)?
    var hardBounds: (min: Double?, max: Double?)?
    var order: [BucketOrder] = [.key(asc: true)]
    var keyed = false
}

struct DateHistogramSpec: Sendable {
    var source = ValueSource()
    var interval = DateInterval.calendar(.day)
    var zone = DateZone.utc
    var offset: Int64 = 0
    var minDocCount: Int64 = 0
    var extendedBounds: (min: JSONValue?, max: JSONValue?)?
    var hardBounds: (min: JSONValue?, max: JSONValue?)?
    var order: [BucketOrder] = [.key(asc: true)]
    var keyed = false
}

struct RangeSpec: Sendable {
    struct Entry: Sendable {
        var key: String?
        var from: JSONValue?
        var to: JSONValue?
    }
    var source = ValueSource()
    var ranges: [Entry] = []
    var keyed = false
    var isDate = false
    var zone: DateZone?
}

struct IPRangeSpec: Sendable {
    struct Entry: Sendable {
        var key: String?
        var from: String?
        var to: String?
        var mask: String?
    }
    var source = ValueSource()
    var ranges: [Entry] = []
    var keyed = false
}

struct FiltersSpec: Sendable {
    var filters: [(name: String?, query: Query)] = []
    var otherBucket = false
    var otherKey = "_other_"
    var keyed = true
    var anonymous: Bool { filters.first?.name == nil }
}

struct CompositeSpec: Sendable {
    enum Kind: Sendable {
        case terms
        case histogram(interval: Double)
        case dateHistogram(DateInterval, zone: DateZone, offset: Int64)
    }
    struct Source: Sendable {
        var name: String
        var kind: Kind
        var value = ValueSource()
        var missingBucket = false
        /// nil: missing first when ascending, last when descending.
        var missingFirst: Bool?
        var ascending = true

        var missingSortsFirst: Bool { missingFirst ?? ascending }
    }
    var sources: [Source] = []
    var size = 10
    var after: JSONObject?
}

struct TopHitsSpec: Sendable {
    enum SortTarget: Sendable, Equatable { case score, doc, field(String) }
    struct Sort: Sendable {
        var target: SortTarget
        var descending: Bool
        var missingFirst: Bool?
    }
    var from = 0
    var size = 3
    var sort: [Sort] = []
    var source = SourceSpec.all
    var version = false
    var seqNoPrimaryTerm = false
    var trackScores = false
    var explain = false
}

/// `_source` filtering for `top_hits`.
enum SourceSpec: Sendable {
    case all, none
    case filter(includes: [String], excludes: [String])
}

/// A `buckets_path` (`sales>avg_price.value`, `the_percentiles[99.9]`, `_count`): the names to walk,
/// with an optional value key on the last one.
struct AggPath: Sendable, Equatable, CustomStringConvertible {
    struct Element: Sendable, Equatable {
        var name: String
        var key: String?
    }
    var elements: [Element]
    let text: String

    var description: String { text }

    static func parse(_ text: String) throws(OpenSearchError) -> AggPath {
        var elements: [Element] = []
        if text.isEmpty { throw .illegalArgument("Invalid path [\(text)]") }
        for part in text.split(separator: ">", omittingEmptySubsequences: false) {
            let p = String(part)
            if p.isEmpty { throw .illegalArgument("Invalid path [\(text)]") }
            if let open = p.firstIndex(of: "["), p.hasSuffix("]") {
                elements.append(Element(name: String(p[..<open]), key: String(p[p.index(after: open)..<p.index(before: p.endIndex)])))
            } else if let dot = p.firstIndex(of: "."), p != "_count", p != "_key" {
                // `avg.value`, but a name may itself be `99.9` inside a key: split on the first dot only.
                elements.append(Element(name: String(p[..<dot]), key: String(p[p.index(after: dot)...])))
            } else {
                elements.append(Element(name: p, key: nil))
            }
        }
        return AggPath(elements: elements, text: text)
    }
}

enum GapPolicy: Sendable { case skip, insertZeros, keepValues }

struct PipelineNode: Sendable {
    let name: String
    let type: String
    let kind: PipelineKind
    let meta: JSONValue?
    let format: String?
}

enum BucketMetricKind: Sendable, Equatable {
    case avg, sum, min, max, stats, extendedStats(sigma: Double), percentiles([Double], keyed: Bool)
}

enum PipelineKind: Sendable {
    case derivative(path: AggPath, gap: GapPolicy, unit: Int64?)
    case cumulativeSum(path: AggPath)
    case movingFn(path: AggPath, window: Int, shift: Int, script: ScriptExpression, gap: GapPolicy)
    case serialDiff(path: AggPath, lag: Int, gap: GapPolicy)
    case bucketScript(vars: [(String, AggPath)], script: ScriptExpression, gap: GapPolicy)
    case bucketSelector(vars: [(String, AggPath)], script: ScriptExpression, gap: GapPolicy)
    case bucketSort(sort: [(AggPath, Bool)], from: Int, size: Int?, gap: GapPolicy)
    case bucketMetric(BucketMetricKind, path: AggPath, gap: GapPolicy)

    /// Parent pipelines rewrite the buckets of the aggregation they sit in; sibling pipelines
    /// read the buckets of a sibling and add one result next to it.
    var isParent: Bool {
        switch self {
        case .bucketMetric: return false
        default: return true
        }
    }
}
