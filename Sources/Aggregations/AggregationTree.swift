import Index
import JSON
import Query

/// A search request's aggregations (`aggs` / `aggregations`), parsed once per request.
///
/// Per segment, `collect` runs the tree over the documents the query matched and returns a
/// `PartialAggregations`; `reduce` merges the partials of every segment of every index — exactly
/// within an index, then across indices the way OpenSearch merges shard results (terms
/// `shard_size`, `doc_count_error_upper_bound`) — applies pipeline aggregations and renders
/// the response's `aggregations` object.
public struct AggregationTree: Sendable {
    let nodes: [AggNode]
    let pipelines: [PipelineNode]

    /// Parses the request's aggregations object (nested to any depth, with `meta`); errors are
    /// OpenSearch's 400s (`parsing_exception` for an unknown type, …).
    public static func parse(_ aggs: JSONValue) throws(OpenSearchError) -> AggregationTree {
        let (nodes, pipelines) = try AggregationParser.parse(aggs)
        return AggregationTree(nodes: nodes, pipelines: pipelines)
    }

    /// Whether the tree has no aggregations.
    public var isEmpty: Bool { nodes.isEmpty && pipelines.isEmpty }

    /// Whether some aggregation (`top_hits` sorted by score) reads the scores passed to `collect`.
    public var needsScores: Bool {
        func walk(_ n: [AggNode]) -> Bool {
            n.contains { node in
                if case .topHits(let t) = node.kind, t.sort.isEmpty || t.sort.contains(where: { $0.target == .score }) || t.trackScores { return true }
                return walk(node.subs)
            }
        }
        return walk(nodes)
    }

    /// Whether some aggregation (`global`) reads documents the query did not match: then an index
    /// the query cannot match must still be collected; otherwise it may be skipped (its absence
    /// reduces like an index with no matches).
    public var looksBeyondQuery: Bool {
        nodes.contains { if case .global = $0.kind { return true }; return false }
    }

    /// Runs the aggregations over `docs` (segment doc ids the query matched, deleted documents
    /// already excluded) of one segment. `scores` are the query's per-doc scores, if computed.
    public func collect(_ ctx: SegmentAggregationContext, docs: DocSet, scores: [Float]?) throws(OpenSearchError) -> PartialAggregations {
        let c = CollectContext(ctx, scores: scores)
        var collectors: [Collector] = []
        for n in nodes { collectors.append(try CollectorFactory.make(n, c, singleOwner: true)) }
        CollectorDriver.run(docs, collectors, cache: c.decoded)
        for col in collectors { try col.finish() }
        return PartialAggregations(index: ctx.indexName, states: collectors.map { $0.state(0) })
    }

    /// Merges the partials of all segments and indices and renders the response's
    /// `aggregations` object, pipelines applied. More than `maxBuckets` buckets throws
    /// `too_many_buckets_exception`.
    public func reduce(_ partials: [PartialAggregations], maxBuckets: Int = 65_535) throws(OpenSearchError) -> JSONValue {
        try reduce(partials, maxBuckets: maxBuckets, typedKeys: false)
    }

    /// `reduce` with the `typed_keys` URL parameter: names print as `type#name` (`sterms#by_user`,
    /// `date_histogram#per_day`, `avg#latency`), as OpenSearch prints them.
    public func reduce(_ partials: [PartialAggregations], maxBuckets: Int = 65_535, typedKeys: Bool) throws(OpenSearchError) -> JSONValue {
        var reducer = Reducer(maxBuckets: maxBuckets)
        return try reducer.reduceTree(self, partials, typedKeys: typedKeys)
    }
}

/// Builds a segment's collector tree from the request tree.
enum CollectorFactory {
    static func make(_ node: AggNode, _ c: CollectContext, singleOwner: Bool) throws(OpenSearchError) -> Collector {
        // Single-bucket aggregations keep their parent's owner; multi-bucket ones create many.
        func subs(_ single: Bool) throws(OpenSearchError) -> [Collector] {
            var out: [Collector] = []
            for s in node.subs { out.append(try make(s, c, singleOwner: single)) }
            return out
        }
        switch node.kind {
        case .metric(let kind, let vs):
            let src = try FieldSource(vs, c, agg: node.name, type: node.type, numericOnly: kind != .valueCount)
            return NumericMetricCollector(src, kind: kind)
        case .weightedAvg(let value, let weight, let format):
            let v = try FieldSource(value, c, agg: node.name, type: node.type, numericOnly: true)
            let w = try FieldSource(weight, c, agg: node.name, type: node.type, numericOnly: true)
            let fmt: ValueFormat = format.flatMap { NumberText.DecimalPattern($0) }.map { .decimal($0) } ?? (v.isDate ? v.format : .raw)
            return WeightedAvgCollector(value: v, weight: w, format: fmt)
        case .cardinality(let vs, let precision):
            return CardinalityCollector(try FieldSource(vs, c, agg: node.name, type: node.type, numericOnly: false), precision: precision)
        case .percentiles(let vs, _, _, let compression), .percentileRanks(let vs, _, _, let compression):
            return PercentilesCollector(try FieldSource(vs, c, agg: node.name, type: node.type, numericOnly: true), compression: compression, singleOwner: singleOwner)
        case .medianAbsoluteDeviation(let vs, let compression):
            return PercentilesCollector(try FieldSource(vs, c, agg: node.name, type: node.type, numericOnly: true), compression: compression, singleOwner: singleOwner)
        case .ipRange(let spec):
            let src = try FieldSource(spec.source, c, agg: node.name, type: node.type, numericOnly: false)
            return IPRangeCollector(spec, source: src, subs: try subs(false))
        case .topHits(let spec):
            return try TopHitsCollector(spec, ctx: c)
        case .terms(let spec):
            let src = try FieldSource(spec.source, c, agg: node.name, type: node.type, numericOnly: false)
            if src.isKeywordLike {
                return try KeywordTermsCollector(spec, source: src, singleOwner: singleOwner, subs: try subs(false), aggName: node.name, ctx: c)
            }
            return try NumericTermsCollector(spec, source: src, subs: try subs(false), aggName: node.name, ctx: c)
        case .adjacencyMatrix(let spec):
            return try AdjacencyMatrixCollector(spec, subs: try subs(false), ctx: c)
        case .multiTerms(let spec):
            return try MultiTermsCollector(spec, subs: try subs(false), ctx: c, name: node.name, type: node.type)
        case .rareTerms(let rare):
            let spec = rare.collecting
            let src = try FieldSource(spec.source, c, agg: node.name, type: node.type, numericOnly: false)
            let isIP = c.ctx.mapping.field(spec.source.field ?? "")?.type == .ip
            if !src.isKeywordLike || isIP {
                for f in [spec.include, spec.exclude] {
                    if case .regex? = f {
                        throw OpenSearchError("aggregation_execution_exception", "Aggregation [\(node.name)] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of values for include/exclude clauses", status: 500)
                    }
                }
            }
            if src.isKeywordLike {
                return try KeywordTermsCollector(spec, source: src, singleOwner: singleOwner, subs: try subs(false), aggName: node.name, ctx: c)
            }
            return try NumericTermsCollector(spec, source: src, subs: try subs(false), aggName: node.name, ctx: c)
        case .histogram(let spec):
            let src = try FieldSource(spec.source, c, agg: node.name, type: node.type, numericOnly: true)
            return HistogramCollector(spec, source: src, subs: try subs(false), singleOwner: singleOwner)
        case .dateHistogram(let spec):
            var vs = spec.source
            if vs.valueType == nil { vs.valueType = "date" }
            let src = try FieldSource(vs, c, agg: node.name, type: node.type, numericOnly: true, zone: spec.zone)
            return try DateHistogramCollector(spec, source: src, subs: try subs(false), ctx: c)
        case .range(let spec):
            var vs = spec.source
            if spec.isDate && vs.valueType == nil { vs.valueType = "date" }
            let src = try FieldSource(vs, c, agg: node.name, type: node.type, numericOnly: true, zone: spec.zone ?? .utc)
            return try RangeCollector(spec, source: src, subs: try subs(false), ctx: c)
        case .filter(let q):
            return try FilterCollector(q, subs: try subs(singleOwner), ctx: c)
        case .filters(let spec):
            return try FiltersCollector(spec, subs: try subs(false), ctx: c)
        case .missing(let vs):
            let src = try FieldSource(vs, c, agg: node.name, type: node.type, numericOnly: false)
            return MissingCollector(source: src, subs: try subs(singleOwner))
        case .global:
            return GlobalCollector(subs: try subs(singleOwner), ctx: c)
        case .composite(let spec):
            return try CompositeCollector(spec, subs: try subs(false), ctx: c)
        }
    }
}
