import Index
import JSON
import Query

/// Everything an aggregation needs to read one segment: the segment, which of its documents are
/// live (for `global`), the index mapping (field types, formats), statistics and `now` (for the
/// queries of `filter`/`filters`), and the index name (`top_hits`' `_index`, and grouping partials
/// by index at reduce).
public struct SegmentAggregationContext: Sendable {
    public let segment: Segment
    public let liveDocs: LiveDocs?
    public let mapping: Mapping
    public let stats: IndexStatistics
    public let now: Int64
    public let indexName: String
    /// How many segments the index's search sees, when known (0: unknown). With 1, this segment
    /// is the whole shard: terms aggregations keep only their `shard_size` best buckets here
    /// instead of materialising every term for the reduce (OpenSearch's shard-level cut).
    public var segmentsInIndex = 0

    public init(segment: Segment, liveDocs: LiveDocs?, mapping: Mapping, stats: IndexStatistics, now: Int64, indexName: String) {
        self.segment = segment
        self.liveDocs = liveDocs
        self.mapping = mapping
        self.stats = stats
        self.now = now
        self.indexName = indexName
    }

    /// Runs a filter query over the whole segment (live documents only).
    func docs(matching q: Query) throws(OpenSearchError) -> DocSet {
        try SegmentSearcher(segment: segment, liveDocs: liveDocs, mapping: mapping, stats: stats, now: now).search(q, scoring: false).docs
    }

    /// All live documents of the segment.
    var liveSet: DocSet {
        var all = DocSet(capacity: segment.docCount, full: true)
        if let l = liveDocs { all.intersect(liveWords: l.words) }
        return all
    }
}

/// Per-segment collection state shared by a tree's collectors.
final class CollectContext {
    let ctx: SegmentAggregationContext
    let scores: [Float]?
    let decoded = DecodedBatchCache()
    var segment: Segment { ctx.segment }

    init(_ ctx: SegmentAggregationContext, scores: [Float]?) {
        self.ctx = ctx
        self.scores = scores
    }
}

/// Values of the driver's current batch, decoded once per field: sibling top-level aggregations
/// over one column (an `avg` and a `histogram` of the same field) share them. Only batches in the
/// driver's own buffer are cached — sub-aggregations get batches from their parents' buffers,
/// which may be refilled within one driver batch.
final class DecodedBatchCache {
    /// The driver's buffer and its batch number, bumped before every batch.
    var driverBuffer: UnsafePointer<Int32>? = nil
    var generation = 0
    /// Per field: the batch it was decoded for, the count and where the values are (the decoding
    /// collector's scratch, which only grows before a batch is decoded into it).
    var entries: [String: (generation: Int, docCount: Int, count: Int, values: UnsafePointer<Double>)] = [:]
}
