import Index
import JSON

/// How a value or bucket key is shown: as is, as a date, as `true`/`false`, or with a
/// DecimalFormat pattern (`*_as_string`).
enum ValueFormat: Sendable, Equatable, Hashable {
    case raw
    case date(DateRenderer)
    case boolean
    case decimal(NumberText.DecimalPattern)

    func text(_ v: Double) -> String? {
        switch self {
        case .raw: return nil
        case .date(let r): return r.format(Int64(v.rounded(.down)))
        case .boolean: return v != 0 ? "true" : "false"
        case .decimal(let p): return p.format(v)
        }
    }

    /// The text shown for a key of a raw numeric (range keys, max_bucket keys).
    func keyText(_ v: Double) -> String { text(v) ?? NumberText.java(v) }

    var isRaw: Bool { self == .raw }
}

/// The running state of a numeric metric (avg, sum, min, max, value_count, stats, extended_stats,
/// weighted_avg): Kahan-compensated sums like OpenSearch's `CompensatedSum`.
struct MetricState: Sendable {
    var count: Int64 = 0
    var sum = 0.0
    var sumCompensation = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var sumOfSquares = 0.0
    var squaresCompensation = 0.0
    /// weighted_avg: the sum of weights.
    var weight = 0.0
    var weightCompensation = 0.0
    var format = ValueFormat.raw

    @inline(__always) static func kahan(_ s: inout Double, _ c: inout Double, _ v: Double) {
        if !v.isFinite { s += v; return }
        let corrected = v - c
        let t = s + corrected
        c = (t - s) - corrected
        s = t
    }

    @inline(__always) mutating func add(_ v: Double, squares: Bool) {
        count &+= 1
        MetricState.kahan(&sum, &sumCompensation, v)
        if v < min { min = v }
        if v > max { max = v }
        if squares { MetricState.kahan(&sumOfSquares, &squaresCompensation, v * v) }
    }

    mutating func merge(_ o: MetricState) {
        count += o.count
        MetricState.kahan(&sum, &sumCompensation, o.sum)
        if o.min < min { min = o.min }
        if o.max > max { max = o.max }
        MetricState.kahan(&sumOfSquares, &squaresCompensation, o.sumOfSquares)
        MetricState.kahan(&weight, &weightCompensation, o.weight)
        if format == .raw { format = o.format }
    }

    var avg: Double { count == 0 ? .nan : sum / Double(count) }
    var variancePopulation: Double {
        guard count > 0 else { return .nan }
        let n = Double(count)
        return Swift.max(0, (sumOfSquares - sum * sum / n) / n)
    }
    var varianceSampling: Double {
        guard count > 1 else { return count == 1 ? 0 : .nan }
        let n = Double(count)
        return Swift.max(0, (sumOfSquares - sum * sum / n) / (n - 1))
    }
}

/// A bucket's identity, comparable across segments and indices.
enum BucketKey: Sendable, Hashable {
    case long(Int64)
    /// An `unsigned_long` term (exact over 0…2^64−1).
    case unsigned(UInt64)
    case double(Double)
    case bytes([UInt8])
    /// Range and filters buckets: their position in the request.
    case position(Int)
    case composite([CompositeValue])

    var number: Double? {
        switch self {
        case .long(let l): return Double(l)
        case .unsigned(let u): return Double(u)
        case .double(let d): return d
        case .position(let p): return Double(p)
        default: return nil
        }
    }

    var asDouble: BucketKey {
        if case .long(let l) = self { return .double(Double(l)) }
        if case .unsigned(let u) = self { return .double(Double(u)) }
        return self
    }

    /// Ascending key order: numbers numerically, strings by UTF-8 bytes.
    static func less(_ a: BucketKey, _ b: BucketKey) -> Bool {
        switch (a, b) {
        case (.long(let x), .long(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.long(let x), .double(let y)): return Double(x) < y
        case (.double(let x), .long(let y)): return x < Double(y)
        case (.unsigned(let x), .unsigned(let y)): return x < y
        case (.unsigned(let x), .long(let y)): return y >= 0 && x < UInt64(y)
        case (.long(let x), .unsigned(let y)): return x < 0 || UInt64(x) < y
        case (.unsigned(let x), .double(let y)): return Double(x) < y
        case (.double(let x), .unsigned(let y)): return x < Double(y)
        case (.bytes(let x), .bytes(let y)): return x.lexicographicallyPrecedes(y)
        case (.position(let x), .position(let y)): return x < y
        case (.composite(let x), .composite(let y)):
            for (a, b) in zip(x, y) {
                if CompositeValue.less(a, b) { return true }
                if CompositeValue.less(b, a) { return false }
            }
            return x.count < y.count
        default: return false
        }
    }
}

/// One value of a composite key (`null` for the missing bucket).
enum CompositeValue: Sendable, Hashable {
    case null
    case long(Int64)
    case unsigned(UInt64)
    case double(Double)
    case bytes([UInt8])

    /// Ascending order of two values (multi_terms keys); null first.
    static func less(_ a: CompositeValue, _ b: CompositeValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return false
        case (.null, _): return true
        case (_, .null): return false
        case (.bytes(let x), .bytes(let y)): return x.lexicographicallyPrecedes(y)
        case (.long(let x), .long(let y)): return x < y
        case (.unsigned(let x), .unsigned(let y)): return x < y
        default:
            guard let x = a.number, let y = b.number else { return false }
            return x < y
        }
    }

    var number: Double? {
        switch self {
        case .long(let l): return Double(l)
        case .unsigned(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }
}

struct Bucket: Sendable {
    var key: BucketKey
    var docCount: Int64
    /// One state per sub-aggregation, in request order.
    var subs: [AggState]
    /// Results of the pipeline aggregations declared next to the sub-aggregations, in the
    /// order they ran (reduce only).
    var pipelineResults: [(name: String, state: AggState)] = []

    init(key: BucketKey, docCount: Int64, subs: [AggState]) {
        self.key = key
        self.docCount = docCount
        self.subs = subs
    }
}

/// The state of a multi-bucket aggregation.
struct BucketsState: Sendable {
    var buckets: [Bucket] = []
    /// How keys are shown (`key_as_string`); for composite, one per source.
    var format = ValueFormat.raw
    var sourceFormats: [ValueFormat] = []
    /// terms: documents in buckets that were not returned.
    var otherDocCount: Int64 = 0
    /// terms: the shard-level error bound (−1: unbounded).
    var docCountError: Int64 = 0
    /// range: the resolved bounds of each range, in bucket order (sorted by from, to).
    var ranges: [ResolvedRange] = []
    /// histograms: the data's min/max keys were seen through these bounds (for empty buckets).
    var extendedMin: Double?
    var extendedMax: Double?
    var hardMin: Double?
    var hardMax: Double?
    /// Buckets are in ascending key order (segment results of terms): merged without hashing.
    var sortedByKey = false
    /// terms: `sterms`, `lterms`, `dterms` or `umterms` (for `typed_keys`).
    var typedName: String?
}

struct ResolvedRange: Sendable, Equatable {
    var key: String
    var from: Double?
    var to: Double?
    /// ip_range: the bounds as addresses.
    var fromText: String? = nil
    var toText: String? = nil
}

/// A `top_hits` hit fetched while its segment was at hand.
struct TopHit: Sendable {
    var sortValues: [SortKey]
    var score: Float
    var tiebreak: (String, Int32)
    var hit: JSONObject
}

enum SortKey: Sendable, Equatable {
    case int(Int64), double(Double), string([UInt8]), missing

    var json: JSONValue {
        switch self {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(String(decoding: s, as: UTF8.self))
        case .missing: return .null
        }
    }
}

struct TopHitsState: Sendable {
    var hits: [TopHit] = []
    var total: Int64 = 0
    var maxScore: Float = -.infinity
}

/// The mergeable state of one aggregation for one owning bucket; after reduce it also carries
/// pipeline results.
indirect enum AggState: Sendable {
    case metric(MetricState)
    case cardinality(CardinalitySketch)
    case digest(TDigest, ValueFormat)
    case topHits(TopHitsState)
    /// filter, missing, global: one bucket.
    case single(Bucket)
    case buckets(BucketsState)
    /// Pipeline results.
    case simpleValue(Double, ValueFormat)
    case derivative(Double, normalized: Double?, ValueFormat)
    case bucketMetricValue(Double, keys: [String], ValueFormat)
    case statsBucket(MetricState)
    case percentilesBucket([Double], values: [Double], keyed: Bool)
    /// A pipeline that did not apply to this bucket (e.g. the first derivative).
    case none
}

/// The per-segment (or per-index) partial result of an `AggregationTree`: one state per top-level
/// aggregation, mergeable with the partials of other segments and indices by `reduce`.
public struct PartialAggregations: Sendable {
    /// The index the segment belongs to: partials of one index are merged exactly first (as
    /// OpenSearch merges within a shard), then across indices (shard-level truncation applies).
    let index: String
    var states: [AggState]
}
